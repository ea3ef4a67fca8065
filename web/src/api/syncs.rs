//! `/syncs/{id}`: follow a sync run.

use std::sync::Arc;

use gitdash_shared::queries::sync_runs;
use poem_openapi::{OpenApi, param::Path, payload::Json};

use super::{models::SyncRun, tags::ApiTags};
use crate::{auth::Identity, error::ApiError, state::AppState};

pub struct SyncsApi {
    pub state: Arc<AppState>,
}

#[OpenApi(tag = "ApiTags::Syncs")]
impl SyncsApi {
    /// Read a sync run: its state, progress and outcome.
    #[oai(path = "/syncs/:id", method = "get")]
    async fn get(&self, _identity: Identity, id: Path<i64>) -> Result<Json<SyncRun>, ApiError> {
        Ok(Json(sync_runs::get(&self.state.db, id.0).await?.into()))
    }
}
