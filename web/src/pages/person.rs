//! `/person?email=`: one person in one repository or all: first and last commits, totals,
//! commits per month over the view's range, weekdays and hours, their repositories and the
//! folders they own. Every name on every page links here (`links::person`).

use std::sync::Arc;

use askama::Template;
use chrono::{Datelike, Months, NaiveDate};
use gitdash_shared::queries::person;
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Query},
};
use serde::Deserialize;

use super::{
    charts::{self, axis},
    error::PageResult,
    filter_bar::FilterForm,
    format::{count, filters},
    links,
};
use crate::{
    auth::Identity,
    state::AppState,
    view::{RangeChoice, ViewParams},
};

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(flatten)]
    view: ViewParams,
    email: Option<String>,
}

struct RepositoryRow {
    name: String,
    href: String,
    commits: i64,
    first_day: String,
    last_day: String,
}

struct FolderRow {
    folder: String,
    href: String,
    share: i64,
    lines: i64,
    files: i64,
}

/// Folders listed among those they own.
const FOLDERS: usize = 20;

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    name: String,
    email: String,
    /// Nothing by them in the scope.
    unknown: bool,
    /// Commits (all history) whose `Co-authored-by:` trailers name them.
    co_authored: i64,
    first_day: String,
    last_day: String,
    commits: i64,
    insertions: i64,
    deletions: i64,
    active_days: i64,
    commits_href: String,
    per_month: String,
    punch_card: String,
    repositories: Vec<RepositoryRow>,
    folders: Vec<FolderRow>,
    more_folders: usize,
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let view = params.view.resolve(&state, RangeChoice::All).await?;
    let email = params.email.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let db = &state.db;
    let facts = state.aggregates.person(db, &view.range, &email).await?;
    let person::Facts { repositories, months, hours: card, co_authored, co_author_name } = Arc::unwrap_or_clone(facts);
    let owned = state.aggregates.owned_folders(db, view.repository, &email).await?;

    let name = repositories.first().map(|r| r.name.clone()).or(co_author_name).unwrap_or_else(|| email.clone());
    let month = chrono::Months::new(1);
    let first_month = view.since.with_day(1).unwrap_or(view.since);
    let bars: Vec<charts::Bar> = std::iter::successors(Some(first_month), |m| m.checked_add_months(month))
        .take_while(|m| *m <= view.until)
        .map(|start| {
            let n = months.get(&start.format("%Y-%m").to_string()).copied().unwrap_or(0);
            charts::Bar {
                label: axis::period_label(start, gitdash_shared::queries::activity::Bucket::Month, true),
                value: n,
                detail: format!("{}: {}", start.format("%B %Y"), count(n, "commit", "commits")),
                href: (n > 0).then(|| {
                    let end = start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(start);
                    let mut url = url::form_urlencoded::Serializer::new(view.commits_between(start, end));
                    url.append_pair("author", &email);
                    url.finish()
                }),
            }
        })
        .collect();
    let in_range: i64 = months.values().sum();
    let commits_href = url::form_urlencoded::Serializer::new(format!("/commits?{}", view.query(None)))
        .append_pair("author", &email)
        .finish();
    let first_day = repositories.iter().map(|r| r.first_day).min();
    let last_day = repositories.iter().map(|r| r.last_day).max();
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let merges = |r: &person::InRepository| if view.include_merges { 0 } else { r.merges };
    let mut form = FilterForm::counted(&view, "/person", &state).await?;
    form.carry.push(("email", email.clone()));
    let page = PersonPage {
        user: identity.user.display_name().to_owned(),
        scope: view.scope(),
        unknown: repositories.is_empty(),
        co_authored,
        first_day: day(first_day),
        last_day: day(last_day),
        commits: repositories.iter().map(|r| r.commits - merges(r)).sum(),
        insertions: repositories.iter().map(|r| r.insertions).sum(),
        deletions: repositories.iter().map(|r| r.deletions).sum(),
        active_days: repositories.iter().map(|r| r.active_days).sum(),
        commits_href,
        per_month: charts::bars(
            &bars,
            &format!("{} by {name} per month, {} to {}", count(in_range, "commit", "commits"), view.since, view.until),
            "commits",
        ),
        punch_card: charts::punch_card(&card, &format!("Commits by {name} by weekday and hour, all history")),
        repositories: repositories
            .iter()
            .map(|r| RepositoryRow {
                name: view.name_of(r.repository_id).unwrap_or_default(),
                href: links::person(Some(r.repository_id), &email),
                commits: r.commits - merges(r),
                first_day: r.first_day.to_string(),
                last_day: r.last_day.to_string(),
            })
            .collect(),
        more_folders: owned.len().saturating_sub(FOLDERS),
        folders: owned
            .into_iter()
            .take(FOLDERS)
            .map(|f| FolderRow {
                href: {
                    let mut url = url::form_urlencoded::Serializer::new(String::from("/ownership?"));
                    if let Some(id) = view.repository {
                        url.append_pair("repository", &id.to_string());
                    }
                    if !f.folder.is_empty() {
                        url.append_pair("path", &f.folder);
                    }
                    url.finish()
                },
                folder: if f.folder.is_empty() { "(top)".to_owned() } else { format!("{}/", f.folder) },
                share: (f.share * 100.0).round() as i64,
                lines: f.lines,
                files: f.files,
            })
            .collect(),
        form,
        name,
        email,
    };
    Ok(Html(page.render()?).into_response())
}
