//! What a chart's axes say: round, distinct ticks with thousands separators, and period
//! labels that carry the year whenever the reader could not tell it otherwise.

use chrono::{Datelike, NaiveDate};
use gitdash_shared::queries::activity::Bucket;

use crate::pages::format::grouped;

/// Ticks from zero up to at least `max`, a round step apart (1, 2 or 5 times a power of
/// ten), at most five of them above zero; an empty axis reads `0, 1`.
pub fn ticks(max: i64) -> Vec<i64> {
    let max = max.max(1);
    let rough = max as f64 / 4.0;
    let power = 10f64.powi(rough.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| (m * power).max(1.0) as i64)
        .find(|&step| step * 5 >= max)
        .unwrap_or(max);
    (0..).map(|i| i * step).take_while(|&t| t < max + step).collect()
}

/// A tick's text: `15,000`, or `15k` where space is short.
pub fn tick_label(value: i64, short: bool) -> String {
    let magnitude = value.unsigned_abs();
    if short && magnitude >= 10_000 && magnitude.is_multiple_of(1000) {
        format!("{}k", grouped(value / 1000))
    } else {
        grouped(value)
    }
}

/// Whether period labels of `since`..=`until` need their year: the range crosses a year,
/// or it is not this year.
pub fn needs_year(since: NaiveDate, until: NaiveDate, today: NaiveDate) -> bool {
    since.year() != until.year() || until.year() != today.year()
}

/// The x-axis label of the period starting at `start`.
pub fn period_label(start: NaiveDate, bucket: Bucket, with_year: bool) -> String {
    match (bucket, with_year) {
        (Bucket::Month, _) => start.format("%b %Y").to_string(),
        (_, true) => start.format("%b %-d, %Y").to_string(),
        (_, false) => start.format("%b %-d").to_string(),
    }
}

/// The last day of the period starting at `start`.
pub fn period_end(start: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => start,
        Bucket::Week => start + chrono::Days::new(6),
        Bucket::Month => {
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            };
            next.map_or(start, |next| next - chrono::Days::new(1))
        }
    }
}

/// The period in words, for a tooltip: "Mon Mar 4, 2024", "Week of Mar 4, 2024", "March 2024".
pub fn period_name(start: NaiveDate, bucket: Bucket) -> String {
    match bucket {
        Bucket::Day => start.format("%a %b %-d, %Y").to_string(),
        Bucket::Week => format!("Week of {}", start.format("%b %-d, %Y")),
        Bucket::Month => start.format("%B %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_distinct_and_reach_the_maximum() {
        assert_eq!(ticks(0), vec![0, 1]);
        assert_eq!(ticks(1), vec![0, 1]);
        assert_eq!(ticks(3), vec![0, 1, 2, 3]);
        assert_eq!(ticks(7), vec![0, 2, 4, 6, 8]);
        assert_eq!(ticks(15_253), vec![0, 5000, 10_000, 15_000, 20_000]);
        for max in [1, 2, 9, 10, 11, 99, 101, 7627, 15_253, 4_363_065] {
            let ticks = ticks(max);
            assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{max}: {ticks:?}");
            assert!(*ticks.last().expect("ticks") >= max && ticks.len() <= 6, "{max}: {ticks:?}");
        }
    }

    #[test]
    fn tick_labels_are_grouped_or_shortened() {
        assert_eq!(tick_label(15_000, false), "15,000");
        assert_eq!(tick_label(15_000, true), "15k");
        assert_eq!(tick_label(2500, true), "2,500");
    }

    #[test]
    fn years_show_when_a_range_crosses_one_or_is_not_this_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert!(needs_year(day(2025, 12, 1), day(2026, 11, 9), day(2026, 12, 2)));
        assert!(needs_year(day(2024, 1, 1), day(2024, 3, 1), day(2026, 12, 2)));
        assert!(!needs_year(day(2026, 10, 1), day(2026, 11, 9), day(2026, 12, 2)));
        assert_eq!(period_label(day(2024, 3, 4), Bucket::Week, true), "Mar 4, 2024");
        assert_eq!(period_label(day(2024, 3, 1), Bucket::Month, false), "Mar 2024");
    }
}
