//! Keeping the summaries the dashboard reads (`activity_daily`, `activity_authors`,
//! `activity_hours`, `path_authors`, `file_pairs`, `language_months`) in line with the
//! commits: rebuilt whole after a rewrite or a re-map, updated for the days, people and
//! paths new commits touched after a push.
//!
//! A whole rebuild is written in pieces (ranges of months, people or paths, each its own
//! short transaction, see [`pieces`]): on git/git one transaction held SQLite's write lock
//! for seconds, and on a million commits for half a minute, long enough for the sync's own
//! lease renewal to give up. While a rebuild runs, a reader may see some ranges rebuilt and
//! others not; the web drops what it kept when the sync ends.

mod pieces;
mod statements;

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use self::{
    pieces::{at_once, in_pieces},
    statements::{Narrow, Sql},
};
use crate::{
    db::WriteTurns,
    entities::{activity_author, commit, path},
    error::QueryError,
    queries::index::NewCommit,
};

/// Past this many days or people, one whole rebuild costs less than the lists.
const MOST_TOUCHED: usize = 500;

/// Commits changing more files than this say nothing about which files belong together
/// (a rename of a folder, a reformatting): change coupling leaves them out.
pub const COUPLED_FILES: i64 = 30;

/// What new commits touched: their days (UTC, by commit time), authors (after .mailmap)
/// and paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    days: BTreeSet<NaiveDate>,
    authors: BTreeSet<String>,
    paths: BTreeSet<String>,
}

impl Touched {
    pub fn add(&mut self, commits: &[NewCommit]) {
        for commit in commits {
            self.days.insert(commit.committed_at.date_naive());
            self.authors.insert(commit.author_email.clone());
            self.paths.extend(commit.files.iter().map(|f| f.path.clone()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// Rebuilds a repository's summaries from its commits, in pieces.
pub async fn rebuild(db: &DatabaseConnection, turns: &WriteTurns, repository_id: i64) -> Result<(), QueryError> {
    let backend = db.get_database_backend();
    let sql = || Sql::new(backend, repository_id);
    let months = months(db, repository_id).await?;
    in_pieces(db, turns, &months, |from, until| {
        statements::activity_daily(&mut sql(), &Narrow::Between(from, until)).into()
    })
    .await?;
    at_once(db, turns, statements::activity_authors(&mut sql(), &Narrow::All)).await?;
    let people = people(db, repository_id).await?;
    in_pieces(db, turns, &people, |from, until| {
        statements::activity_hours(&mut sql(), &Narrow::Between(from, until)).into()
    })
    .await?;
    let paths = path_ids(db, repository_id).await?;
    in_pieces(db, turns, &paths, |from, until| {
        statements::path_authors(&mut sql(), &Narrow::Between(from, until)).into()
    })
    .await?;
    in_pieces(db, turns, &paths, |from, until| {
        statements::file_pairs(&mut sql(), &Narrow::Between(from, until)).into()
    })
    .await?;
    rebuild_languages_of(db, turns, repository_id, &months).await
}

/// Brings the summaries up to date after `touched` commits were added to a repository whose
/// summaries were whole before: only the touched days' rows and the touched people's and
/// paths' rows are computed again, in one transaction.
pub async fn update(
    db: &DatabaseConnection,
    turns: &WriteTurns,
    repository_id: i64,
    touched: &Touched,
) -> Result<(), QueryError> {
    if touched.is_empty() {
        return Ok(());
    }
    if touched.days.len() > MOST_TOUCHED || touched.authors.len() > MOST_TOUCHED || touched.paths.len() > MOST_TOUCHED {
        return rebuild(db, turns, repository_id).await;
    }
    let mut sql = Sql::new(db.get_database_backend(), repository_id);
    let (days, people, paths) =
        (Narrow::Listed(&touched.days), Narrow::Listed(&touched.authors), Narrow::Listed(&touched.paths));
    let statements = [
        statements::activity_daily(&mut sql, &days),
        statements::activity_authors(&mut sql, &people),
        statements::activity_hours(&mut sql, &people),
        statements::path_authors(&mut sql, &paths),
        statements::file_pairs(&mut sql, &paths),
        statements::language_months(&mut sql, &days),
    ];
    at_once(db, turns, statements.into_iter().flatten()).await
}

/// Builds a repository's `language_months` again, whole: after the vendored marks of its
/// paths changed (a `.gitattributes` edit, a changed setting).
pub async fn rebuild_languages(
    db: &DatabaseConnection,
    turns: &WriteTurns,
    repository_id: i64,
) -> Result<(), QueryError> {
    let months = months(db, repository_id).await?;
    rebuild_languages_of(db, turns, repository_id, &months).await
}

async fn rebuild_languages_of(
    db: &DatabaseConnection,
    turns: &WriteTurns,
    repository_id: i64,
    months: &[NaiveDate],
) -> Result<(), QueryError> {
    let backend = db.get_database_backend();
    in_pieces(db, turns, months, |from, until| {
        statements::language_months(&mut Sql::new(backend, repository_id), &Narrow::Between(from, until)).into()
    })
    .await
}

/// The first day of every month from the repository's first commit to its last (UTC).
async fn months(db: &DatabaseConnection, repository_id: i64) -> Result<Vec<NaiveDate>, QueryError> {
    type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let span: Option<Span> = commit::Entity::find()
        .select_only()
        .expr(Expr::col(commit::Column::CommittedAt).min())
        .expr(Expr::col(commit::Column::CommittedAt).max())
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .into_tuple()
        .one(db)
        .await?;
    let Some((Some(first), Some(last))) = span else {
        return Ok(Vec::new());
    };
    let mut months = Vec::new();
    let mut month = first.date_naive().with_day(1);
    let last = last.date_naive();
    while let Some(start) = month.filter(|m| *m <= last) {
        months.push(start);
        month = start.checked_add_months(Months::new(1));
    }
    Ok(months)
}

/// The repository's people, in the database's order (once `activity_authors` is whole).
async fn people(db: &DatabaseConnection, repository_id: i64) -> Result<Vec<String>, QueryError> {
    Ok(activity_author::Entity::find()
        .select_only()
        .column(activity_author::Column::AuthorEmail)
        .filter(activity_author::Column::RepositoryId.eq(repository_id))
        .order_by_asc(activity_author::Column::AuthorEmail)
        .into_tuple()
        .all(db)
        .await?)
}

async fn path_ids(db: &DatabaseConnection, repository_id: i64) -> Result<Vec<i64>, QueryError> {
    Ok(path::Entity::find()
        .select_only()
        .column(path::Column::Id)
        .filter(path::Column::RepositoryId.eq(repository_id))
        .order_by_asc(path::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}
