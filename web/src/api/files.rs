//! `/repositories/{id}/files` and `/files`: a folder's files and sub-folders with what
//! happened to each in a range, the rows the Files page shows (`queries::tree`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use gitdash_shared::queries::{files::normal_path, repositories, tree};
use poem_openapi::{Object, OpenApi, param::Path, param::Query, payload::Json};

use super::{day::Day, tags::ApiTags};
use crate::{
    auth::Identity,
    error::ApiError,
    state::AppState,
    view::{RangeChoice, ViewRequest},
};

pub struct FilesApi {
    pub state: Arc<AppState>,
}

/// One file or folder of the folder asked for.
#[derive(Object)]
pub struct FileEntry {
    /// The name inside the folder.
    pub name: String,
    /// The whole path, as `path` takes it.
    pub path: String,
    pub is_folder: bool,
    /// Commits that changed it (or something under it) in the range.
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
    /// People who changed it, after .mailmap.
    pub authors: i64,
    pub last_change: DateTime<Utc>,
    /// A file's language, or the language with the most changed lines under a folder.
    pub language: Option<String>,
}

impl From<tree::Entry> for FileEntry {
    fn from(e: tree::Entry) -> Self {
        Self {
            name: e.name,
            path: e.path,
            is_folder: e.is_folder,
            commits: e.commits,
            insertions: e.insertions,
            deletions: e.deletions,
            authors: e.authors,
            last_change: e.last_change,
            language: e.language,
        }
    }
}

#[OpenApi(tag = "ApiTags::Files")]
impl FilesApi {
    /// A folder's files and sub-folders in one repository, most commits first: all time
    /// unless dates are given; bots and vendored or generated paths left out unless asked.
    #[oai(path = "/repositories/:id/files", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn repository_files(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// The folder (`web/src`); the top when absent.
        path: Query<Option<String>>,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        include_bots: Query<Option<bool>>,
        include_vendored: Query<Option<bool>>,
    ) -> Result<Json<Vec<FileEntry>>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.entries(Some(id.0), path.0, since.0, until.0, include_bots.0, include_vendored.0).await
    }

    /// The same across every repository: entries of the same path are counted together.
    #[oai(path = "/files", method = "get")]
    async fn all_files(
        &self,
        _identity: Identity,
        /// The folder (`web/src`); the top when absent.
        path: Query<Option<String>>,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        include_bots: Query<Option<bool>>,
        include_vendored: Query<Option<bool>>,
    ) -> Result<Json<Vec<FileEntry>>, ApiError> {
        self.entries(None, path.0, since.0, until.0, include_bots.0, include_vendored.0).await
    }
}

impl FilesApi {
    async fn entries(
        &self,
        repository: Option<i64>,
        path: Option<String>,
        since: Option<Day>,
        until: Option<Day>,
        include_bots: Option<bool>,
        include_vendored: Option<bool>,
    ) -> Result<Json<Vec<FileEntry>>, ApiError> {
        let request = ViewRequest {
            repository,
            preset: None,
            since: since.map(|day| day.0),
            until: until.map(|day| day.0),
            include_merges: false,
            include_bots: include_bots.unwrap_or(false),
            // The files API takes its folder as the tree's position, not as a filter.
            path: None,
            prefer_range_with_data: false,
        };
        let view = request.resolve(&self.state, RangeChoice::All).await?;
        if view.since > view.until {
            return Err(ApiError::invalid("since is after until"));
        }
        let folder = path.as_deref().and_then(normal_path);
        let kept = self
            .state
            .aggregates
            .folder(&self.state.db, &view.range, folder, include_vendored.unwrap_or(false))
            .await?;
        Ok(Json(kept.0.iter().cloned().map(FileEntry::from).collect()))
    }
}
