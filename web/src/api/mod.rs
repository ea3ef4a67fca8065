//! The REST API under `/api/v1`, described by OpenAPI at `/openapi.json`.

mod activity;
mod commits;
mod fast_json;
mod models;
mod repositories;
mod syncs;

use std::sync::Arc;

use crate::app::AppState;

pub use models::*;

pub fn apis(
    state: Arc<AppState>,
) -> (repositories::RepositoriesApi, syncs::SyncsApi, commits::CommitsApi, activity::ActivityApi) {
    (
        repositories::RepositoriesApi { state: state.clone() },
        syncs::SyncsApi { state: state.clone() },
        commits::CommitsApi { state: state.clone() },
        activity::ActivityApi { state },
    )
}

#[derive(poem_openapi::Tags)]
pub enum ApiTags {
    /// Git repositories and their syncs.
    Repositories,
    /// Sync runs: one fetch and index of a repository.
    Syncs,
    /// Indexed commits.
    Commits,
    /// Commit history over time.
    Activity,
}
