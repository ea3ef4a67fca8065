//! Reading a repository's commits: filters, search and keyset pagination, newest first.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr},
};

use crate::{
    entities::commit,
    error::QueryError,
    queries::{
        aggregates::Aggregates,
        commits_under::{self, CommitsUnder},
        files::{commits_changing, normal_path},
        filters::{Filters, Under},
    },
};

pub const MAX_PAGE: u64 = 500;
pub const DEFAULT_PAGE: u64 = 50;

/// What a caller may filter commits by. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct CommitFilter {
    /// Part of the author's name or email, any case.
    pub author: Option<String>,
    /// Commit date bounds, inclusive, as `git log --since/--until` use them.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Words the message holds, each as the start of one of its words, any case (see
    /// [`message_words`]), or a prefix of the sha.
    pub q: Option<String>,
    /// A file or folder (`web/src`): only commits that changed it or something under it.
    pub path: Option<String>,
    /// Merges and bots to leave out; by default nothing is.
    pub filters: Filters,
}

/// Where the previous page ended: the last commit's date and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub committed_at_micros: i64,
    pub id: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this server gave out")]
pub struct BadCursor;

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.committed_at_micros, self.id)
    }

    pub fn decode(text: &str) -> Result<Self, BadCursor> {
        let (time, id) = text.split_once('.').ok_or(BadCursor)?;
        Ok(Self { committed_at_micros: time.parse().map_err(|_| BadCursor)?, id: id.parse().map_err(|_| BadCursor)? })
    }
}

pub struct CommitPage {
    pub commits: Vec<commit::Model>,
    /// Present when more commits follow.
    pub next_cursor: Option<Cursor>,
}

pub async fn count(db: &impl ConnectionTrait, repository_id: i64) -> Result<u64, QueryError> {
    Ok(commit::Entity::find().filter(commit::Column::RepositoryId.eq(repository_id)).count(db).await?)
}

/// How a query over the selected commits reads them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Newest first, a page at a time: along the (repository, time) index.
    Page,
    /// All of them, to count: a search's matches are looked up one by one (on SQLite the
    /// repository index would otherwise be scanned whole and each row checked against them).
    Count,
}

/// The commits `filter` selects, of one repository or (`None`) of all of them.
fn selected(
    backend: DatabaseBackend,
    repository_id: Option<i64>,
    filter: &CommitFilter,
    reading: Reading,
) -> sea_orm::Select<commit::Entity> {
    let mut query = commit::Entity::find();
    let searching = filter.q.as_deref().is_some_and(|q| !message_words(q).is_empty());
    if let Some(id) = repository_id {
        query = if reading == Reading::Count && searching && backend == DatabaseBackend::Sqlite {
            // `+` keeps SQLite from choosing the repository's index for this term.
            query.filter(Expr::cust_with_values("+commits.repository_id = ?", [id]))
        } else {
            query.filter(commit::Column::RepositoryId.eq(id))
        };
    }
    query = query.filter(filter.filters.on_commits());
    if let Some(author) = filter.author.as_deref().filter(|a| !a.is_empty()) {
        let pattern = contains_pattern(author);
        query = query.filter(
            Condition::any()
                .add(lower(commit::Column::AuthorName).like(pattern.clone()))
                .add(lower(commit::Column::AuthorEmail).like(pattern)),
        );
    }
    if let Some(since) = filter.since {
        query = query.filter(commit::Column::CommittedAt.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(commit::Column::CommittedAt.lte(until));
    }
    if let Some(path) = filter.path.as_deref().and_then(normal_path) {
        query = query.filter(commit::Column::Id.in_subquery(commits_changing(repository_id, path)));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let mut any = Condition::any().add(message_matches(backend, q));
        if let Some((low, high)) = sha_prefix_range(q) {
            any = any.add(Condition::all().add(commit::Column::Sha.gte(low)).add(commit::Column::Sha.lt(high)));
        }
        query = query.filter(any);
    }
    query
}

/// The kept list of the commits under the filter's path, when the path is all that narrows
/// them beyond days, merges and bots.
async fn kept_under(
    db: &impl ConnectionTrait,
    kept: &Aggregates,
    repository_id: Option<i64>,
    filter: &CommitFilter,
) -> Result<Option<std::sync::Arc<CommitsUnder>>, QueryError> {
    let Some(under) = filter.path.as_deref().and_then(|path| Under::new(repository_id, path)) else {
        return Ok(None);
    };
    if !CommitsUnder::answers(filter, &under) {
        return Ok(None);
    }
    Ok(Some(kept.commits_under(db, &under).await?))
}

fn cursor_time(cursor: Cursor) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(cursor.committed_at_micros).unwrap_or_default()
}

