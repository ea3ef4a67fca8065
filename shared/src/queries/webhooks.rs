//! Push webhooks: a repository's webhook has a secret of the current generation; issuing a
//! new one (only whoever may manage the repository) makes every older one invalid.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};

use super::{Caller, managed_repository, now};
use crate::{entities::repository_webhook, error::QueryError};

/// The current generation of the repository's webhook secret; `None` when none was issued.
pub async fn current(
    db: &impl ConnectionTrait,
    repository_id: i64,
) -> Result<Option<repository_webhook::Model>, QueryError> {
    Ok(repository_webhook::Entity::find_by_id(repository_id).one(db).await?)
}

/// Issues the next generation (the first, or one that replaces the last).
pub async fn issue(
    db: &impl ConnectionTrait,
    repository_id: i64,
    caller: &Caller,
) -> Result<repository_webhook::Model, QueryError> {
    managed_repository(db, repository_id, caller, "webhook").await?;
    let next = current(db, repository_id).await?.map_or(1, |hook| hook.generation + 1);
    let row = repository_webhook::ActiveModel {
        repository_id: Set(repository_id),
        generation: Set(next),
        created_at: Set(now()),
        created_by: Set(caller.user()),
    };
    repository_webhook::Entity::insert(row)
        .on_conflict(
            OnConflict::column(repository_webhook::Column::RepositoryId)
                .update_columns([
                    repository_webhook::Column::Generation,
                    repository_webhook::Column::CreatedAt,
                    repository_webhook::Column::CreatedBy,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    current(db, repository_id).await?.ok_or(QueryError::Internal("a webhook just issued is missing"))
}
