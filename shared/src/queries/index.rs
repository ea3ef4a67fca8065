//! The writes of a sync: what the worker stores after reading a repository's history.
//! Every write is idempotent, so a sync that is cut off and run again never duplicates or
//! loses a commit.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    sea_query::Expr,
};

use crate::{
    db::WriteTurns,
    entities::{commit, repository, tag},
    error::QueryError,
    queries::StoredIdentity,
    queries::now,
};

/// Rows per INSERT: 17 columns x 500 stays under SQLite's and PostgreSQL's parameter limits.
const INSERT_CHUNK: usize = 500;
const DELETE_CHUNK: usize = 500;

/// One commit as read from Git, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommit {
    pub sha: String,
    /// The parents' full shas, in order.
    pub parents: Vec<String>,
    pub author_name: String,
    pub author_email: String,
    pub original_author_name: String,
    pub original_author_email: String,
    pub authored_at: DateTime<Utc>,
    pub author_utc_offset_minutes: i32,
    pub committer_name: String,
    pub committer_email: String,
    pub committed_at: DateTime<Utc>,
    pub summary: String,
    pub message: String,
    /// `None` for merges.
    pub stats: Option<LineStats>,
    /// The paths it changed; none for merges.
    pub files: Vec<crate::queries::files::FileChange>,
    /// The files it renamed (each also among `files`, deleted and added).
    pub renames: Vec<crate::queries::files::Rename>,
    /// The people its `Co-authored-by:` trailers name.
    pub coauthors: Vec<crate::queries::coauthors::CoAuthor>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineStats {
    pub files_changed: i32,
    pub insertions: i64,
    pub deletions: i64,
    /// Lines added plus removed in generated paths (lock files, bundles, vendored code).
    pub generated_lines: i64,
}

/// The shas already stored for a repository.
pub async fn existing_shas(db: &impl ConnectionTrait, repository_id: i64) -> Result<HashSet<String>, QueryError> {
    let shas: Vec<String> = commit::Entity::find()
        .select_only()
        .column(commit::Column::Sha)
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(shas.into_iter().collect())
}

/// Stores `commits` and the files they changed, skipping any already there, a transaction
/// per chunk, each in turn. Returns how many commit rows were new.
pub async fn insert_commits(
    db: &DatabaseConnection,
    turns: &WriteTurns,
    repository_id: i64,
    commits: &[NewCommit],
    paths: &mut crate::queries::files::PathIds,
) -> Result<u64, QueryError> {
    let mut inserted = 0;
    for chunk in commits.chunks(INSERT_CHUNK) {
        let rows = chunk.iter().map(|c| commit::ActiveModel {
            repository_id: Set(repository_id),
            sha: Set(c.sha.clone()),
            parent_count: Set(c.parents.len() as i32),
            parents: Set(Some(c.parents.join(" "))),
            author_name: Set(c.author_name.clone()),
            author_email: Set(c.author_email.clone()),
            original_author_name: Set(c.original_author_name.clone()),
            original_author_email: Set(c.original_author_email.clone()),
            authored_at: Set(c.authored_at),
            author_utc_offset_minutes: Set(c.author_utc_offset_minutes),
            author_weekday_hour: Set(crate::queries::stats::weekday_hour(c.authored_at, c.author_utc_offset_minutes)),
            committer_name: Set(c.committer_name.clone()),
            committer_email: Set(c.committer_email.clone()),
            committed_at: Set(c.committed_at),
            summary: Set(c.summary.clone()),
            message: Set(c.message.clone()),
            files_changed: Set(c.stats.map(|s| s.files_changed)),
            insertions: Set(c.stats.map(|s| s.insertions)),
            deletions: Set(c.stats.map(|s| s.deletions)),
            generated_lines: Set(c.stats.map(|s| s.generated_lines)),
            ..Default::default()
        });
        let _turn = turns.take().await;
        let txn = crate::db::begin_write(db).await?;
        let result = commit::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([commit::Column::RepositoryId, commit::Column::Sha])
            .exec_without_returning(&txn)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(n) = result {
            inserted += n;
        }
        let files: Vec<crate::queries::files::CommitFiles<'_>> = chunk
            .iter()
            .filter(|c| !c.files.is_empty())
            .map(|c| crate::queries::files::CommitFiles { sha: &c.sha, files: &c.files, renames: &c.renames })
            .collect();
        crate::queries::files::insert(&txn, repository_id, paths, &files).await?;
        let coauthors: Vec<(&str, &[crate::queries::coauthors::CoAuthor])> =
            chunk.iter().map(|c| (c.sha.as_str(), c.coauthors.as_slice())).collect();
        crate::queries::coauthors::insert(&txn, repository_id, &coauthors).await?;
        txn.commit().await?;
    }
    Ok(inserted)
}

