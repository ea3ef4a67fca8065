//! What people do to repositories, for the API and the pages alike: add one (the URL is
//! checked against the configured policy, the repository recorded as the caller's, its
//! first sync queued), sync it now, delete it (its rows; the worker removes its clone).

use gitdash_shared::{
    entities::repository,
    jobs,
    queries::repositories::{self, CreateOutcome, RepositoryDetail},
    repo_url::RepoUrl,
};

use crate::{auth::Identity, error::ApiError, state::AppState};

pub enum Added {
    Created(Box<RepositoryDetail>),
    /// This URL (or its `.git` twin) was already added.
    AlreadyExists(repository::Model),
    /// The URL is refused; the text says why.
    Refused(String),
}

pub async fn add_repository(state: &AppState, identity: &Identity, url: &str) -> Result<Added, ApiError> {
    let policy = state.config.url_policy();
    let url = match RepoUrl::parse(url, policy) {
        Ok(url) => url,
        Err(err) => return Ok(Added::Refused(err.to_string())),
    };
    if let Err(err) = url.check_network(policy).await {
        return Ok(Added::Refused(err.to_string()));
    }
    let repository = match repositories::create(&state.db, &url, &identity.caller).await? {
        CreateOutcome::Created(repository) => repository,
        CreateOutcome::AlreadyExists(existing) => return Ok(Added::AlreadyExists(existing)),
    };
    tracing::info!(repository = repository.id, url = %repository.url, user = identity.user.id, "repository added");
    // A queue outage must not lose the repository: its first sync stays queued, and the
    // workers push it again once Redis answers.
    let _ = request_sync(state, repository.id).await;
    Ok(Added::Created(Box::new(repositories::detail(&state.db, repository.id).await?)))
}

/// Returns the repository's active sync run, queueing a new one (and its job) if needed.
pub async fn request_sync(
    state: &AppState,
    repository_id: i64,
) -> Result<gitdash_shared::entities::sync_run::Model, ApiError> {
    jobs::request_sync(&state.db, &state.queue, repository_id).await.map_err(|err| match err {
        jobs::RequestSyncError::Query(err) => err.into(),
        jobs::RequestSyncError::QueueUnavailable(_) => {
            ApiError::unavailable("the job queue is unavailable; the sync stays queued and starts once it is back")
        }
    })
}

/// Deletes a repository the caller may delete (they added it, or they are an admin). Its
/// clone is the worker's: the worker removes clones whose repository is gone.
pub async fn delete_repository(state: &AppState, identity: &Identity, id: i64) -> Result<repository::Model, ApiError> {
    let repository = repositories::delete(&state.db, id, &identity.caller).await?;
    tracing::info!(repository = repository.id, url = %repository.url, user = identity.user.id, "repository deleted");
    Ok(repository)
}
