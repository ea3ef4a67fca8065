//! One file (a path, in one repository or all): what it is, its former names (followed
//! back through `commit_renames`), the commits that changed it under any of them with their
//! lines, and who wrote it (`path_authors`, with the authors by degree of authorship).
//! Read through the (path, commit) and rename indexes: a file's own rows, never a scan.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, sea_query::JoinType,
};

use crate::{
    authorship::{authors_of, credit},
    entities::{commit, commit_file, commit_rename, path, path_author},
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
async fn facts(db: &impl ConnectionTrait, repository: Option<i64>, file: &str) -> Result<Option<Facts>, QueryError> {
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

/// A name the file had before a commit renamed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Former {
    pub path_id: i64,
    pub path: String,
    pub repository_id: i64,
    /// The commit that renamed it away from this name.
    pub renamed_in: String,
    pub renamed_at: DateTime<Utc>,
    renaming_commit: i64,
    /// A file of the head tree has this name again (another file, by now).
    taken_again: bool,
}

/// Renames followed back at most this many times: a bound on a loop of names.
const RENAMES_FOLLOWED: usize = 64;

/// The file's former names, latest rename first: the renames into `path_ids`, then the
/// renames into those names made before, and so on. A name is followed only up to the
/// rename away from it, so a name used again later for another file is not mixed in.
async fn former_names(db: &impl ConnectionTrait, path_ids: &[i64]) -> Result<Vec<Former>, QueryError> {
    type Row = (i64, i64, i64, i64, String, DateTime<Utc>);
    let mut formers: Vec<Former> = Vec::new();
    // Each name to follow back, with the time up to which it was this file's.
    let mut frontier: Vec<(i64, Option<DateTime<Utc>>)> = path_ids.iter().map(|&id| (id, None)).collect();
    let mut seen: std::collections::HashSet<i64> = path_ids.iter().copied().collect();
    while !frontier.is_empty() && formers.len() < RENAMES_FOLLOWED {
        let rows: Vec<Row> = commit_rename::Entity::find()
            .select_only()
            .column(commit_rename::Column::ToPathId)
            .column(commit_rename::Column::FromPathId)
            .column(commit::Column::Id)
            .column(commit::Column::RepositoryId)
            .column(commit::Column::Sha)
            .column(commit::Column::CommittedAt)
            .join(JoinType::InnerJoin, commit_rename::Relation::Commit.def())
            .filter(commit_rename::Column::ToPathId.is_in(frontier.iter().map(|f| f.0)))
            .order_by_desc(commit::Column::CommittedAt)
            .into_tuple()
            .all(db)
            .await?;
        let mut next = Vec::new();
        for (to, from, commit_id, repository_id, sha, at) in rows {
            let until = frontier.iter().find(|f| f.0 == to).and_then(|f| f.1);
            if until.is_some_and(|until| at > until) || !seen.insert(from) {
                continue;
            }
            next.push((from, Some(at)));
            formers.push(Former {
                path_id: from,
                path: String::new(),
                repository_id,
                renamed_in: sha,
                renamed_at: at,
                renaming_commit: commit_id,
                taken_again: false,
            });
        }
        frontier = next;
    }
    let names: std::collections::HashMap<i64, (String, bool)> = path::Entity::find()
        .select_only()
        .column(path::Column::Id)
        .column(path::Column::Path)
        .column(path::Column::InHead)
        .filter(path::Column::Id.is_in(formers.iter().map(|f| f.path_id)))
        .into_tuple::<(i64, String, bool)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, path, in_head)| (id, (path, in_head)))
        .collect();
    for former in &mut formers {
        if let Some((path, in_head)) = names.get(&former.path_id) {
            (former.path, former.taken_again) = (path.clone(), *in_head);
        }
    }
    formers.truncate(RENAMES_FOLLOWED);
    Ok(formers)
}

/// The name a file was given by a rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenamedTo {
    pub path: String,
    pub repository_id: i64,
    pub sha: String,
    pub at: DateTime<Utc>,
}

/// Where the file went: the latest rename away from `path_ids`.
async fn renamed_to(db: &impl ConnectionTrait, path_ids: &[i64]) -> Result<Option<RenamedTo>, QueryError> {
    let found: Option<(i64, i64, String, DateTime<Utc>)> = commit_rename::Entity::find()
        .select_only()
        .column(commit_rename::Column::ToPathId)
        .column(commit::Column::RepositoryId)
        .column(commit::Column::Sha)
        .column(commit::Column::CommittedAt)
        .join(JoinType::InnerJoin, commit_rename::Relation::Commit.def())
        .filter(commit_rename::Column::FromPathId.is_in(path_ids.iter().copied()))
        .order_by_desc(commit::Column::CommittedAt)
        .into_tuple()
        .one(db)
        .await?;
    let Some((to, repository_id, sha, at)) = found else { return Ok(None) };
    let path = path::Entity::find_by_id(to).one(db).await?.map(|p| p.path).unwrap_or_default();
    Ok(Some(RenamedTo { path, repository_id, sha, at }))
}