/// Removes commits no longer reachable (after a force push). Returns how many went.
pub async fn delete_commits(
    db: &impl ConnectionTrait,
    turns: &WriteTurns,
    repository_id: i64,
    shas: &[String],
) -> Result<u64, QueryError> {
    let mut deleted = 0;
    for chunk in shas.chunks(DELETE_CHUNK) {
        let _turn = turns.take().await;
        let result = commit::Entity::delete_many()
            .filter(commit::Column::RepositoryId.eq(repository_id))
            .filter(commit::Column::Sha.is_in(chunk.iter().cloned()))
            .exec(db)
            .await?;
        deleted += result.rows_affected;
    }
    Ok(deleted)
}

/// What a sync fills in for rows stored before a column existed (see the migration
/// `m20261202_000009_commit_details`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// `parents`, for every commit.
    Parents,
    /// `generated_lines`, for every commit but merges.
    GeneratedLines,
}

impl Detail {
    fn column(self) -> commit::Column {
        match self {
            Detail::Parents => commit::Column::Parents,
            Detail::GeneratedLines => commit::Column::GeneratedLines,
        }
    }
}

/// The shas of the repository's commits still without `detail`.
pub async fn shas_without(
    db: &impl ConnectionTrait,
    repository_id: i64,
    detail: Detail,
) -> Result<Vec<String>, QueryError> {
    let mut query = commit::Entity::find()
        .select_only()
        .column(commit::Column::Sha)
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .filter(detail.column().is_null());
    if detail == Detail::GeneratedLines {
        query = query.filter(commit::Column::ParentCount.lte(1));
    }
    Ok(query.into_tuple().all(db).await?)
}

/// Records each commit's parents (sha, parents' shas).
pub async fn set_parents(
    db: &DatabaseConnection,
    repository_id: i64,
    parents: Vec<(String, Vec<String>)>,
) -> Result<(), QueryError> {
    let values = parents.into_iter().map(|(sha, parents)| (sha, sea_orm::Value::from(parents.join(" "))));
    set_each(db, repository_id, Detail::Parents, values.collect()).await
}

/// Records each commit's lines in generated paths (sha, lines).
pub async fn set_generated_lines(
    db: &DatabaseConnection,
    repository_id: i64,
    lines: Vec<(String, i64)>,
) -> Result<(), QueryError> {
    let values = lines.into_iter().map(|(sha, lines)| (sha, sea_orm::Value::from(lines)));
    set_each(db, repository_id, Detail::GeneratedLines, values.collect()).await
}

