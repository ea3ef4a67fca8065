//! `/` for a signed-in person, and `/repositories/{id}` for one repository: the Commit
//! History chart, totals and Highlighted Commits over this week, 30 days, 12 months, all
//! time or two dates, merges and bots left out unless asked for. Everything is in the URL
//! (`/?repository=3&range=12m`), so a view can be shared as a link.

use askama::Template;
use chrono::NaiveDate;
use gitdash_shared::queries::activity;
use poem::{IntoResponse, web::Html};

use super::{
    charts::{self, axis},
    error::PageResult,
    filter_bar::FilterForm,
    format::{count, filters, grouped},
    links,
};
use crate::{
    state::AppState,
    view::{RangeChoice, ViewParams},
};

struct HighlightRow {
    short_sha: String,
    href: String,
    author_href: String,
    summary: String,
    date: String,
    author: String,
    reasons: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    /// The view's query string, for links to the other pages of the same view.
    query: String,
    totals: activity::Totals,
    chart: String,
    highlights: Vec<HighlightRow>,
}

/// The overview of the view `params` asks for (30 days unless it says otherwise).
pub async fn render(state: &AppState, user: String, params: &ViewParams) -> PageResult {
    let db = &state.db;
    let view = params.resolve(state, RangeChoice::Days30).await?;
    let span = &view.range;
    let bucket = view.chart_bucket();
    view.check_points(bucket).map_err(super::error::PageError::Invalid)?;
    let (since, today) = (view.since, view.until);
    let kept = &state.aggregates;
    let points = kept.history(db, span, bucket).await?;
    let totals = activity::Totals::clone(&*kept.totals(db, span).await?);
    let highlights = kept
        .highlights(db, span)
        .await?
        .iter()
        .map(|h| HighlightRow {
            short_sha: h.commit.sha.chars().take(10).collect(),
            href: links::commit(h.commit.repository_id, &h.commit.sha),
            author_href: links::person(view.repository, &h.commit.author_email),
            summary: h.commit.summary.clone(),
            date: h.commit.committed_at.format("%Y-%m-%d").to_string(),
            author: h.commit.author_name.clone(),
            reasons: h.reasons.join("; "),
        })
        .collect();
    let scope = view.scope();
    let per = match bucket {
        activity::Bucket::Day => "day",
        activity::Bucket::Week => "week",
        activity::Bucket::Month => "month",
    };
    let years = axis::needs_year(since, today, chrono::Utc::now().date_naive());
    let bars: Vec<charts::Bar> = points
        .iter()
        .filter_map(|p| {
            let start: NaiveDate = p.start?;
            Some(charts::Bar {
                detail: format!(
                    "{}: {}, +{} −{}",
                    axis::period_name(start, bucket),
                    count(p.commits, "commit", "commits"),
                    grouped(p.insertions),
                    grouped(p.deletions)
                ),
                label: axis::period_label(start, bucket, years),
                value: p.commits,
                href: (p.commits > 0).then(|| view.commits_between(start, axis::period_end(start, bucket))),
            })
        })
        .collect();
    let summary = format!(
        "Commits per {per} in {}, {} to {}: {} in all",
        scope.as_deref().unwrap_or("all repositories"),
        since,
        today,
        count(totals.commits, "commit", "commits")
    );
    let page = OverviewPage {
        user,
        scope,
        form: FilterForm::counted(&view, "/", state).await?.with_folder(&view),
        query: view.query(None),
        chart: charts::bars(&bars, &summary, "commits"),
        totals,
        highlights,
    };
    Ok(Html(page.render()?).into_response())
}
