//! `/repositories`: add, list, read, delete, and ask for a sync.

use std::sync::Arc;

use gitdash_shared::queries::repositories;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};

use super::{
    models::{CredentialSummary, NewCredential, NewRepository, Repository, RepositoryConflict, SyncRun, WebhookSecret},
    tags::ApiTags,
};
use crate::{
    auth::Identity,
    error::{ApiError, ErrorBody},
    repository_actions::{
        Added, add_repository, delete_repository, issue_webhook, remove_credential, request_sync, set_credential,
    },
    state::AppState,
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
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}

#[derive(ApiResponse)]
pub enum CredentialResponse {
    /// Checked against the server and stored.
    #[oai(status = 200)]
    Set(Json<CredentialSummary>),
    /// The credential cannot be used; `message` says why (refused, not found, no key).
    #[oai(status = 422)]
    Refused(Json<ErrorBody>),
}

#[OpenApi(tag = "ApiTags::Repositories")]
impl RepositoriesApi {
    /// Add a repository by URL and queue its first sync.
    #[oai(path = "/repositories", method = "post")]
    async fn create(&self, identity: Identity, body: Json<NewRepository>) -> Result<CreateResponse, ApiError> {
        let credential = body.credential.as_ref().map(NewCredential::given);
        Ok(match add_repository(&self.state, &identity, &body.url, credential.as_ref()).await? {
            Added::Created(detail) => CreateResponse::Created(Json(Box::new((*detail).into()))),
            Added::AlreadyExists(existing) => CreateResponse::AlreadyExists(Json(RepositoryConflict {
                message: format!("{} is already added", existing.url),
                id: existing.id,
            })),
            Added::Refused(message) => CreateResponse::Refused(Json(ErrorBody { message })),
        })
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
        delete_repository(&self.state, &identity, id.0).await?;
        Ok(DeleteResponse::Deleted)
    }

    /// Set or replace the repository's credential, checked against its server first. Only
    /// the person who added it, or an admin, may.
    #[oai(path = "/repositories/:id/credential", method = "put")]
    async fn set_credential(
        &self,
        identity: Identity,
        id: Path<i64>,
        body: Json<NewCredential>,
    ) -> Result<CredentialResponse, ApiError> {
        Ok(match set_credential(&self.state, &identity, id.0, &body.given()).await? {
            Ok(info) => CredentialResponse::Set(Json(info.into())),
            Err(message) => CredentialResponse::Refused(Json(ErrorBody { message })),
        })
    }

    /// Remove the repository's credential: it is fetched anonymously again.
    #[oai(path = "/repositories/:id/credential", method = "delete")]
    async fn remove_credential(&self, identity: Identity, id: Path<i64>) -> Result<DeleteResponse, ApiError> {
        remove_credential(&self.state, &identity, id.0).await?;
        Ok(DeleteResponse::Deleted)
    }

    /// Create the repository's webhook secret, or a new one that replaces it. The answer is
    /// the only time the secret is shown. Only the person who added the repository, or an
    /// admin, may.
    #[oai(path = "/repositories/:id/webhook", method = "post")]
    async fn issue_webhook(&self, identity: Identity, id: Path<i64>) -> Result<Json<WebhookSecret>, ApiError> {
        let issued = issue_webhook(&self.state, &identity, id.0).await?;
        Ok(Json(WebhookSecret { url: issued.url, secret: issued.secret, created_at: issued.created_at }))
    }

    /// Queue a sync, or return the one already queued or running.
    #[oai(path = "/repositories/:id/syncs", method = "post")]
    async fn sync(&self, _identity: Identity, id: Path<i64>) -> Result<SyncResponse, ApiError> {
        Ok(SyncResponse::Accepted(Json(request_sync(&self.state, id.0).await?.into())))
    }
}
