//! `/repositories`: every repository with its last sync (updated live by `/static/live.js`
//! while one runs), its commit count and last sync time; the add form; sync now; delete
//! after a confirmation page, for the person who added it or an admin. Every form carries
//! the session's CSRF token. `/repositories/{id}` is the repository's own overview.

use std::sync::Arc;

use askama::Template;
use gitdash_shared::{
    credentials::CredentialKind,
    entities::sync_run::{self, SyncState},
    queries::repositories::{self, RepositoryDetail},
};
use poem::{
    IntoResponse, handler,
    http::StatusCode,
    web::{Data, Form, Path, Query, Redirect},
};
use serde::Deserialize;

use super::{
    error::{PageError, PageResult},
    format::{filters, grouped},
    message::{message, render},
};
use crate::{
    auth::{Identity, guard::tokens_match},
    repository_actions::{self, Added, GivenCredential},
    state::AppState,
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
    /// Fetched with a credential.
    private: bool,
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
        SyncState::Succeeded => {
            format!("synced: +{} −{} commits", grouped(run.commits_added), grouped(run.commits_removed))
        }
        SyncState::Failed => format!("failed: {}", run.error.as_deref().unwrap_or("no reason given")),
    }
}

fn csrf_token(identity: &Identity) -> String {
    identity.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default()
}

