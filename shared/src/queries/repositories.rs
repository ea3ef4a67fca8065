//! Repositories: adding, listing, reading and deleting.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, SqlErr,
};

use crate::{
    entities::{commit, repository, sync_run},
    error::QueryError,
    queries::{Caller, now, sync_runs},
    repo_url::RepoUrl,
};

/// A repository with what its overview shows.
#[derive(Debug, Clone)]
pub struct RepositoryDetail {
    pub repository: repository::Model,
    pub commit_count: u64,
    pub latest_sync: Option<sync_run::Model>,
    /// Its credential's kind and when it was set, if it has one.
    pub credential: Option<super::credentials::CredentialInfo>,
}

pub enum CreateOutcome {
    Created(repository::Model),
    /// The URL (or its `.git` twin) was already added, as this repository.
    AlreadyExists(repository::Model),
}

/// Adds a repository on behalf of `caller`, who is recorded as the one who added it.
pub async fn create(db: &impl ConnectionTrait, url: &RepoUrl, caller: &Caller) -> Result<CreateOutcome, QueryError> {
    if let Some(existing) = find_by_url(db, url).await? {
        return Ok(CreateOutcome::AlreadyExists(existing));
    }
    let model = repository::ActiveModel {
        url: Set(url.as_str().to_owned()),
        name: Set(url.name()),
        created_at: Set(now()),
        added_by: Set(caller.user()),
        // A new repository has nothing older to fill in. Set here rather than left to the
        // column's default: SQLite's RETURNING does not always give back a default that an
        // ALTER TABLE added.
        renames_filled: Set(true),
        coauthors_filled: Set(true),
        ..Default::default()
    };
    match model.insert(db).await {
        Ok(created) => Ok(CreateOutcome::Created(created)),
        // Two people adding the same URL at the same moment: the unique index decides.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let existing = find_by_url(db, url).await?.ok_or(QueryError::NotFound("repository"))?;
            Ok(CreateOutcome::AlreadyExists(existing))
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn find_by_url(db: &impl ConnectionTrait, url: &RepoUrl) -> Result<Option<repository::Model>, QueryError> {
    Ok(repository::Entity::find().filter(repository::Column::Url.is_in(url.equivalent_forms())).one(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<repository::Model, QueryError> {
    repository::Entity::find_by_id(id).one(db).await?.ok_or(QueryError::NotFound("repository"))
}

pub async fn detail(db: &impl ConnectionTrait, id: i64) -> Result<RepositoryDetail, QueryError> {
    let repository = get(db, id).await?;
    with_details(db, repository).await
}

/// Every repository's id and name, by name: for pickers, without counting commits.
pub async fn names(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, QueryError> {
    use sea_orm::QuerySelect;
    Ok(repository::Entity::find()
        .select_only()
        .column(repository::Column::Id)
        .column(repository::Column::Name)
        .order_by_asc(repository::Column::Name)
        .into_tuple()
        .all(db)
        .await?)
}

/// Every repository's id and URL: what a worker checks its clones against.
pub async fn urls(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, QueryError> {
    use sea_orm::QuerySelect;
    Ok(repository::Entity::find()
        .select_only()
        .column(repository::Column::Id)
        .column(repository::Column::Url)
        .into_tuple()
        .all(db)
        .await?)
}

/// Every repository with its commit count, latest sync and credential, in four queries however many
/// repositories there are.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<RepositoryDetail>, QueryError> {
    use sea_orm::QuerySelect;
    use std::collections::HashMap;

    let repositories = repository::Entity::find().order_by_asc(repository::Column::Name).all(db).await?;
    let counts: HashMap<i64, i64> = commit::Entity::find()
        .select_only()
        .column(commit::Column::RepositoryId)
        .column_as(commit::Column::Id.count(), "commits")
        .group_by(commit::Column::RepositoryId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let latest_ids: Vec<i64> = sync_run::Entity::find()
        .select_only()
        .column_as(sync_run::Column::Id.max(), "id")
        .group_by(sync_run::Column::RepositoryId)
        .into_tuple::<i64>()
        .all(db)
        .await?;
    let mut latest: HashMap<i64, sync_run::Model> = sync_run::Entity::find()
        .filter(sync_run::Column::Id.is_in(latest_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|run| (run.repository_id, run))
        .collect();
    let mut credentials = super::credentials::infos(db).await?;
    Ok(repositories
        .into_iter()
        .map(|repository| RepositoryDetail {
            commit_count: counts.get(&repository.id).copied().unwrap_or(0) as u64,
            latest_sync: latest.remove(&repository.id),
            credential: credentials.remove(&repository.id),
            repository,
        })
        .collect())
}

async fn with_details(
    db: &impl ConnectionTrait,
    repository: repository::Model,
) -> Result<RepositoryDetail, QueryError> {
    let commit_count = commit::Entity::find().filter(commit::Column::RepositoryId.eq(repository.id)).count(db).await?;
    let latest_sync = sync_runs::latest(db, repository.id).await?;
    let credential = super::credentials::info(db, repository.id).await?;
    Ok(RepositoryDetail { repository, commit_count, latest_sync, credential })
}

/// Whether `caller` may delete `repository`: they added it, or they are an admin.
pub fn may_delete(repository: &repository::Model, caller: &Caller) -> bool {
    caller.may_manage(repository.added_by)
}

/// Deletes the repository and, through foreign keys, its commits, tags and sync runs. Only
/// the person who added it, or an admin, may.
pub async fn delete(db: &impl ConnectionTrait, id: i64, caller: &Caller) -> Result<repository::Model, QueryError> {
    let repository = get(db, id).await?;
    if !may_delete(&repository, caller) {
        return Err(QueryError::Forbidden(
            "only the person who added this repository, or an admin, may delete it".into(),
        ));
    }
    repository::Entity::delete_by_id(id).exec(db).await?;
    Ok(repository)
}

/// Repositories not synced since `before` (or never): due for a scheduled sync.
pub async fn not_synced_since(
    db: &impl ConnectionTrait,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i64>, QueryError> {
    use sea_orm::{Condition, QuerySelect};
    Ok(repository::Entity::find()
        .select_only()
        .column(repository::Column::Id)
        .filter(
            Condition::any()
                .add(repository::Column::LastSyncedAt.is_null())
                .add(repository::Column::LastSyncedAt.lt(before)),
        )
        .order_by_asc(repository::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}
