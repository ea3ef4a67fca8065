//! `/person` and `/file`: one person's history and one file's, the numbers their pages show
//! (`queries::person`, `queries::file`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use gitdash_shared::queries::{file, files::normal_path, person};
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use super::{dashboard_models::MonthCount, day::Day, tags::ApiTags};
use crate::{
    auth::Identity,
    error::ApiError,
    state::AppState,
    view::{RangeChoice, View, ViewRequest},
};

pub struct PersonApi {
    pub state: Arc<AppState>,
}

/// Their work in one repository, all history.
#[derive(Object)]
pub struct PersonRepository {
    pub repository_id: i64,
    pub repository: String,
    /// Non-merge commits, or all with `include_merges=true`.
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
    pub first_day: Day,
    pub last_day: Day,
}

/// A folder of the head tree whose files' lines they changed more than anyone else did.
#[derive(Object)]
pub struct OwnedFolder {
    /// Empty for the files at the top.
    pub folder: String,
    pub lines: i64,
    /// Their part of everyone's changed lines there, 0 to 1.
    pub share: f64,
    pub files: i64,
}

#[derive(Object)]
pub struct PersonReport {
    pub email: String,
    pub name: String,
    pub repositories: Vec<PersonRepository>,
    /// Their commits per month in the range (months without any left out).
    pub months: Vec<MonthCount>,
    pub owned_folders: Vec<OwnedFolder>,
    /// Commits (all history) whose `Co-authored-by:` trailers name them.
    pub co_authored: i64,
}

/// One commit that changed the file.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FileChange {
    pub repository_id: i64,
    pub sha: String,
    /// The file's name in that commit (a former name before a rename).
    pub path: String,
    pub summary: String,
    pub author_email: String,
    pub author_name: String,
    pub committed_at: DateTime<Utc>,
    /// Both absent for a binary file.
    pub insertions: Option<i64>,
    pub deletions: Option<i64>,
}

/// One person's work on the file, all history.
#[derive(Object)]
pub struct FileAuthor {
    pub email: String,
    pub name: String,
    pub commits: i64,
    pub lines: i64,
    pub share: f64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// An author of the file by degree of authorship.
    pub knows_it: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FileReport {
    pub path: String,
    pub language: Option<String>,
    pub vendored: bool,
    /// A file of the head tree.
    pub in_head: bool,
    /// The commits in the range that changed it, under this name or a former one, newest
    /// first.
    pub commits: Vec<FileChange>,
    pub authors: Vec<FileAuthor>,
    /// The names it had before, latest rename first (as `git log --follow` finds them).
    pub former_paths: Vec<FileRename>,
    /// The name a rename gave it, when it is no longer in the head tree under this one.
    pub renamed_to: Option<FileRename>,
}

/// Another name of the file, and the commit that renamed it.
#[derive(Object)]
pub struct FileRename {
    pub path: String,
    pub repository_id: i64,
    pub sha: String,
    pub committed_at: DateTime<Utc>,
}

#[OpenApi(tag = "ApiTags::Files")]
impl PersonApi {
    /// One person (an email after .mailmap) in one repository or all: their repositories,
    /// commits per month in the range (all time unless dates are given) and the folders
    /// they own.
    #[oai(path = "/person", method = "get")]
    async fn person(
        &self,
        _identity: Identity,
        email: Query<String>,
        repository: Query<Option<i64>>,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        include_merges: Query<Option<bool>>,
    ) -> Result<Json<PersonReport>, ApiError> {
        let view = self.view(repository.0, since.0, until.0, include_merges.0.unwrap_or(false), true).await?;
        let db = &self.state.db;
        let email = email.0.trim().to_owned();
        let facts = self.state.aggregates.person(db, &view.range, &email).await?;
        let person::Facts { repositories, months, co_authored, co_author_name, .. } = Arc::unwrap_or_clone(facts);
        if repositories.is_empty() && co_authored == 0 {
            return Err(ApiError::not_found("person"));
        }
        let owned = self.state.aggregates.owned_folders(db, view.repository, &email).await?;
        Ok(Json(PersonReport {
            name: repositories.first().map(|r| r.name.clone()).or(co_author_name).unwrap_or_default(),
            co_authored,
            repositories: repositories
                .into_iter()
                .map(|r| PersonRepository {
                    repository: view.name_of(r.repository_id).unwrap_or_default(),
                    repository_id: r.repository_id,
                    commits: if view.include_merges { r.commits } else { r.commits - r.merges },
                    insertions: r.insertions,
                    deletions: r.deletions,
                    first_day: Day(r.first_day),
                    last_day: Day(r.last_day),
                })
                .collect(),
            months: months.into_iter().map(|(month, count)| MonthCount { month, count }).collect(),
            owned_folders: owned
                .into_iter()
                .map(|f| OwnedFolder { folder: f.folder, lines: f.lines, share: f.share, files: f.files })
                .collect(),
            email,
        }))
    }

