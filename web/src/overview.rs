//! `/` for a signed-in person: the Commit History chart and totals, across all repositories
//! or one, over this week, 30 days, 12 months or all time. Everything is in the URL
//! (`/?repository=3&range=12m`), so a view can be shared as a link.

use std::sync::Arc;

use askama::Template;
use chrono::{Days, NaiveDate, Utc};
use gitdash_shared::queries::{activity, highlights, repositories};
use poem::{Response, http::StatusCode};

use crate::{app::AppState, charts, pages};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeChoice {
    Week,
    Days30,
    Months12,
    All,
}

impl RangeChoice {
    pub const ALL: [RangeChoice; 4] = [Self::Week, Self::Days30, Self::Months12, Self::All];

    pub fn parse(text: Option<&str>) -> Self {
        match text {
            Some("week") => Self::Week,
            Some("12m") => Self::Months12,
            Some("all") => Self::All,
            _ => Self::Days30,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Days30 => "30d",
            Self::Months12 => "12m",
            Self::All => "all",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Week => "This week",
            Self::Days30 => "30 days",
            Self::Months12 => "12 months",
            Self::All => "All time",
        }
    }
}

struct RepositoryOption {
    id: i64,
    name: String,
    selected: bool,
}

struct HighlightRow {
    short_sha: String,
    summary: String,
    date: String,
    author: String,
    reasons: String,
}

struct RangeLink {
    href: String,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    user: String,
    scope: Option<String>,
    repositories: Vec<RepositoryOption>,
    range: &'static str,
    ranges: Vec<RangeLink>,
    totals: activity::Totals,
    chart: String,
    highlights: Vec<HighlightRow>,
}

pub async fn render(state: &Arc<AppState>, user: String, repository: Option<i64>, range: RangeChoice) -> Response {
    match build(state, user, repository, range).await {
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

async fn build(
    state: &Arc<AppState>,
    user: String,
    repository: Option<i64>,
    range: RangeChoice,
) -> Result<OverviewPage, gitdash_shared::QueryError> {
    let db = &state.db;
    // Names only: the overview is the most visited page; commit counts are not needed here.
    let all = repositories::names(db).await?;
    let repository = repository.filter(|id| all.iter().any(|(known, _)| known == id));
    let today = Utc::now().date_naive();
    let (since, bucket) = match range {
        RangeChoice::Week => (today - Days::new(6), activity::Bucket::Day),
        RangeChoice::Days30 => (today - Days::new(29), activity::Bucket::Day),
        RangeChoice::Months12 => (today - Days::new(364), activity::Bucket::Week),
        RangeChoice::All => {
            let first = activity::first_day(db, repository).await?.unwrap_or(today);
            let bucket =
                if (today - first).num_days() > 730 { activity::Bucket::Month } else { activity::Bucket::Week };
            (first, bucket)
        }
    };
    let span = activity::Range { repository, since, until: today };
    let points = activity::history(db, span, bucket).await?;
    let totals = activity::totals(db, span).await?;
    let highlights = highlights::highlights(db, span)
        .await?
        .into_iter()
        .map(|h| HighlightRow {
            short_sha: h.commit.sha.chars().take(10).collect(),
            summary: h.commit.summary,
            date: h.commit.committed_at.format("%Y-%m-%d").to_string(),
            author: h.commit.author_name,
            reasons: h.reasons.join("; "),
        })
        .collect();
    let scope = repository.and_then(|id| all.iter().find(|(known, _)| *known == id)).map(|(_, name)| name.clone());
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
    let repository_param = repository.map(|id| format!("repository={id}&")).unwrap_or_default();
    Ok(OverviewPage {
        user,
        repositories: all
            .into_iter()
            .map(|(id, name)| RepositoryOption { id, name, selected: Some(id) == repository })
            .collect(),
        scope,
        range: range.key(),
        ranges: RangeChoice::ALL
            .iter()
            .map(|choice| RangeLink {
                href: format!("/?{repository_param}range={}", choice.key()),
                label: choice.label(),
                current: *choice == range,
            })
            .collect(),
        chart: charts::bars(&bars, &summary, "commits"),
        totals,
        highlights,
    })
}