fn cursor_of(c: &commit::Model) -> Cursor {
    Cursor { committed_at_micros: c.committed_at.timestamp_micros(), id: c.id }
}

/// How many commits `filter` selects, counted up to `at_most + 1`: past that, only "more"
/// is known, so a common word costs a page rather than its every match.
pub async fn count_matching(
    db: &impl ConnectionTrait,
    kept: &Aggregates,
    repository_id: Option<i64>,
    filter: &CommitFilter,
    at_most: u64,
) -> Result<u64, QueryError> {
    if let Some(under) = kept_under(db, kept, repository_id, filter).await? {
        return Ok(Ord::min(under.count(filter), at_most.saturating_add(1)));
    }
    Ok(selected(db.get_database_backend(), repository_id, filter, Reading::Count)
        .select_only()
        .column(commit::Column::Id)
        // Databases take a signed limit.
        .limit(Ord::min(at_most.saturating_add(1), i64::MAX as u64))
        .count(db)
        .await?)
}

/// A page of commits, newest first, of one repository or (`None`) of all of them.
pub async fn list(
    db: &impl ConnectionTrait,
    kept: &Aggregates,
    repository_id: Option<i64>,
    filter: &CommitFilter,
    cursor: Option<Cursor>,
    limit: u64,
) -> Result<CommitPage, QueryError> {
    let limit = limit.clamp(1, MAX_PAGE);
    if let Some(under) = kept_under(db, kept, repository_id, filter).await? {
        let (ids, more) = under.page(filter, cursor, limit as usize);
        let commits = commits_under::by_ids(db, &ids).await?;
        let next_cursor = commits.last().filter(|_| more).map(cursor_of);
        return Ok(CommitPage { commits, next_cursor });
    }
    let mut query = selected(db.get_database_backend(), repository_id, filter, Reading::Page);
    if let Some(cursor) = cursor {
        let at = cursor_time(cursor);
        query = query.filter(
            Condition::any()
                .add(commit::Column::CommittedAt.lt(at))
                .add(Condition::all().add(commit::Column::CommittedAt.eq(at)).add(commit::Column::Id.lt(cursor.id))),
        );
    }
    let mut commits = query
        .order_by_desc(commit::Column::CommittedAt)
        .order_by_desc(commit::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let next_cursor = if commits.len() as u64 > limit {
        commits.truncate(limit as usize);
        commits.last().map(cursor_of)
    } else {
        None
    };
    Ok(CommitPage { commits, next_cursor })
}

/// The page of commits just newer than `cursor`, still listed newest first, and whether
/// newer ones remain: the "newer commits" link of a page reached by going back in time.
pub async fn list_newer(
    db: &impl ConnectionTrait,
    kept: &Aggregates,
    repository_id: Option<i64>,
    filter: &CommitFilter,
    cursor: Cursor,
    limit: u64,
) -> Result<(Vec<commit::Model>, bool), QueryError> {
    let limit = limit.clamp(1, MAX_PAGE);
    if let Some(under) = kept_under(db, kept, repository_id, filter).await? {
        let (ids, more) = under.newer(filter, cursor, limit as usize);
        return Ok((commits_under::by_ids(db, &ids).await?, more));
    }
    let at = cursor_time(cursor);
    let mut commits = selected(db.get_database_backend(), repository_id, filter, Reading::Page)
        .filter(
            Condition::any()
                .add(commit::Column::CommittedAt.gt(at))
                .add(Condition::all().add(commit::Column::CommittedAt.eq(at)).add(commit::Column::Id.gt(cursor.id))),
        )
        .order_by_asc(commit::Column::CommittedAt)
        .order_by_asc(commit::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = commits.len() as u64 > limit;
    commits.truncate(limit as usize);
    commits.reverse();
    Ok((commits, more))
}

/// Where a page starting at `first` (its newest commit) continues towards newer commits.
pub fn cursor_before(first: &commit::Model) -> Cursor {
    cursor_of(first)
}

/// The commit of `repository_id` whose sha is `sha` or starts with it (at least 4 hex
/// digits and naming one commit only).
pub async fn find(db: &impl ConnectionTrait, repository_id: i64, sha: &str) -> Result<commit::Model, QueryError> {
    let (low, high) = sha_prefix_range(sha).ok_or(QueryError::NotFound("commit"))?;
    let mut found = commit::Entity::find()
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .filter(commit::Column::Sha.gte(low))
        .filter(commit::Column::Sha.lt(high))
        .limit(2)
        .all(db)
        .await?;
    match found.len() {
        1 => Ok(found.remove(0)),
        _ => Err(QueryError::NotFound("commit")),
    }
}

/// The words of a search: runs of letters and digits, lowercased, as both databases' indexes
/// split messages (migration `m20261203_000011_commit_search`).
pub fn message_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Messages holding every word of `q` as the start of one of their words, through each
/// database's index; text without a word ("%", "->") is looked for as it is.
fn message_matches(backend: DatabaseBackend, q: &str) -> SimpleExpr {
    let words = message_words(q);
    if words.is_empty() {
        return lower(commit::Column::Message).like(contains_pattern(q));
    }
    match backend {
        DatabaseBackend::Postgres => {
            let query = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
            Expr::cust_with_values("commits.message_words @@ to_tsquery('simple', $1)", [query])
        }
        _ => {
            let query = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ");
            Expr::cust_with_values(
                "commits.id IN (SELECT rowid FROM commits_search WHERE commits_search MATCH ?)",
                [query],
            )
        }
    }
}

fn lower(column: commit::Column) -> sea_orm::sea_query::SimpleExpr {
    Func::lower(Expr::col(column)).into()
}

/// A LIKE pattern matching `text` anywhere, lower-cased, with LIKE's wildcards escaped.
fn contains_pattern(text: &str) -> LikeExpr {
    let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// `[prefix, prefix + 1)` when `q` could be the start of a sha: 4 to 64 hex digits.
fn sha_prefix_range(q: &str) -> Option<(String, String)> {
    let q = q.to_ascii_lowercase();
    if !(4..=64).contains(&q.len()) || !q.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // Every character after the prefix sorts below 'g', so the prefix followed by 'g' bounds it.
    Some((q.clone(), format!("{q}g")))
}

/// The tags pointing at each of `commits`, by repository and sha.
pub async fn tags_of(
    db: &impl ConnectionTrait,
    commits: &[commit::Model],
) -> Result<std::collections::HashMap<(i64, String), Vec<String>>, QueryError> {
    use crate::entities::tag;
    let mut by_commit: std::collections::HashMap<(i64, String), Vec<String>> = std::collections::HashMap::new();
    if commits.is_empty() {
        return Ok(by_commit);
    }
    let mut repositories: Vec<i64> = commits.iter().map(|c| c.repository_id).collect();
    repositories.sort_unstable();
    repositories.dedup();
    let tags = tag::Entity::find()
        .filter(tag::Column::RepositoryId.is_in(repositories))
        .filter(tag::Column::Sha.is_in(commits.iter().map(|c| c.sha.clone())))
        .all(db)
        .await?;
    for t in tags {
        by_commit.entry((t.repository_id, t.sha)).or_default().push(t.name);
    }
    Ok(by_commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor { committed_at_micros: 1_700_000_000_000_000, id: 42 };
        assert_eq!(Cursor::decode(&cursor.encode()).expect("valid"), cursor);
        assert!(Cursor::decode("garbage").is_err());
        assert!(Cursor::decode("1.x").is_err());
    }

    #[test]
    fn only_hex_text_is_taken_for_a_sha_prefix() {
        assert_eq!(sha_prefix_range("ABcd12"), Some(("abcd12".into(), "abcd12g".into())));
        assert_eq!(sha_prefix_range("fix"), None);
        assert_eq!(sha_prefix_range("fixes"), None);
    }
}
