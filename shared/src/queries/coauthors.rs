//! The people commits' `Co-authored-by:` trailers name (`commit_coauthors`, see the
//! migration `m20261205_000016_coauthors`): written with their commits, re-mapped with
//! them when the `.mailmap` changes, filled in once for older repositories, and counted
//! per person for the committers list.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait,
    sea_query::{Expr, ExprTrait, Func, JoinType},
};

use crate::{
    entities::{commit, commit_coauthor, repository},
    error::QueryError,
    queries::{
        StoredIdentity,
        activity::{Committer, Range},
        files::commit_ids,
        start_of,
    },
};

/// One co-author of a commit, after `.mailmap`, and as the trailer wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoAuthor {
    pub name: String,
    pub email: String,
    pub original_name: String,
    pub original_email: String,
}

/// Rows per INSERT: 6 columns x 500 stays under both databases' parameter limits.
const CHUNK: usize = 500;

/// Stores the co-authors of the commits `shas` (already stored), skipping rows already
/// there; the caller's transaction is the one that stored the commits.
pub async fn insert(
    db: &impl ConnectionTrait,
    repository_id: i64,
    commits: &[(&str, &[CoAuthor])],
) -> Result<(), QueryError> {
    let commits: Vec<&(&str, &[CoAuthor])> = commits.iter().filter(|(_, people)| !people.is_empty()).collect();
    if commits.is_empty() {
        return Ok(());
    }
    let ids = commit_ids(db, repository_id, commits.iter().map(|(sha, _)| *sha)).await?;
    let rows: Vec<(i64, &CoAuthor)> = commits
        .iter()
        .filter_map(|(sha, people)| Some((*ids.get(*sha)?, *people)))
        .flat_map(|(id, people)| people.iter().map(move |p| (id, p)))
        .collect();
    insert_rows(db, repository_id, &rows).await
}

/// Stores co-authors of commits known by id (older rows filled in).
pub async fn insert_by_id(
    db: &impl ConnectionTrait,
    repository_id: i64,
    rows: &[(i64, CoAuthor)],
) -> Result<(), QueryError> {
    let rows: Vec<(i64, &CoAuthor)> = rows.iter().map(|(id, p)| (*id, p)).collect();
    insert_rows(db, repository_id, &rows).await
}

