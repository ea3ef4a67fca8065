//! `/committers`: one row per person after .mailmap, sortable, exportable as CSV or JSON,
//! for all repositories or one, with the dashboard's range and filters
//! (`?repository=3&sort=insertions&bots=include`).

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::activity::{self, CommitterOrder};
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Query},
};
use serde::Deserialize;

use super::{
    charts,
    error::PageResult,
    export,
    filter_bar::FilterForm,
    format::{count, filters, grouped},
    links,
};
use crate::{
    api::dashboard_models::Committer,
    auth::Identity,
    state::AppState,
    view::{RangeChoice, View, ViewParams},
};

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(flatten)]
    view: ViewParams,
    sort: Option<String>,
    /// 1-based, [`PER_PAGE`] people a page.
    page: Option<String>,
    /// One person's email: the view narrowed to them.
    person: Option<String>,
}

/// People on one page, as GitHub's contributors page shows its top 100; the rest are on
/// the following pages.
const PER_PAGE: usize = 100;

/// Bars in a row's activity chart.
const SLICES: usize = 40;

struct Row {
    name: String,
    email: String,
    href: String,
    commits_href: String,
    commits: i64,
    insertions: i64,
    deletions: i64,
    first_day: String,
    last_day: String,
    active_days: i64,
    co_authored: i64,
    activity: String,
}

const COLUMNS: [(&str, &str, CommitterOrder); 7] = [
    ("name", "Person", CommitterOrder::Name),
    ("commits", "Commits", CommitterOrder::Commits),
    ("insertions", "Added", CommitterOrder::Insertions),
    ("deletions", "Removed", CommitterOrder::Deletions),
    ("first_day", "First", CommitterOrder::FirstDay),
    ("last_day", "Last", CommitterOrder::LastDay),
    ("active_days", "Active days", CommitterOrder::ActiveDays),
];

struct Column {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "committers.html")]
struct CommittersPage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    columns: Vec<Column>,
    rows: Vec<Row>,
    /// "101–200 of 2,465 people"
    shown: String,
    person: Option<String>,
    newer_page: Option<String>,
    next_page: Option<String>,
    export_csv: String,
    export_json: String,
}

fn order(params: &Params) -> (&'static str, CommitterOrder) {
    COLUMNS
        .iter()
        .find(|(key, _, _)| Some(*key) == params.sort.as_deref())
        .map_or(("commits", CommitterOrder::Commits), |(key, _, order)| (*key, *order))
}

/// The view and its committers (only the person asked for, if one is); all time unless
/// the URL narrows it.
async fn load(
    state: &AppState,
    params: &Params,
) -> Result<(View, Arc<Vec<activity::Committer>>), super::error::PageError> {
    let view = params.view.resolve(state, RangeChoice::All).await?;
    let mut list = state.aggregates.committers(&state.db, &view.range, order(params).1).await?;
    if let Some(person) = params.person.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        list = Arc::new(list.iter().filter(|c| c.email.eq_ignore_ascii_case(person)).cloned().collect());
    }
    Ok((view, list))
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let (view, committers) = load(&state, &params).await?;
    let sort = order(&params).0;
    let mut query = format!("{}&sort={sort}", view.query(None));
    if let Some(person) = &params.person {
        query.push('&');
        query.push_str(&url::form_urlencoded::Serializer::new(String::new()).append_pair("person", person).finish());
    }
    let pages = committers.len().div_ceil(PER_PAGE).max(1);
    let page = params.page.as_deref().and_then(|p| p.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let on_page = &committers[((page - 1) * PER_PAGE).min(committers.len())..(page * PER_PAGE).min(committers.len())];
    let emails: Vec<&str> = on_page.iter().map(|c| c.email.as_str()).collect();
    let activity = state.aggregates.activity_of(&state.db, &view.range, &emails, SLICES).await?;
    let rows = on_page
        .iter()
        .zip(activity)
        .map(|(c, counts)| Row {
            href: links::person(view.repository, &c.email),
            commits_href: {
                let mut url = url::form_urlencoded::Serializer::new(format!("/commits?{}", view.query(None)));
                url.append_pair("author", &c.email);
                url.finish()
            },
            activity: charts::sparkline(
                &counts,
                &format!(
                    "{} by {} from {} to {}",
                    count(c.commits, "commit", "commits"),
                    c.name,
                    view.since,
                    view.until
                ),
            ),
            name: c.name.clone(),
            email: c.email.clone(),
            commits: c.commits,
            insertions: c.insertions,
            deletions: c.deletions,
            first_day: c.first_day.clone(),
            last_day: c.last_day.clone(),
            active_days: c.active_days,
            co_authored: c.co_authored,
        })
        .collect();
    let first = (page - 1) * PER_PAGE + 1;
    let shown = if committers.len() > PER_PAGE {
        format!(
            "{}–{} of {}",
            grouped(first as i64),
            grouped((first + on_page.len() - 1) as i64),
            count(committers.len() as i64, "person", "people")
        )
    } else {
        count(committers.len() as i64, "person", "people")
    };
    let page_link = |n: usize| format!("/committers?{query}&page={n}");
    let mut form = FilterForm::counted(&view, "/committers", &state).await?.with_folder(&view);
    form.carry.push(("sort", sort.to_owned()));
    if let Some(person) = &params.person {
        form.carry.push(("person", person.clone()));
    }
    let page = CommittersPage {
        user: identity.user.display_name().to_owned(),
        scope: view.scope(),
        form,
        columns: COLUMNS
            .iter()
            .map(|(key, label, _)| Column {
                label,
                href: format!("/committers?{}&sort={key}", view.query(None)),
                current: *key == sort,
            })
            .collect(),
        rows,
        shown,
        person: params.person.clone().filter(|p| !p.trim().is_empty()),
        newer_page: (page > 1).then(|| page_link(page - 1)),
        next_page: (page < pages).then(|| page_link(page + 1)),
        export_csv: format!("/committers/export.csv?{query}"),
        export_json: format!("/committers/export.json?{query}"),
    };
    Ok(Html(page.render()?).into_response())
}

/// The same rows as the page, with the API's fields, as a CSV file.
#[handler]
pub async fn export_csv(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let (_, committers) = load(&state, &params).await?;
    export::csv(committers.iter().cloned().map(Committer::from), "committers.csv")
}

/// The same rows as the page, as the API gives them, as a JSON file.
#[handler]
pub async fn export_json(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let (_, committers) = load(&state, &params).await?;
    let rows: Vec<Committer> = committers.iter().cloned().map(Committer::from).collect();
    export::json(&rows, "committers.json")
}
