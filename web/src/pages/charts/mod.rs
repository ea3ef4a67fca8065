//! Charts drawn on the server as SVG: visible without JavaScript, with round ticks, labelled
//! axes, a text alternative for screen readers, and per bar a tooltip (value and period)
//! that shows on hover, on keyboard focus and on touch, styled by the page's stylesheet, plus
//! a link to the commits behind the bar. Each chart is drawn twice, for a wide screen and for
//! a phone; the stylesheet shows the one that fits.

pub mod axis;
mod canvas;

pub use canvas::punch_card;
use canvas::{Canvas, Slot};

/// One bar: its x-axis label, its height, its tooltip and where it leads.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub detail: String,
    pub href: Option<String>,
}

/// One period of a two-sided chart: `up` above the axis, `down` below it.
pub struct Split {
    pub label: String,
    pub up: i64,
    pub down: i64,
    pub detail: String,
    pub href: Option<String>,
}

/// A bar chart of `bars`, described by `summary` for those who cannot see it.
pub fn bars(bars: &[Bar], summary: &str, unit: &str) -> String {
    let slots: Vec<Slot<'_>> = bars
        .iter()
        .map(|b| Slot { label: &b.label, up: b.value, down: 0, detail: &b.detail, href: b.href.as_deref() })
        .collect();
    both(&slots, summary, unit, false)
}

/// Additions above the axis and deletions below it, as GitHub's code frequency shows them.
pub fn split(periods: &[Split], summary: &str, unit: &str) -> String {
    let slots: Vec<Slot<'_>> = periods
        .iter()
        .map(|p| Slot { label: &p.label, up: p.up, down: p.down, detail: &p.detail, href: p.href.as_deref() })
        .collect();
    both(&slots, summary, unit, true)
}

fn both(slots: &[Slot<'_>], summary: &str, unit: &str, two_sided: bool) -> String {
    let mut html = String::from(r#"<div class="chart-box">"#);
    html.push_str(&Canvas::WIDE.draw(slots, summary, unit, two_sided));
    html.push_str(&Canvas::NARROW.draw(slots, summary, unit, two_sided));
    html.push_str("</div>");
    html
}

/// A churn bar: lines added and removed, beside the largest entry's `max`.
pub fn churn_bar(added: i64, removed: i64, max: i64, summary: &str) -> String {
    canvas::churn_bar(added, removed, max, summary)
}

/// A row's small activity chart: bars only, no axes, the whole range in 120 by 24 pixels.
pub fn sparkline(values: &[i64], summary: &str) -> String {
    canvas::sparkline(values, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64) -> Bar {
        Bar { label: label.into(), value, detail: format!("{value} commits"), href: Some("/commits?a=1&b=2".into()) }
    }

    #[test]
    fn every_bar_has_a_tooltip_a_link_and_escaped_text_in_both_drawings() {
        let svg = bars(&[bar("Mon", 3), bar("<b>", 0)], "Commits per day in <repo>", "commits");
        assert_eq!(svg.matches("<svg").count(), 2, "a wide and a narrow drawing");
        assert_eq!(svg.matches(r#"class="bar up""#).count(), 4);
        assert_eq!(svg.matches(r#"class="tip""#).count(), 4);
        assert!(svg.contains("3 commits"));
        assert!(
            svg.contains(r#"href="/commits?a=1&#38;b=2""#) || svg.contains(r#"href="/commits?a=1&amp;b=2""#),
            "{svg}"
        );
        assert!(!svg.contains("<repo>") && !svg.contains("<b>"), "{svg}");
        assert!(!svg.contains("<title>"), "tooltips are the page's own, not the browser's");
    }

    #[test]
    fn an_empty_chart_has_distinct_ticks() {
        let svg = bars(&[bar("Mon", 0), bar("Tue", 0)], "nothing", "commits");
        let ticks: Vec<&str> = svg
            .split(r#"class="tick""#)
            .skip(1)
            .map(|rest| &rest[rest.find('>').expect("tag") + 1..rest.find('<').expect("end")])
            .collect();
        assert_eq!(&ticks[..2], ["0", "1"], "{ticks:?}");
    }

    #[test]
    fn a_split_chart_draws_deletions_below_the_axis() {
        let svg = split(
            &[Split { label: "Mar 2024".into(), up: 10, down: 4, detail: "+10 −4".into(), href: None }],
            "code frequency",
            "lines",
        );
        assert_eq!(svg.matches(r#"class="bar up""#).count(), 2);
        assert_eq!(svg.matches(r#"class="bar down""#).count(), 2);
        assert!(svg.contains(">−10<") || svg.contains(">-10<"), "a negative tick below the axis: {svg}");
    }
}
