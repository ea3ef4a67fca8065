//! `/committers`: one row per person after .mailmap, sortable, exportable as CSV or JSON,
//! for all repositories or one (`?repository=3&sort=insertions`).

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::{
    activity::{self, Committer, CommitterOrder},
    repositories,
};
use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Data, Query},
};
use serde::Deserialize;

use crate::{api::committers_range, app::AppState, auth::Identity, pages};

#[derive(Deserialize, Default)]
pub struct Params {
    repository: Option<String>,
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
    since: String,
    until: String,
    columns: Vec<Column>,
    committers: Vec<Committer>,
    export_csv: String,
    export_json: String,
}

struct Selection {
    repository: Option<i64>,
    key: &'static str,
    order: CommitterOrder,
}

fn select(params: &Params) -> Selection {
    let repository = params.repository.as_deref().and_then(|r| r.parse().ok());
    let (key, _, order) = COLUMNS.iter().find(|(key, _, _)| Some(*key) == params.sort.as_deref()).copied().unwrap_or((
        "commits",
        "Commits",
        CommitterOrder::Commits,
    ));
    Selection { repository, key, order }
}

fn query_string(repository: Option<i64>, sort: &str) -> String {
    match repository {
        Some(id) => format!("repository={id}&sort={sort}"),
        None => format!("sort={sort}"),
    }
}

async fn load(state: &AppState, selection: &Selection) -> Result<(activity::Range, Vec<Committer>), Response> {
    let unavailable = |err: &dyn std::fmt::Display| {
        tracing::error!(error = %err, "committers");
        pages::message(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "The database is busy; try again shortly.")
    };
    let range = committers_range(&state.db, selection.repository, None, None)
        .await
        .map_err(|e| unavailable(&e.message().to_owned()))?;
    let list = activity::committers(&state.db, range, selection.order).await.map_err(|e| unavailable(&e))?;
    Ok((range, list))
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> Response {
    let selection = select(&params);
    let (range, committers) = match load(&state, &selection).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let scope = match selection.repository {
        Some(id) => repositories::get(&state.db, id).await.ok().map(|r| r.name),
        None => None,
    };
    let query = query_string(selection.repository, selection.key);
    let page = CommittersPage {
        user: identity.user.display_name().to_owned(),
        scope,
        since: range.since.to_string(),
        until: range.until.to_string(),
        columns: COLUMNS
            .iter()
            .map(|(key, label, _)| Column {
                label,
                href: format!("/committers?{}", query_string(selection.repository, key)),
                current: *key == selection.key,
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
    let (_, committers) = match load(&state, &select(&params)).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["name", "email", "commits", "insertions", "deletions", "first_day", "last_day", "active_days"];
    let mut result = writer.write_record(header);
    for c in &committers {
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
    let (_, committers) = match load(&state, &select(&params)).await {
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
