//! `/committers`: one row per person after .mailmap, sortable, exportable as CSV or JSON,
//! for all repositories or one, with the dashboard's range and filters
//! (`?repository=3&sort=insertions&bots=include`).

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::activity::{Committer, CommitterOrder};
use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Data, Query},
};
use serde::Deserialize;

use crate::{
    app::AppState,
    auth::Identity,
    pages,
    view::{FilterForm, RangeChoice, View, ViewParams},
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
    committers: Arc<Vec<Committer>>,
    export_csv: String,
    export_json: String,
}

fn order(params: &Params) -> (&'static str, CommitterOrder) {
    COLUMNS
        .iter()
        .find(|(key, _, _)| Some(*key) == params.sort.as_deref())
        .map_or(("commits", CommitterOrder::Commits), |(key, _, order)| (*key, *order))
}

fn unavailable(err: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %err, "committers");
    pages::message(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "The database is busy; try again shortly.")
}

/// The view and its committers; all time unless the URL narrows it.
async fn load(state: &AppState, params: &Params) -> Result<(View, Arc<Vec<Committer>>), Response> {
    let db = &state.db;
    let view = params.view.resolve(db, RangeChoice::All).await.map_err(|e| unavailable(&e))?;
    let range = view.range(db, &state.aggregates).await.map_err(|e| unavailable(&e))?;
    let list = state.aggregates.committers(db, &range, order(params).1).await.map_err(|e| unavailable(&e))?;
    Ok((view, list))
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> Response {
    let (view, committers) = match load(&state, &params).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let sort = order(&params).0;
    let query = format!("{}&sort={sort}", view.query(None));
    let mut form = view.form("/committers");
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
    match page.render() {
        Ok(html) => poem::web::Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "committers page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The same rows as the page, as a CSV file.
#[handler]
pub async fn export_csv(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> Response {
    let (_, committers) = match load(&state, &params).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["name", "email", "commits", "insertions", "deletions", "first_day", "last_day", "active_days"];
    let mut result = writer.write_record(header);
    for c in committers.iter() {
        if result.is_ok() {
            result = writer.write_record([
                c.name.as_str(),
                c.email.as_str(),
                &c.commits.to_string(),
                &c.insertions.to_string(),
                &c.deletions.to_string(),
                c.first_day.as_str(),
                c.last_day.as_str(),
                &c.active_days.to_string(),
            ]);
        }
    }
    match (result, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => bytes
            .with_content_type("text/csv; charset=utf-8")
            .with_header(header::CONTENT_DISPOSITION, "attachment; filename=\"committers.csv\"")
            .into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The same rows as the page, as a JSON file.
#[handler]
pub async fn export_json(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> Response {
    let (_, committers) = match load(&state, &params).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let rows: Vec<serde_json::Value> = committers
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name, "email": c.email, "commits": c.commits, "insertions": c.insertions,
                "deletions": c.deletions, "first_day": c.first_day, "last_day": c.last_day,
                "active_days": c.active_days,
            })
        })
        .collect();
    poem::web::Json(rows)
        .with_header(header::CONTENT_DISPOSITION, "attachment; filename=\"committers.json\"")
        .into_response()
}
