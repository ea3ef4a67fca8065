//! `/repositories/{id}/coupling` and `/coupling`: files that keep changing together
//! (`queries::coupling`), as the Files page and a file's page list them.

use std::sync::Arc;

use gitdash_shared::queries::{coupling, files::normal_path, repositories};
use poem_openapi::{Object, OpenApi, param::Path, param::Query, payload::Json};

use super::tags::ApiTags;
use crate::{auth::Identity, error::ApiError, state::AppState};

pub struct CouplingApi {
    pub state: Arc<AppState>,
}

/// The most pairs one answer lists.
const MOST: usize = 500;

/// Two files of the head tree that changed together in at least 5 commits, at least 30 %
/// of either file's commits (commits of more than 30 files left out), all history.
#[derive(Object)]
pub struct CoupledPair {
    /// The file at or under `path` (of two, the first by name).
    pub file: String,
    pub other: String,
    /// Commits that changed both.
    pub commits: i64,
    pub file_commits: i64,
    pub other_commits: i64,
    /// `commits` over the fewer of the two files' commits, 0 to 1.
    pub strength: f64,
}

impl From<coupling::Pair> for CoupledPair {
    fn from(p: coupling::Pair) -> Self {
        Self {
            strength: p.strength(),
            file: p.file,
            other: p.other,
            commits: p.commits,
            file_commits: p.file_commits,
            other_commits: p.other_commits,
        }
    }
}

#[OpenApi(tag = "ApiTags::Files")]
impl CouplingApi {
    /// Files of one repository that change together, strongest first (at most 500), with at
    /// least one at `path` or under it; vendored and generated files left out unless asked.
    #[oai(path = "/repositories/:id/coupling", method = "get")]
    async fn repository_coupling(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// A folder or file (`web/src`); anywhere when absent.
        path: Query<Option<String>>,
        include_vendored: Query<Option<bool>>,
    ) -> Result<Json<Vec<CoupledPair>>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.pairs(Some(id.0), path.0, include_vendored.0).await
    }

    /// The same across every repository.
    #[oai(path = "/coupling", method = "get")]
    async fn all_coupling(
        &self,
        _identity: Identity,
        /// A folder or file (`web/src`); anywhere when absent.
        path: Query<Option<String>>,
        include_vendored: Query<Option<bool>>,
    ) -> Result<Json<Vec<CoupledPair>>, ApiError> {
        self.pairs(None, path.0, include_vendored.0).await
    }
}

impl CouplingApi {
    async fn pairs(
        &self,
        repository: Option<i64>,
        path: Option<String>,
        include_vendored: Option<bool>,
    ) -> Result<Json<Vec<CoupledPair>>, ApiError> {
        let path = path.as_deref().and_then(normal_path);
        let pairs = self
            .state
            .aggregates
            .coupled_pairs(&self.state.db, repository, path, include_vendored.unwrap_or(false), MOST)
            .await?;
        Ok(Json(pairs.into_iter().map(CoupledPair::from).collect()))
    }
}
