//! `/repositories`: every repository with its last sync (updated live by `/static/live.js`
//! while one runs), its commit count and last sync time; the add form; sync now; delete
//! after a confirmation page, for the person who added it or an admin. Every form carries
//! the session's CSRF token. `/repositories/{id}` is the repository's own overview.

use std::sync::Arc;

use askama::Template;
use gitdash_shared::{
    entities::sync_run::{self, SyncState},
    queries::repositories::{self, RepositoryDetail},
};
use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Data, Form, Path, Query, Redirect},
};
use serde::Deserialize;

use crate::{
    app::AppState,
    auth::{Identity, guard::tokens_match},
    pages::{message, render},
    repository_actions::{self, Added},
    view::ViewParams,
};

struct Row {
    id: i64,
    name: String,
    url: String,
    commits: u64,
    /// `queued`, `running`, `succeeded`, `failed`, or `never`: the script polls while a row
    /// is queued or running.
    state: &'static str,
    sync: String,
    last_synced: String,
    may_delete: bool,
}

#[derive(Template)]
#[template(path = "repositories.html")]
struct RepositoriesPage {
    user: String,
    csrf_token: String,
    repositories: Vec<Row>,
    /// What the add form was given, and why it was refused.
    url: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "delete_repository.html")]
struct DeletePage {
    user: String,
    csrf_token: String,
    id: i64,
    name: String,
    url: String,
    commits: u64,
}

/// A sync run in words, as the page shows it and as `live.js` writes it again.
pub fn describe(run: &sync_run::Model) -> String {
    match run.state {
        SyncState::Queued if run.attempt > 0 => match &run.error {
            Some(error) => format!("waiting to retry: {error}"),
            None => "queued".to_owned(),
        },
        SyncState::Queued => "queued".to_owned(),
        SyncState::Running => {
            format!("syncing: {} ({}%)", run.phase.as_deref().unwrap_or("starting"), run.progress)
        }
        SyncState::Succeeded => format!("synced: +{} −{} commits", run.commits_added, run.commits_removed),
        SyncState::Failed => format!("failed: {}", run.error.as_deref().unwrap_or("no reason given")),
    }
}

fn csrf_token(identity: &Identity) -> String {
    identity.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default()
}

fn unavailable(err: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %err, "repositories page");
    message(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "The database is busy; try again shortly.")
}

fn row(detail: RepositoryDetail, identity: &Identity) -> Row {
    Row {
        id: detail.repository.id,
        may_delete: repositories::may_delete(&detail.repository, &identity.caller),
        name: detail.repository.name,
        url: detail.repository.url,
        commits: detail.commit_count,
        state: detail.latest_sync.as_ref().map_or("never", |run| run.state.as_str()),
        sync: detail.latest_sync.as_ref().map_or_else(|| "never synced".to_owned(), describe),
        last_synced: detail
            .repository
            .last_synced_at
            .map_or_else(|| "never".to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string()),
    }
}

async fn list_view(
    state: &AppState,
    identity: &Identity,
    status: StatusCode,
    url: String,
    error: Option<String>,
) -> Response {
    match repositories::list(&state.db).await {
        Ok(list) => render(
            status,
            &RepositoriesPage {
                user: identity.user.display_name().to_owned(),
                csrf_token: csrf_token(identity),
                repositories: list.into_iter().map(|detail| row(detail, identity)).collect(),
                url,
                error,
            },
        ),
        Err(err) => unavailable(&err),
    }
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>) -> Response {
    list_view(&state, &identity, StatusCode::OK, String::new(), None).await
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf_token: Option<String>,
    url: String,
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf_token: Option<String>,
}

/// Page forms prove they came from a gitdash page with the session's token.
fn from_our_page(identity: &Identity, token: Option<&str>) -> Result<(), Response> {
    let expected = csrf_token(identity);
    if token.is_some_and(|t| !expected.is_empty() && tokens_match(t, &expected)) {
        Ok(())
    } else {
        Err(message(StatusCode::FORBIDDEN, "Refused", "This form did not come from a gitdash page."))
    }
}

/// The add form: on success back to the list (post/redirect/get); a refused URL is shown
/// with the reason next to the form.
#[handler]
pub async fn add(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Form(form): Form<AddForm>) -> Response {
    if let Err(refused) = from_our_page(&identity, form.csrf_token.as_deref()) {
        return refused;
    }
    match repository_actions::add_repository(&state, &identity, form.url.trim()).await {
        Ok(Added::Created(_)) => Redirect::see_other("/repositories").into_response(),
        Ok(Added::AlreadyExists(existing)) => {
            let error = format!("{} is already added.", existing.url);
            list_view(&state, &identity, StatusCode::CONFLICT, form.url, Some(error)).await
        }
        Ok(Added::Refused(reason)) => {
            list_view(&state, &identity, StatusCode::UNPROCESSABLE_ENTITY, form.url, Some(reason)).await
        }
        Err(err) => message(err.status(), "Not added", err.message()),
    }
}

/// "Sync now": queues a sync (or finds the one pending) and goes back to the list.
#[handler]
pub async fn sync_now(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Err(refused) = from_our_page(&identity, form.csrf_token.as_deref()) {
        return refused;
    }
    match repository_actions::request_sync(&state, id).await {
        Ok(_) => Redirect::see_other("/repositories").into_response(),
        Err(err) => message(err.status(), "Not synced", err.message()),
    }
}

/// The confirmation page: says what deleting removes, and asks.
#[handler]
pub async fn confirm_delete(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Path(id): Path<i64>) -> Response {
    let detail = match repositories::detail(&state.db, id).await {
        Ok(detail) => detail,
        Err(gitdash_shared::QueryError::NotFound(_)) => {
            return message(StatusCode::NOT_FOUND, "Not found", "There is no repository with this number.");
        }
        Err(err) => return unavailable(&err),
    };
    if !repositories::may_delete(&detail.repository, &identity.caller) {
        return message(
            StatusCode::FORBIDDEN,
            "Not yours to delete",
            "Only the person who added this repository, or an admin, may delete it.",
        );
    }
    render(
        StatusCode::OK,
        &DeletePage {
            user: identity.user.display_name().to_owned(),
            csrf_token: csrf_token(&identity),
            id,
            name: detail.repository.name,
            url: detail.repository.url,
            commits: detail.commit_count,
        },
    )
}

#[handler]
pub async fn delete(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Err(refused) = from_our_page(&identity, form.csrf_token.as_deref()) {
        return refused;
    }
    match repository_actions::delete_repository(&state, &identity, id).await {
        Ok(_) => Redirect::see_other("/repositories").into_response(),
        Err(err) => message(err.status(), "Not deleted", err.message()),
    }
}

/// `/repositories/{id}`: the overview of one repository.
#[handler]
pub async fn overview(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Query(mut params): Query<ViewParams>,
) -> Response {
    match repositories::get(&state.db, id).await {
        Ok(_) => {
            params.repository = Some(id.to_string());
            crate::overview::render(&state, identity.user.display_name().to_owned(), &params).await
        }
        Err(gitdash_shared::QueryError::NotFound(_)) => {
            message(StatusCode::NOT_FOUND, "Not found", "There is no repository with this number.")
        }
        Err(err) => unavailable(&err),
    }
}
