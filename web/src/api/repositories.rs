//! `/repositories`: add, list, read, delete, and ask for a sync.

use std::sync::Arc;

use gitdash_shared::{
    jobs,
    queries::repositories::{self, CreateOutcome},
    repo_url::RepoUrl,
};
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};

use super::{ApiTags, NewRepository, Repository, RepositoryConflict, SyncRun};
use crate::{
    app::AppState,
    auth::Identity,
    error::{ApiError, ErrorBody},
};

pub struct RepositoriesApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
pub enum CreateResponse {
    /// Added; its first sync is queued.
    #[oai(status = 201)]
    Created(Json<Box<Repository>>),
    /// This URL was already added.
    #[oai(status = 409)]
    AlreadyExists(Json<RepositoryConflict>),
    /// The URL is refused; `message` says why.
    #[oai(status = 422)]
    Refused(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum SyncResponse {
    /// The queued or running sync of this repository.
    #[oai(status = 202)]
    Accepted(Json<SyncRun>),
}

#[derive(ApiResponse)]
pub enum DeleteResponse {
    /// Deleted, with its commits, tags, sync runs and clone.
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(tag = "ApiTags::Repositories")]
impl RepositoriesApi {
    /// Add a repository by URL and queue its first sync.
    #[oai(path = "/repositories", method = "post")]
    async fn create(&self, identity: Identity, body: Json<NewRepository>) -> Result<CreateResponse, ApiError> {
        let policy = self.state.config.url_policy();
        let url = match RepoUrl::parse(&body.url, policy) {
            Ok(url) => url,
            Err(err) => {
                return Ok(CreateResponse::Refused(Json(ErrorBody { message: err.to_string() })));
            }
        };
        if let Err(err) = url.check_network(policy).await {
            return Ok(CreateResponse::Refused(Json(ErrorBody { message: err.to_string() })));
        }
        let repository = match repositories::create(&self.state.db, &url, &identity.caller).await? {
            CreateOutcome::Created(repository) => repository,
            CreateOutcome::AlreadyExists(existing) => {
                return Ok(CreateResponse::AlreadyExists(Json(RepositoryConflict {
                    message: format!("{} is already added", existing.url),
                    id: existing.id,
                })));
            }
        };
        tracing::info!(repository = repository.id, url = %repository.url, user = identity.user.id, "repository added");
        // A queue outage must not lose the repository: the run is then marked failed with
        // the reason, and a later sync request queues it again.
        let _ = request_sync(&self.state, repository.id).await;
        let detail = repositories::detail(&self.state.db, repository.id).await?;
        Ok(CreateResponse::Created(Json(Box::new(detail.into()))))
    }

    /// List every repository with its commit count and latest sync.
    #[oai(path = "/repositories", method = "get")]
    async fn list(&self, _identity: Identity) -> Result<Json<Vec<Repository>>, ApiError> {
        let details = repositories::list(&self.state.db).await?;
        Ok(Json(details.into_iter().map(Repository::from).collect()))
    }

    /// Read one repository.
    #[oai(path = "/repositories/:id", method = "get")]
    async fn get(&self, _identity: Identity, id: Path<i64>) -> Result<Json<Repository>, ApiError> {
        Ok(Json(repositories::detail(&self.state.db, id.0).await?.into()))
    }

    /// Delete a repository, its indexed history and its clone. Only the person who added
    /// it, or an admin, may.
    #[oai(path = "/repositories/:id", method = "delete")]
    async fn delete(&self, identity: Identity, id: Path<i64>) -> Result<DeleteResponse, ApiError> {
        let repository = repositories::delete(&self.state.db, id.0, &identity.caller).await?;
        let clone = self.state.config.clone_dir(repository.id, &repository.url);
        tokio::task::spawn_blocking(move || {
            if clone.exists()
                && let Err(err) = std::fs::remove_dir_all(&clone)
            {
                tracing::warn!(dir = %clone.display(), %err, "could not remove the clone");
            }
        });
        tracing::info!(repository = repository.id, url = %repository.url, user = identity.user.id, "repository deleted");
        Ok(DeleteResponse::Deleted)
    }

    /// Queue a sync, or return the one already queued or running.
    #[oai(path = "/repositories/:id/syncs", method = "post")]
    async fn sync(&self, _identity: Identity, id: Path<i64>) -> Result<SyncResponse, ApiError> {
        Ok(SyncResponse::Accepted(Json(request_sync(&self.state, id.0).await?.into())))
    }
}

/// Returns the repository's active sync run, queueing a new one (and its job) if needed.
async fn request_sync(
    state: &AppState,
    repository_id: i64,
) -> Result<gitdash_shared::entities::sync_run::Model, ApiError> {
    jobs::request_sync(&state.db, &state.queue, repository_id).await.map_err(|err| match err {
        jobs::RequestSyncError::Query(err) => err.into(),
        jobs::RequestSyncError::QueueUnavailable(_) => {
            ApiError::unavailable("the job queue is unavailable; try again shortly")
        }
    })
}
