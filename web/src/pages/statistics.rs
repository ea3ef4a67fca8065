//! `/statistics`: punch card, code frequency, commits and committers per month, lines of
//! code and the language mix at the end of each month (vendored and generated files left
//! out), for all
//! repositories or one, over a preset range or two dates, merges and bots left out unless
//! asked for (`?repository=3&range=all&merges=include`).

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::activity;
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Query},
};

use super::{
    charts::{self, axis},
    error::PageResult,
    filter_bar::FilterForm,
    format::{count, filters, grouped},
};
use crate::{
    auth::Identity,
    state::AppState,
    view::{RangeChoice, ViewParams},
};

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    commits: i64,
    committers: i64,
    punch_card: String,
    code_frequency: String,
    per_month: String,
    committers_per_month: String,
    /// "week" or "month": the code frequency's bars.
    frequency_period: &'static str,
    lines_of_code: String,
    /// Lines of code at the end of the range.
    lines_now: i64,
    languages: Vec<LanguageRow>,
}

/// One language of the mix: its lines at the end of the range, its share, its trend.
struct LanguageRow {
    name: String,
    lines: i64,
    share: String,
    trend: String,
}

/// The value of `series` (one per month of `months`, ascending) at the end of `month`: that
/// of the last month up to it, 0 before the first.
fn at_end_of(months: &[chrono::NaiveDate], series: &[i64], month: chrono::NaiveDate) -> i64 {
    match months.partition_point(|m| *m <= month) {
        0 => 0,
        i => series.get(i - 1).copied().unwrap_or(0),
    }
}

#[handler]
pub async fn page(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Query(params): Query<ViewParams>,
) -> PageResult {
    let db = &state.db;
    let view = params.resolve(&state, RangeChoice::Months12).await?;
    let range = &view.range;
    let kept = &state.aggregates;
    let card = kept.punch_card(db, range).await?;
    let frequency = view.code_frequency_bucket();
    view.check_points(frequency).map_err(super::error::PageError::Invalid)?;
    let frequency_period = match frequency {
        activity::Bucket::Month => "month",
        _ => "week",
    };
    let months = kept.history(db, range, activity::Bucket::Month).await?;
    let periods = match frequency {
        activity::Bucket::Month => months.clone(),
        _ => kept.history(db, range, frequency).await?,
    };
    let people = kept.committers_per_month(db, range).await?;
    let totals = kept.totals(db, range).await?;
    let years = axis::needs_year(view.since, view.until, chrono::Utc::now().date_naive());
    let frequency_periods: Vec<charts::Split> = periods
        .iter()
        .filter_map(|p| {
            let start = p.start?;
            Some(charts::Split {
                label: axis::period_label(start, frequency, years),
                up: p.insertions,
                down: p.deletions,
                detail: format!(
                    "{}: +{} −{} lines",
                    axis::period_name(start, frequency),
                    grouped(p.insertions),
                    grouped(p.deletions)
                ),
                href: (p.commits > 0).then(|| view.commits_between(start, axis::period_end(start, frequency))),
            })
        })
        .collect();
    let month = activity::Bucket::Month;
    let month_bars: Vec<charts::Bar> = months
        .iter()
        .filter_map(|p| {
            let start = p.start?;
            Some(charts::Bar {
                label: axis::period_label(start, month, true),
                value: p.commits,
                detail: format!("{}: {}", axis::period_name(start, month), count(p.commits, "commit", "commits")),
                href: (p.commits > 0).then(|| view.commits_between(start, axis::period_end(start, month))),
            })
        })
        .collect();
    let people: std::collections::HashMap<&str, i64> = people.iter().map(|(m, n)| (m.as_str(), *n)).collect();
    let people_bars: Vec<charts::Bar> = months
        .iter()
        .filter_map(|p| {
            let start = p.start?;
            let n = people.get(start.format("%Y-%m").to_string().as_str()).copied().unwrap_or(0);
            Some(charts::Bar {
                label: axis::period_label(start, month, true),
                value: n,
                detail: format!("{}: {}", axis::period_name(start, month), count(n, "committer", "committers")),
                href: (n > 0).then(|| view.page_between("/committers", start, axis::period_end(start, month))),
            })
        })
        .collect();
    let grown = kept.growth(db, view.repository, view.range.filters.under.as_ref(), false).await?;
    let starts: Vec<chrono::NaiveDate> = months.iter().filter_map(|p| p.start).collect();
    let loc_bars: Vec<charts::Bar> = starts
        .iter()
        .map(|&start| {
            let lines = at_end_of(&grown.months, &grown.total, start);
            charts::Bar {
                label: axis::period_label(start, month, true),
                value: lines,
                detail: format!("end of {}: {}", axis::period_name(start, month), count(lines, "line", "lines")),
                href: None,
            }
        })
        .collect();
    let lines_now = loc_bars.last().map_or(0, |b| b.value);
    let languages: Vec<LanguageRow> = grown
        .languages
        .iter()
        .map(|l| {
            let trend: Vec<i64> = starts.iter().map(|&m| at_end_of(&grown.months, &l.lines, m)).collect();
            let lines = trend.last().copied().unwrap_or(0);
            let name = if l.name.is_empty() { "Other".to_owned() } else { l.name.clone() };
            LanguageRow {
                share: if lines_now > 0 {
                    format!("{:.1} %", lines as f64 * 100.0 / lines_now as f64)
                } else {
                    String::new()
                },
                trend: charts::sparkline(&trend, &format!("{name}: lines of code per month")),
                name,
                lines,
            }
        })
        .filter(|l| l.lines > 0)
        .collect();
    let total_in_card: i64 = card.iter().flatten().sum();
    let page = StatisticsPage {
        user: identity.user.display_name().to_owned(),
        scope: view.scope(),
        form: FilterForm::counted(&view, "/statistics", &state).await?.with_folder(&view),
        commits: totals.commits,
        committers: totals.committers,
        punch_card: charts::punch_card(
            &card,
            &format!("Punch card of {} by weekday and hour", count(total_in_card, "commit", "commits")),
        ),
        code_frequency: charts::split(
            &frequency_periods,
            &format!("Lines added (above the axis) and removed (below it) per {frequency_period}"),
            "lines",
        ),
        frequency_period,
        per_month: charts::bars(&month_bars, "Commits per month", "commits"),
        committers_per_month: charts::bars(&people_bars, "Committers per month", "people"),
        lines_of_code: charts::bars(&loc_bars, "Lines of code at the end of each month", "lines"),
        lines_now,
        languages,
    };
    Ok(Html(page.render()?).into_response())
}
