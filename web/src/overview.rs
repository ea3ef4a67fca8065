//! `/` for a signed-in person, and `/repositories/{id}` for one repository: the Commit
//! History chart, totals and Highlighted Commits over this week, 30 days, 12 months, all
//! time or two dates, merges and bots left out unless asked for. Everything is in the URL
//! (`/?repository=3&range=12m`), so a view can be shared as a link.

use std::sync::Arc;

use askama::Template;
use chrono::NaiveDate;
use gitdash_shared::{QueryError, queries::activity};
use poem::{Response, http::StatusCode};

use crate::{
    app::AppState,
    charts, pages,
    view::{FilterForm, RangeChoice, ViewParams},
};

struct HighlightRow {
    short_sha: String,
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

pub async fn render(state: &Arc<AppState>, user: String, params: &ViewParams) -> Response {
    match build(state, user, params).await {
        Ok(page) => match page.render() {
            Ok(html) => poem::IntoResponse::into_response(poem::web::Html(html)),
            Err(err) => {
                tracing::error!(error = %err, "overview did not render");
                pages::message(StatusCode::INTERNAL_SERVER_ERROR, "Error", "The page could not be drawn.")
            }
        },
        Err(err) => {
            tracing::error!(error = %err, "overview");
            pages::message(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "The database is busy; try again shortly.")
        }
    }
}

async fn build(state: &Arc<AppState>, user: String, params: &ViewParams) -> Result<OverviewPage, QueryError> {
    let db = &state.db;
    let view = params.resolve(db, RangeChoice::Days30).await?;
    let span = view.range(db, &state.aggregates).await?;
    let days = (view.until - view.since).num_days();
    let bucket = match days {
        ..=62 => activity::Bucket::Day,
        ..=730 => activity::Bucket::Week,
        _ => activity::Bucket::Month,
    };
    let (since, today) = (view.since, view.until);
    let kept = &state.aggregates;
    let points = kept.history(db, &span, bucket).await?;
    let totals = kept.totals(db, &span).await?;
    let highlights = kept
        .highlights(db, &span)
        .await?
        .iter()
        .map(|h| HighlightRow {
            short_sha: h.commit.sha.chars().take(10).collect(),
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
    let bars: Vec<charts::Bar> = points
        .iter()
        .filter_map(|p| {
            let start: NaiveDate = p.start?;
            let label = match bucket {
                activity::Bucket::Month => start.format("%b %Y").to_string(),
                _ => start.format("%b %-d").to_string(),
            };
            Some(charts::Bar {
                detail: format!("{} commits, +{} −{} ({} {label})", p.commits, p.insertions, p.deletions, per),
                label,
                value: p.commits,
            })
        })
        .collect();
    let summary = format!(
        "Commits per {per} in {}, {} to {}: {} commits in all",
        scope.as_deref().unwrap_or("all repositories"),
        since,
        today,
        totals.commits
    );
    Ok(OverviewPage {
        user,
        scope,
        form: view.form("/"),
        query: view.query(None),
        chart: charts::bars(&bars, &summary, "commits"),
        totals,
        highlights,
    })
}