fn row(detail: RepositoryDetail, identity: &Identity) -> Row {
    Row {
        id: detail.repository.id,
        may_delete: repositories::may_delete(&detail.repository, &identity.caller),
        private: detail.credential.is_some(),
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
) -> PageResult {
    let list = repositories::list(&state.db).await?;
    Ok(render(
        status,
        &RepositoriesPage {
            user: identity.user.display_name().to_owned(),
            csrf_token: csrf_token(identity),
            repositories: list.into_iter().map(|detail| row(detail, identity)).collect(),
            url,
            error,
        },
    ))
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>) -> PageResult {
    list_view(&state, &identity, StatusCode::OK, String::new(), None).await
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf_token: Option<String>,
    url: String,
    /// An access token for a private repository; empty for a public one.
    token: Option<String>,
    username: Option<String>,
    /// An SSH deploy key, for an ssh:// URL or git@host:path address.
    deploy_key: Option<String>,
    host_key: Option<String>,
}

/// The credential a form gives, if any: a deploy key when one is pasted, else a token.
fn given_credential(
    token: Option<&str>,
    username: Option<&str>,
    deploy_key: Option<&str>,
    host_key: Option<&str>,
) -> Option<GivenCredential> {
    let filled = |text: Option<&str>| text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    if let Some(key) = filled(deploy_key) {
        return Some(GivenCredential {
            kind: CredentialKind::SshKey,
            username: None,
            secret: key,
            host_key: filled(host_key),
        });
    }
    filled(token).map(|token| GivenCredential {
        kind: CredentialKind::Token,
        username: filled(username),
        secret: token,
        host_key: None,
    })
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf_token: Option<String>,
}

/// Page forms prove they came from a gitdash page with the session's token.
fn from_our_page(identity: &Identity, token: Option<&str>) -> Result<(), PageError> {
    let expected = csrf_token(identity);
    if token.is_some_and(|t| !expected.is_empty() && tokens_match(t, &expected)) {
        Ok(())
    } else {
        Err(PageError::Forbidden("This form did not come from a gitdash page.".into()))
    }
}

/// The add form: on success back to the list (post/redirect/get); a refused URL is shown
/// with the reason next to the form.
#[handler]
pub async fn add(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Form(form): Form<AddForm>) -> PageResult {
    from_our_page(&identity, form.csrf_token.as_deref())?;
    let credential = given_credential(
        form.token.as_deref(),
        form.username.as_deref(),
        form.deploy_key.as_deref(),
        form.host_key.as_deref(),
    );
    match repository_actions::add_repository(&state, &identity, form.url.trim(), credential.as_ref()).await? {
        Added::Created(_) => Ok(Redirect::see_other("/repositories").into_response()),
        Added::AlreadyExists(existing) => {
            let error = format!("{} is already added.", existing.url);
            list_view(&state, &identity, StatusCode::CONFLICT, form.url, Some(error)).await
        }
        Added::Refused(reason) => {
            list_view(&state, &identity, StatusCode::UNPROCESSABLE_ENTITY, form.url, Some(reason)).await
        }
    }
}

/// "Sync now": queues a sync (or finds the one pending) and goes back to the list.
#[handler]
pub async fn sync_now(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    from_our_page(&identity, form.csrf_token.as_deref())?;
    repository_actions::request_sync(&state, id).await?;
    Ok(Redirect::see_other("/repositories").into_response())
}

/// The confirmation page: says what deleting removes, and asks.
#[handler]
pub async fn confirm_delete(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Path(id): Path<i64>) -> PageResult {
    let detail = repositories::detail(&state.db, id).await?;
    if !repositories::may_delete(&detail.repository, &identity.caller) {
        return Ok(message(
            StatusCode::FORBIDDEN,
            "Not yours to delete",
            "Only the person who added this repository, or an admin, may delete it.",
        ));
    }
    Ok(render(
        StatusCode::OK,
        &DeletePage {
            user: identity.user.display_name().to_owned(),
            csrf_token: csrf_token(&identity),
            id,
            name: detail.repository.name,
            url: detail.repository.url,
            commits: detail.commit_count,
        },
    ))
}

#[handler]
pub async fn delete(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    from_our_page(&identity, form.csrf_token.as_deref())?;
    repository_actions::delete_repository(&state, &identity, id).await?;
    Ok(Redirect::see_other("/repositories").into_response())
}

/// `/repositories/{id}`: the overview of one repository.
#[handler]
pub async fn overview(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Query(mut params): Query<ViewParams>,
) -> PageResult {
    repositories::get(&state.db, id).await?;
    params.repository = Some(id.to_string());
    super::overview::render(&state, identity.user.display_name().to_owned(), &params).await
}

#[derive(Template)]
#[template(path = "credential.html")]
struct CredentialPage {
    user: String,
    csrf_token: String,
    id: i64,
    name: String,
    url: String,
    /// "token set on 2026-12-02 10:00 UTC", or `None` for a public repository.
    current: Option<String>,
    /// The host key a deploy key trusts.
    host_key: Option<String>,
    /// Fetched over SSH: the form asks for a deploy key rather than a token.
    ssh: bool,
    error: Option<String>,
    has_webhook: bool,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    user: String,
    name: String,
    url: String,
    secret: String,
}

/// Makes the repository's webhook secret (a new one replaces the last) and shows it once.
#[handler]
pub async fn issue_webhook(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    from_our_page(&identity, form.csrf_token.as_deref())?;
    let issued = repository_actions::issue_webhook(&state, &identity, id).await?;
    let repository = repositories::get(&state.db, id).await?;
    Ok(render(
        StatusCode::OK,
        &WebhookPage {
            user: identity.user.display_name().to_owned(),
            name: repository.name,
            url: issued.url,
            secret: issued.secret,
        },
    ))
}

async fn credential_view(
    state: &AppState,
    identity: &Identity,
    id: i64,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let repository = gitdash_shared::queries::managed_repository(&state.db, id, &identity.caller, "credential").await?;
    let has_webhook = gitdash_shared::queries::webhooks::current(&state.db, id).await?.is_some();
    let info = gitdash_shared::queries::credentials::info(&state.db, id).await?;
    let host_key = info.as_ref().and_then(|c| c.host_key.clone());
    let current = info.map(|c| {
        let kind = if c.kind == CredentialKind::SshKey.as_str() { "deploy key (SSH)" } else { c.kind.as_str() };
        format!("{kind} set on {}", c.set_at.format("%Y-%m-%d %H:%M UTC"))
    });
    Ok(render(
        status,
        &CredentialPage {
            user: identity.user.display_name().to_owned(),
            csrf_token: csrf_token(identity),
            id,
            name: repository.name,
            ssh: repository.url.starts_with("ssh://"),
            url: repository.url,
            current,
            host_key,
            error,
            has_webhook,
        },
    ))
}

/// `/repositories/{id}/credential`: what the repository is fetched with, and forms to
/// replace or remove it.
#[handler]
pub async fn credential_page(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
) -> PageResult {
    credential_view(&state, &identity, id, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct CredentialForm {
    csrf_token: Option<String>,
    token: Option<String>,
    username: Option<String>,
    deploy_key: Option<String>,
    host_key: Option<String>,
}

/// Sets or replaces the credential after checking it; a refused one is shown with the reason.
#[handler]
pub async fn set_credential(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Form(form): Form<CredentialForm>,
) -> PageResult {
    from_our_page(&identity, form.csrf_token.as_deref())?;
    let Some(given) = given_credential(
        form.token.as_deref(),
        form.username.as_deref(),
        form.deploy_key.as_deref(),
        form.host_key.as_deref(),
    ) else {
        let reason = "Give an access token or a deploy key.".to_owned();
        return credential_view(&state, &identity, id, StatusCode::UNPROCESSABLE_ENTITY, Some(reason)).await;
    };
    match repository_actions::set_credential(&state, &identity, id, &given).await? {
        Ok(_) => Ok(Redirect::see_other("/repositories").into_response()),
        Err(reason) => credential_view(&state, &identity, id, StatusCode::UNPROCESSABLE_ENTITY, Some(reason)).await,
    }
}

#[handler]
pub async fn remove_credential(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    from_our_page(&identity, form.csrf_token.as_deref())?;
    repository_actions::remove_credential(&state, &identity, id).await?;
    Ok(Redirect::see_other("/repositories").into_response())
}