async fn insert_rows(
    db: &impl ConnectionTrait,
    repository_id: i64,
    rows: &[(i64, &CoAuthor)],
) -> Result<(), QueryError> {
    for chunk in rows.chunks(CHUNK) {
        let models = chunk.iter().map(|(commit_id, p)| commit_coauthor::ActiveModel {
            commit_id: Set(*commit_id),
            repository_id: Set(repository_id),
            name: Set(p.name.clone()),
            email: Set(p.email.clone()),
            original_name: Set(p.original_name.clone()),
            original_email: Set(p.original_email.clone()),
        });
        commit_coauthor::Entity::insert_many(models)
            .on_conflict_do_nothing_on([commit_coauthor::Column::CommitId, commit_coauthor::Column::OriginalEmail])
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The repository's stored commits whose message may hold a `Co-authored-by:` trailer:
/// (id, message), read once when an older repository's co-authors are filled in.
pub async fn messages_naming_coauthors(
    db: &impl ConnectionTrait,
    repository_id: i64,
) -> Result<Vec<(i64, String)>, QueryError> {
    Ok(commit::Entity::find()
        .select_only()
        .column(commit::Column::Id)
        .column(commit::Column::Message)
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .filter(Expr::expr(Func::lower(Expr::col(commit::Column::Message))).like("%co-authored-by:%"))
        .into_tuple()
        .all(db)
        .await?)
}

/// Records that every stored commit's co-authors are kept.
pub async fn set_filled(db: &impl ConnectionTrait, repository_id: i64) -> Result<(), QueryError> {
    repository::Entity::update_many()
        .col_expr(repository::Column::CoauthorsFilled, Expr::value(true))
        .filter(repository::Column::Id.eq(repository_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The distinct identities co-authors were recorded with and how each is mapped now.
pub async fn identities(db: &impl ConnectionTrait, repository_id: i64) -> Result<Vec<StoredIdentity>, QueryError> {
    let rows: Vec<(String, String, String, String)> = commit_coauthor::Entity::find()
        .select_only()
        .column(commit_coauthor::Column::OriginalName)
        .column(commit_coauthor::Column::OriginalEmail)
        .column(commit_coauthor::Column::Name)
        .column(commit_coauthor::Column::Email)
        .distinct()
        .filter(commit_coauthor::Column::RepositoryId.eq(repository_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(on, oe, n, e)| StoredIdentity { original: (on, oe), mapped: (n, e) }).collect())
}

/// Gives every co-author recorded as one of `changes`' originals its new mapping.
pub async fn set_identities(
    db: &impl ConnectionTrait,
    repository_id: i64,
    changes: &[StoredIdentity],
) -> Result<(), QueryError> {
    for change in changes {
        commit_coauthor::Entity::update_many()
            .col_expr(commit_coauthor::Column::Name, Expr::value(change.mapped.0.clone()))
            .col_expr(commit_coauthor::Column::Email, Expr::value(change.mapped.1.clone()))
            .filter(commit_coauthor::Column::RepositoryId.eq(repository_id))
            .filter(commit_coauthor::Column::OriginalName.eq(change.original.0.clone()))
            .filter(commit_coauthor::Column::OriginalEmail.eq(change.original.1.clone()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The co-authors of one stored commit, in the order the trailers name them.
pub async fn of_commit(db: &impl ConnectionTrait, commit_id: i64) -> Result<Vec<CoAuthor>, QueryError> {
    Ok(commit_coauthor::Entity::find()
        .filter(commit_coauthor::Column::CommitId.eq(commit_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| CoAuthor {
            name: c.name,
            email: c.email,
            original_name: c.original_name,
            original_email: c.original_email,
        })
        .collect())
}

/// How many commits name `email` as a co-author (in one repository or all), all history,
/// and the name they were last given.
pub async fn coauthored_by(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    email: &str,
) -> Result<(i64, Option<String>), QueryError> {
    let mut query = commit_coauthor::Entity::find().filter(commit_coauthor::Column::Email.eq(email));
    if let Some(id) = repository {
        query = query.filter(commit_coauthor::Column::RepositoryId.eq(id));
    }
    let rows = query.all(db).await?;
    Ok((rows.len() as i64, rows.into_iter().map(|r| r.name).max()))
}

/// One person's co-authored commits in a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub name: String,
    pub commits: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// Everyone named as a co-author of a commit in `range` (its filters applying to the
/// commit), by email.
pub async fn credits(db: &impl ConnectionTrait, range: &Range) -> Result<HashMap<String, Credit>, QueryError> {
    let (since, until) = (start_of(range.since), start_of(range.until + chrono::Days::new(1)));
    let mut query = commit_coauthor::Entity::find()
        .select_only()
        .column(commit_coauthor::Column::Email)
        .expr(Expr::col((commit_coauthor::Entity, commit_coauthor::Column::Name)).max())
        .expr(Expr::col((commit::Entity, commit::Column::Id)).count())
        .expr(Expr::col((commit::Entity, commit::Column::CommittedAt)).min())
        .expr(Expr::col((commit::Entity, commit::Column::CommittedAt)).max())
        .join(JoinType::InnerJoin, commit_coauthor::Relation::Commit.def())
        .filter(commit::Column::CommittedAt.gte(since))
        .filter(commit::Column::CommittedAt.lt(until))
        .filter(range.filters.on_commits())
        .group_by(commit_coauthor::Column::Email);
    if let Some(id) = range.repository {
        query = query.filter(commit_coauthor::Column::RepositoryId.eq(id));
    }
    type Row = (String, String, i64, DateTime<Utc>, DateTime<Utc>);
    let rows: Vec<Row> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(email, name, commits, first_at, last_at)| (email, Credit { name, commits, first_at, last_at }))
        .collect())
}

/// Credits co-authors in `committers`: each person's co-authored commits, and a row for
/// anyone who only co-authored (no commits of their own, first and last day from the
/// commits they co-authored); `excluded` (bots) left out.
pub fn credit(committers: &mut Vec<Committer>, credits: HashMap<String, Credit>, excluded: &[String]) {
    let mut credits: Vec<(String, Credit)> =
        credits.into_iter().filter(|(email, _)| !excluded.contains(email)).collect();
    credits.sort_by(|a, b| a.0.cmp(&b.0));
    for (email, credit) in credits {
        match committers.iter_mut().find(|c| c.email == email) {
            Some(committer) => committer.co_authored = credit.commits,
            None => committers.push(Committer {
                email,
                name: credit.name,
                commits: 0,
                insertions: 0,
                deletions: 0,
                first_day: credit.first_at.format("%Y-%m-%d").to_string(),
                last_day: credit.last_at.format("%Y-%m-%d").to_string(),
                active_days: 0,
                co_authored: credit.commits,
            }),
        }
    }
}
