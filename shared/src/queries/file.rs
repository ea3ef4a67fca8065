//! One file (a path, in one repository or all): what it is, the commits that changed it
//! with their lines, and who wrote it (`path_authors`, with the authors by degree of
//! authorship). Read through the (path, commit) index: a file's own rows, never a scan.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, sea_query::JoinType,
};

use crate::{
    authorship::{authors_of, credit},
    entities::{commit, commit_file, path, path_author},
    error::QueryError,
    queries::{activity::Range, start_of},
};

/// What the path is, where it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Its row in each repository of the scope that has it.
    pub path_ids: Vec<i64>,
    pub language: Option<String>,
    pub vendored: bool,
    /// A file of the head tree (of at least one repository of the scope).
    pub in_head: bool,
}

/// The path's rows in the scope; `None` when no commit there changed it.
pub async fn facts(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    file: &str,
) -> Result<Option<Facts>, QueryError> {
    let mut query = path::Entity::find().filter(path::Column::Path.eq(file));
    if let Some(id) = repository {
        query = query.filter(path::Column::RepositoryId.eq(id));
    }
    let rows = query.all(db).await?;
    let Some(first) = rows.first() else { return Ok(None) };
    Ok(Some(Facts {
        language: first.language.clone(),
        vendored: rows.iter().all(|p| p.vendored),
        in_head: rows.iter().any(|p| p.in_head),
        path_ids: rows.iter().map(|p| p.id).collect(),
    }))
}

/// One commit that changed the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub repository_id: i64,
    pub sha: String,
    pub summary: String,
    pub author_email: String,
    pub author_name: String,
    pub committed_at: DateTime<Utc>,
    /// `None` for a binary file.
    pub lines: Option<(i64, i64)>,
}

/// The commits in `range` that changed the paths `path_ids`, newest first, bots left out
/// as the range says.
pub async fn changes(db: &impl ConnectionTrait, path_ids: &[i64], range: &Range) -> Result<Vec<Change>, QueryError> {
    let (since, until) = (start_of(range.since), start_of(range.until + chrono::Days::new(1)));
    type Row = (i64, String, String, String, String, DateTime<Utc>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = commit_file::Entity::find()
        .select_only()
        .column(commit::Column::RepositoryId)
        .column(commit::Column::Sha)
        .column(commit::Column::Summary)
        .column(commit::Column::AuthorEmail)
        .column(commit::Column::AuthorName)
        .column(commit::Column::CommittedAt)
        .column(commit_file::Column::Insertions)
        .column(commit_file::Column::Deletions)
        .join(JoinType::InnerJoin, commit_file::Relation::Commit.def())
        .filter(commit_file::Column::PathId.is_in(path_ids.iter().copied()))
        .filter(commit::Column::CommittedAt.gte(since))
        .filter(commit::Column::CommittedAt.lt(until))
        .filter(range.filters.on_commits())
        .order_by_desc(commit::Column::CommittedAt)
        .order_by_desc(commit::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(repository_id, sha, summary, author_email, author_name, committed_at, insertions, deletions)| Change {
            repository_id,
            sha,
            summary,
            author_email,
            author_name,
            committed_at,
            lines: insertions.zip(deletions),
        })
        .collect())
}

/// One person's work on the file, all history.
#[derive(Debug, Clone, PartialEq)]
pub struct Author {
    pub email: String,
    pub name: String,
    pub commits: i64,
    pub lines: i64,
    /// Their part of everyone's changed lines, 0 to 1.
    pub share: f64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// An author by degree of authorship (see [`crate::authorship`]).
    pub knows_it: bool,
}

/// Everyone who changed the paths `path_ids`, most changed lines first; `excluded` (bots)
/// left out.
pub async fn authors(
    db: &impl ConnectionTrait,
    path_ids: &[i64],
    excluded: &[String],
) -> Result<Vec<Author>, QueryError> {
    let mut query = path_author::Entity::find().filter(path_author::Column::PathId.is_in(path_ids.iter().copied()));
    if !excluded.is_empty() {
        query = query.filter(path_author::Column::AuthorEmail.is_not_in(excluded.iter().cloned()));
    }
    let mut people: Vec<Author> = Vec::new();
    for row in query.all(db).await? {
        let lines = row.insertions + row.deletions;
        match people.iter_mut().find(|a| a.email == row.author_email) {
            Some(a) => {
                a.commits += row.commits;
                a.lines += lines;
                a.first_at = a.first_at.min(row.first_at);
                a.last_at = a.last_at.max(row.last_at);
            }
            None => people.push(Author {
                email: row.author_email,
                name: row.author_name,
                commits: row.commits,
                lines,
                share: 0.0,
                first_at: row.first_at,
                last_at: row.last_at,
                knows_it: false,
            }),
        }
    }
    let total: i64 = people.iter().map(|a| a.lines).sum();
    let knowers = authors_of(&credit(people.iter().map(|a| (a.email.clone(), a.commits, a.first_at))));
    for a in &mut people {
        a.share = if total > 0 { a.lines as f64 / total as f64 } else { 0.0 };
        a.knows_it = knowers.contains(&a.email);
    }
    people.sort_by(|a, b| b.lines.cmp(&a.lines).then(b.commits.cmp(&a.commits)).then(a.email.cmp(&b.email)));
    Ok(people)
}