/// One commit that changed the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub repository_id: i64,
    /// The file's name in that commit.
    pub path: String,
    pub sha: String,
    pub summary: String,
    pub author_email: String,
    pub author_name: String,
    pub committed_at: DateTime<Utc>,
    /// `None` for a binary file.
    pub lines: Option<(i64, i64)>,
}

/// The commits in `range` that changed the file: `path_ids` (its current name's rows), or
/// one of its `formers` before the rename away from it; newest first, bots left out as the
/// range says. A rename's commit is listed once, with the lines of the name it gave.
async fn changes(
    db: &impl ConnectionTrait,
    path: &str,
    path_ids: &[i64],
    formers: &[Former],
    range: &Range,
) -> Result<Vec<Change>, QueryError> {
    let (since, until) = (start_of(range.since), start_of(range.until + chrono::Days::new(1)));
    let mut names = sea_orm::Condition::any().add(commit_file::Column::PathId.is_in(path_ids.iter().copied()));
    for former in formers {
        names = names.add(
            sea_orm::Condition::all()
                .add(commit_file::Column::PathId.eq(former.path_id))
                .add(commit::Column::CommittedAt.lte(former.renamed_at))
                .add(commit::Column::Id.ne(former.renaming_commit)),
        );
    }
    type Row = (i64, i64, String, String, String, String, DateTime<Utc>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = commit_file::Entity::find()
        .select_only()
        .column(commit_file::Column::PathId)
        .column(commit::Column::RepositoryId)
        .column(commit::Column::Sha)
        .column(commit::Column::Summary)
        .column(commit::Column::AuthorEmail)
        .column(commit::Column::AuthorName)
        .column(commit::Column::CommittedAt)
        .column(commit_file::Column::Insertions)
        .column(commit_file::Column::Deletions)
        .join(JoinType::InnerJoin, commit_file::Relation::Commit.def())
        .filter(names)
        .filter(commit::Column::CommittedAt.gte(since))
        .filter(commit::Column::CommittedAt.lt(until))
        .filter(range.filters.on_commits())
        .order_by_desc(commit::Column::CommittedAt)
        .order_by_desc(commit::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let name_of = |path_id: i64| {
        formers.iter().find(|f| f.path_id == path_id).map_or_else(|| path.to_owned(), |f| f.path.clone())
    };
    Ok(rows
        .into_iter()
        .map(
            |(path_id, repository_id, sha, summary, author_email, author_name, committed_at, insertions, deletions)| {
                Change {
                    repository_id,
                    path: name_of(path_id),
                    sha,
                    summary,
                    author_email,
                    author_name,
                    committed_at,
                    lines: insertions.zip(deletions),
                }
            },
        )
        .collect())
}

/// The rows whose authors are the file's authors: its own, and its former names' unless a
/// file of the head tree has taken the name again (their authors would be that file's).
fn authored_ids(path_ids: &[i64], formers: &[Former]) -> Vec<i64> {
    let formers = formers.iter().filter(|f| !f.taken_again).map(|f| f.path_id);
    path_ids.iter().copied().chain(formers).collect()
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
async fn authors(db: &impl ConnectionTrait, path_ids: &[i64], excluded: &[String]) -> Result<Vec<Author>, QueryError> {
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

/// Everything a file's page and API show of it in a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub facts: Facts,
    /// Latest rename first.
    pub formers: Vec<Former>,
    /// Newest first, under every name it had.
    pub changes: Vec<Change>,
    pub authors: Vec<Author>,
    /// Where it went, when it is not in the head tree because a rename took it away.
    pub renamed_to: Option<RenamedTo>,
}

/// The file at `path` in the range's scope: its facts, former names, changes, authors (bots
/// left out as the range says) and the name it was given; `None` when no commit changed it.
pub async fn report(db: &impl ConnectionTrait, range: &Range, path: &str) -> Result<Option<Report>, QueryError> {
    let Some(facts) = facts(db, range.repository, path).await? else { return Ok(None) };
    let formers = former_names(db, &facts.path_ids).await?;
    let changes = changes(db, path, &facts.path_ids, &formers, range).await?;
    let authors = authors(db, &authored_ids(&facts.path_ids, &formers), &range.filters.excluded_authors).await?;
    let renamed_to = if facts.in_head { None } else { renamed_to(db, &facts.path_ids).await? };
    Ok(Some(Report { facts, formers, changes, authors, renamed_to }))
}
