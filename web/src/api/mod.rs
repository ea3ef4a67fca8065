//! The REST API under `/api/v1`, described by OpenAPI at `/openapi.json`.

mod activity;
mod commits;
mod coupling;
pub mod dashboard_models;
pub mod day;
mod fast_json;
mod files;
mod models;
mod ownership;
mod person;
mod repositories;
mod syncs;
mod tags;

use std::sync::Arc;

use crate::state::AppState;

pub use models::*;

pub fn apis(
    state: Arc<AppState>,
) -> (
    repositories::RepositoriesApi,
    syncs::SyncsApi,
    commits::CommitsApi,
    activity::ActivityApi,
    files::FilesApi,
    ownership::OwnershipApi,
    person::PersonApi,
    coupling::CouplingApi,
) {
    (
        repositories::RepositoriesApi { state: state.clone() },
        syncs::SyncsApi { state: state.clone() },
        commits::CommitsApi { state: state.clone() },
        activity::ActivityApi { state: state.clone() },
        files::FilesApi { state: state.clone() },
        ownership::OwnershipApi { state: state.clone() },
        person::PersonApi { state: state.clone() },
        coupling::CouplingApi { state },
    )
}