    /// One file in one repository or all: what it is, the commits in the range that
    /// changed it (all time unless dates are given), and everyone who changed it.
    #[oai(path = "/file", method = "get")]
    async fn file(
        &self,
        _identity: Identity,
        path: Query<String>,
        repository: Query<Option<i64>>,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        include_bots: Query<Option<bool>>,
    ) -> Result<Json<FileReport>, ApiError> {
        let view = self.view(repository.0, since.0, until.0, false, include_bots.0.unwrap_or(false)).await?;
        let db = &self.state.db;
        let path = normal_path(&path.0).ok_or_else(|| ApiError::invalid("path is empty"))?.to_owned();
        let file::Report { facts, formers, changes, authors, renamed_to } =
            Arc::unwrap_or_clone(self.state.aggregates.file(db, &view.range, &path).await?)
                .ok_or_else(|| ApiError::not_found("file"))?;
        Ok(Json(FileReport {
            former_paths: formers
                .into_iter()
                .map(|f| FileRename {
                    path: f.path,
                    repository_id: f.repository_id,
                    sha: f.renamed_in,
                    committed_at: f.renamed_at,
                })
                .collect(),
            renamed_to: renamed_to.map(|r| FileRename {
                path: r.path,
                repository_id: r.repository_id,
                sha: r.sha,
                committed_at: r.at,
            }),
            path,
            language: facts.language,
            vendored: facts.vendored,
            in_head: facts.in_head,
            commits: changes
                .into_iter()
                .map(|c| FileChange {
                    repository_id: c.repository_id,
                    sha: c.sha,
                    path: c.path,
                    summary: c.summary,
                    author_email: c.author_email,
                    author_name: c.author_name,
                    committed_at: c.committed_at,
                    insertions: c.lines.map(|l| l.0),
                    deletions: c.lines.map(|l| l.1),
                })
                .collect(),
            authors: authors
                .into_iter()
                .map(|a| FileAuthor {
                    email: a.email,
                    name: a.name,
                    commits: a.commits,
                    lines: a.lines,
                    share: a.share,
                    first_at: a.first_at,
                    last_at: a.last_at,
                    knows_it: a.knows_it,
                })
                .collect(),
        }))
    }
}

impl PersonApi {
    async fn view(
        &self,
        repository: Option<i64>,
        since: Option<Day>,
        until: Option<Day>,
        include_merges: bool,
        include_bots: bool,
    ) -> Result<View, ApiError> {
        if let Some(id) = repository {
            gitdash_shared::queries::repositories::get(&self.state.db, id).await?;
        }
        let request = ViewRequest {
            repository,
            since: since.map(|d| d.0),
            until: until.map(|d| d.0),
            include_merges,
            include_bots,
            ..Default::default()
        };
        let view = request.resolve(&self.state, RangeChoice::All).await?;
        if view.since > view.until {
            return Err(ApiError::invalid("since is after until"));
        }
        Ok(view)
    }
}
