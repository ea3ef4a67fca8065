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

use super::{error::PageResult, export, filter_bar::FilterForm};
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
    committers: Arc<Vec<activity::Committer>>,
    export_csv: String,
    export_json: String,
}

fn order(params: &Params) -> (&'static str, CommitterOrder) {
    COLUMNS
        .iter()
        .find(|(key, _, _)| Some(*key) == params.sort.as_deref())
        .map_or(("commits", CommitterOrder::Commits), |(key, _, order)| (*key, *order))
}

/// The view and its committers; all time unless the URL narrows it.
async fn load(
    state: &AppState,
    params: &Params,
) -> Result<(View, Arc<Vec<activity::Committer>>), super::error::PageError> {
    let view = params.view.resolve(state, RangeChoice::All).await?;
    let list = state.aggregates.committers(&state.db, &view.range, order(params).1).await?;
    Ok((view, list))
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let (view, committers) = load(&state, &params).await?;
    let sort = order(&params).0;
    let query = format!("{}&sort={sort}", view.query(None));
    let mut form = FilterForm::of(&view, "/committers");
    form.carry.push(("sort", sort.to_owned()));
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
        committers,
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