/// Sets `detail` of each commit (sha, value), a transaction per chunk so other writers are
/// never held up for long.
async fn set_each(
    db: &DatabaseConnection,
    repository_id: i64,
    detail: Detail,
    values: Vec<(String, sea_orm::Value)>,
) -> Result<(), QueryError> {
    for chunk in values.chunks(INSERT_CHUNK) {
        let txn = crate::db::begin_write(db).await?;
        for (sha, value) in chunk {
            commit::Entity::update_many()
                .col_expr(detail.column(), Expr::value(value.clone()))
                .filter(commit::Column::RepositoryId.eq(repository_id))
                .filter(commit::Column::Sha.eq(sha.clone()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// Makes the stored tags exactly `tags` (name, peeled commit sha), each with its commit's
/// time once the commits are stored.
/// Whether the repository's stored tags are exactly `tags` (name and sha).
pub async fn same_tags(
    db: &impl ConnectionTrait,
    repository_id: i64,
    tags: &[(String, String)],
) -> Result<bool, QueryError> {
    let stored: HashSet<(String, String)> = tag::Entity::find()
        .select_only()
        .column(tag::Column::Name)
        .column(tag::Column::Sha)
        .filter(tag::Column::RepositoryId.eq(repository_id))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(stored.len() == tags.len() && tags.iter().all(|tag| stored.contains(tag)))
}

pub async fn replace_tags(
    db: &DatabaseConnection,
    repository_id: i64,
    tags: &[(String, String)],
) -> Result<(), QueryError> {
    let txn = crate::db::begin_write(db).await?;
    tag::Entity::delete_many().filter(tag::Column::RepositoryId.eq(repository_id)).exec(&txn).await?;
    for chunk in tags.chunks(INSERT_CHUNK) {
        let rows = chunk.iter().map(|(name, sha)| tag::ActiveModel {
            repository_id: Set(repository_id),
            name: Set(name.clone()),
            sha: Set(sha.clone()),
            ..Default::default()
        });
        tag::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.execute_raw(tag_times(txn.get_database_backend(), repository_id, false)).await?;
    txn.commit().await?;
    Ok(())
}

/// Gives the tags without a time (their commit was not stored) their commit's time, after
/// new commits were stored.
pub async fn fill_tag_times(db: &impl ConnectionTrait, repository_id: i64) -> Result<(), QueryError> {
    db.execute_raw(tag_times(db.get_database_backend(), repository_id, true)).await?;
    Ok(())
}

/// Sets tags' `committed_at` from their commits: of every tag, or only of those without one.
fn tag_times(backend: sea_orm::DatabaseBackend, repository_id: i64, only_missing: bool) -> sea_orm::Statement {
    let missing = if only_missing { " AND committed_at IS NULL" } else { "" };
    sea_orm::Statement::from_sql_and_values(
        backend,
        format!(
            "UPDATE tags SET committed_at = (SELECT c.committed_at FROM commits c \
             WHERE c.repository_id = tags.repository_id AND c.sha = tags.sha) WHERE repository_id = {}{missing}",
            placeholder(backend, 1)
        ),
        [repository_id.into()],
    )
}

/// The distinct identities commits were recorded with and how each is mapped now (one
/// original can be mapped two ways when a re-map was cut off half way).
pub async fn identities(db: &impl ConnectionTrait, repository_id: i64) -> Result<Vec<StoredIdentity>, QueryError> {
    let rows: Vec<(String, String, String, String)> = commit::Entity::find()
        .select_only()
        .column(commit::Column::OriginalAuthorName)
        .column(commit::Column::OriginalAuthorEmail)
        .column(commit::Column::AuthorName)
        .column(commit::Column::AuthorEmail)
        .distinct()
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(on, oe, n, e)| StoredIdentity { original: (on, oe), mapped: (n, e) }).collect())
}

/// The (mapped) author emails of the commits `ids`.
pub async fn authors_of(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, QueryError> {
    let ids: Vec<i64> = ids.collect();
    let mut authors = std::collections::HashMap::new();
    for chunk in ids.chunks(DELETE_CHUNK) {
        let rows: Vec<(i64, String)> = commit::Entity::find()
            .select_only()
            .column(commit::Column::Id)
            .column(commit::Column::AuthorEmail)
            .filter(commit::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        authors.extend(rows);
    }
    Ok(authors)
}

/// Identities per statement: four parameters each, under both databases' limits.
const REMAP_CHUNK: usize = 200;

/// Gives every commit recorded as one of `changes`' originals its new mapped author: one
/// statement per batch of identities, whatever the number of commits.
pub async fn set_authors(
    db: &DatabaseConnection,
    repository_id: i64,
    changes: &[StoredIdentity],
) -> Result<u64, QueryError> {
    let backend = db.get_database_backend();
    let mut updated = 0;
    for chunk in changes.chunks(REMAP_CHUNK) {
        // Parameters in the order they appear in the text (SQLite's `?` are positional).
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 4 + 1);
        let mut rows = Vec::with_capacity(chunk.len());
        for change in chunk {
            let mut params = Vec::with_capacity(4);
            for text in [&change.original.0, &change.original.1, &change.mapped.0, &change.mapped.1] {
                values.push(text.clone().into());
                params.push(placeholder(backend, values.len()));
            }
            rows.push(format!("({})", params.join(", ")));
        }
        values.push(repository_id.into());
        // VALUES columns are column1..column4 in both SQLite and PostgreSQL.
        let sql = format!(
            "UPDATE commits SET author_name = m.column3, author_email = m.column4 \
             FROM (VALUES {}) AS m \
             WHERE commits.repository_id = {} AND commits.original_author_name = m.column1 \
             AND commits.original_author_email = m.column2",
            rows.join(", "),
            placeholder(backend, values.len())
        );
        let result = db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
        updated += result.rows_affected();
    }
    Ok(updated)
}

fn placeholder(backend: sea_orm::DatabaseBackend, n: usize) -> String {
    match backend {
        sea_orm::DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// Lets PostgreSQL's planner see the rows a large sync wrote (it would otherwise plan, until
/// autovacuum's next analyze, as if the tables were as small as before: a search then reads
/// every match instead of walking the newest commits). SQLite plans without statistics.
pub async fn refresh_statistics(db: &impl ConnectionTrait) -> Result<(), QueryError> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared("ANALYZE commits, tags, activity_daily, activity_authors, activity_hours").await?;
    }
    Ok(())
}

/// Marks the start of a sync's writes: the rows stop being exactly `indexed_head`'s history
/// until [`finish_repository`], and every row, stored or to come, is mapped with
/// `mailmap_sha` (the caller has re-mapped the stored ones first).
pub async fn begin_writing(
    db: &impl ConnectionTrait,
    repository_id: i64,
    mailmap_sha: Option<String>,
) -> Result<(), QueryError> {
    let result = repository::Entity::update_many()
        .col_expr(repository::Column::IndexedHead, Expr::value(Option::<String>::None))
        .col_expr(repository::Column::MailmapSha, Expr::value(mailmap_sha))
        .filter(repository::Column::Id.eq(repository_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(QueryError::NotFound("repository"));
    }
    Ok(())
}

/// Records what the repository now looks like after a successful sync: its rows are now
/// exactly the history of `head_sha` (see [`begin_writing`]).
pub async fn finish_repository(
    db: &impl ConnectionTrait,
    repository_id: i64,
    default_branch: Option<String>,
    head_sha: Option<String>,
    mailmap_sha: Option<String>,
) -> Result<(), QueryError> {
    let result = repository::Entity::update_many()
        .col_expr(repository::Column::DefaultBranch, Expr::value(default_branch))
        .col_expr(repository::Column::HeadSha, Expr::value(head_sha.clone()))
        .col_expr(repository::Column::IndexedHead, Expr::value(head_sha))
        .col_expr(repository::Column::MailmapSha, Expr::value(mailmap_sha))
        .col_expr(repository::Column::LastSyncedAt, Expr::value(now()))
        .filter(repository::Column::Id.eq(repository_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(QueryError::NotFound("repository"));
    }
    Ok(())
}
