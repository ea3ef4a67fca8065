//! Sync runs: the database's record of each repository sync, and the lease that keeps two
//! workers from running the same one.
//!
//! A run is `queued` until a worker claims it, `running` while that worker keeps its lease
//! fresh, then `succeeded` or `failed`. A partial unique index allows one queued-or-running
//! run per repository, so asking for a sync while one is pending returns that one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    entities::sync_run::{self, SyncState},
    error::QueryError,
    queries::now,
};

/// A worker that has not renewed its lease for this long is presumed dead.
pub const LEASE: Duration = Duration::from_secs(30);

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<sync_run::Model, QueryError> {
    sync_run::Entity::find_by_id(id).one(db).await?.ok_or(QueryError::NotFound("sync run"))
}

pub async fn latest(db: &impl ConnectionTrait, repository_id: i64) -> Result<Option<sync_run::Model>, QueryError> {
    Ok(sync_run::Entity::find()
        .filter(sync_run::Column::RepositoryId.eq(repository_id))
        .order_by_desc(sync_run::Column::Id)
        .one(db)
        .await?)
}

pub async fn active(db: &impl ConnectionTrait, repository_id: i64) -> Result<Option<sync_run::Model>, QueryError> {
    Ok(sync_run::Entity::find()
        .filter(sync_run::Column::RepositoryId.eq(repository_id))
        .filter(sync_run::Column::State.is_in([SyncState::Queued, SyncState::Running]))
        .one(db)
        .await?)
}

/// Returns the repository's queued or running run, or queues a new one. The boolean says
/// whether the run is new (and so needs a job pushed for it).
pub async fn request(db: &impl ConnectionTrait, repository_id: i64) -> Result<(sync_run::Model, bool), QueryError> {
    if let Some(run) = active(db, repository_id).await? {
        return Ok((run, false));
    }
    let model = sync_run::ActiveModel {
        repository_id: Set(repository_id),
        state: Set(SyncState::Queued),
        phase: Set(Some("queued".into())),
        progress: Set(0),
        commits_added: Set(0),
        commits_removed: Set(0),
        attempt: Set(0),
        queued_at: Set(now()),
        ..Default::default()
    };
    match model.insert(db).await {
        Ok(run) => Ok((run, true)),
        Err(err) => match err.sql_err() {
            // Another request won the race for the one active slot: return its run.
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                let run = active(db, repository_id).await?.ok_or(QueryError::NotFound("sync run"))?;
                Ok((run, false))
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Err(QueryError::NotFound("repository")),
            _ => Err(err.into()),
        },
    }
}

/// What a worker learns when it tries to take a run.
#[derive(Debug)]
pub enum Claim {
    /// The run is now this worker's; `attempt` counts this start too.
    Claimed(sync_run::Model),
    /// Another worker holds a fresh lease; look again once it may have expired.
    HeldElsewhere { retry_after: Duration },
    /// The run already ended (a duplicate delivery) or no longer exists.
    Finished,
}

/// Takes run `id` for `worker` if it is queued, or running under a lease that expired.
pub async fn claim(db: &impl ConnectionTrait, id: i64, worker: &str) -> Result<Claim, QueryError> {
    let now = now();
    let expired = now - chrono::Duration::from_std(LEASE).unwrap_or_default();
    let result = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::State, Expr::value(SyncState::Running))
        .col_expr(sync_run::Column::Attempt, Expr::col(sync_run::Column::Attempt).add(1))
        .col_expr(sync_run::Column::Worker, Expr::value(worker))
        .col_expr(sync_run::Column::HeartbeatAt, Expr::value(now))
        .col_expr(sync_run::Column::StartedAt, Expr::value(now))
        .col_expr(sync_run::Column::Phase, Expr::value("starting"))
        .filter(sync_run::Column::Id.eq(id))
        .filter(
            Condition::any().add(sync_run::Column::State.eq(SyncState::Queued)).add(
                Condition::all()
                    .add(sync_run::Column::State.eq(SyncState::Running))
                    .add(sync_run::Column::HeartbeatAt.lt(expired)),
            ),
        )
        .exec(db)
        .await?;
    let Some(run) = sync_run::Entity::find_by_id(id).one(db).await? else {
        return Ok(Claim::Finished);
    };
    if result.rows_affected == 1 {
        return Ok(Claim::Claimed(run));
    }
    match run.state {
        SyncState::Succeeded | SyncState::Failed => Ok(Claim::Finished),
        SyncState::Queued | SyncState::Running => {
            let heartbeat = run.heartbeat_at.unwrap_or(now);
            let remaining = (heartbeat - expired).to_std().unwrap_or_default();
            Ok(Claim::HeldElsewhere { retry_after: remaining + Duration::from_secs(1) })
        }
    }
}

/// Renews the lease and records progress. `false` means the run is no longer this
/// worker's (taken over after a stall, or its repository was deleted): stop working on it.
pub async fn heartbeat(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    phase: &str,
    progress: i32,
) -> Result<bool, QueryError> {
    let result = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::HeartbeatAt, Expr::value(now()))
        .col_expr(sync_run::Column::Phase, Expr::value(phase))
        .col_expr(sync_run::Column::Progress, Expr::value(progress.clamp(0, 100)))
        .filter(owned_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

fn owned_by(id: i64, worker: &str) -> Condition {
    Condition::all()
        .add(sync_run::Column::Id.eq(id))
        .add(sync_run::Column::Worker.eq(worker))
        .add(sync_run::Column::State.eq(SyncState::Running))
}

pub async fn succeed(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    commits_added: i64,
    commits_removed: i64,
) -> Result<bool, QueryError> {
    let result = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::State, Expr::value(SyncState::Succeeded))
        .col_expr(sync_run::Column::Phase, Expr::value("done"))
        .col_expr(sync_run::Column::Progress, Expr::value(100))
        .col_expr(sync_run::Column::CommitsAdded, Expr::value(commits_added))
        .col_expr(sync_run::Column::CommitsRemoved, Expr::value(commits_removed))
        .col_expr(sync_run::Column::Error, Expr::value(Option::<String>::None))
        .col_expr(sync_run::Column::FinishedAt, Expr::value(now()))
        .filter(owned_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends the run as failed with a message for people. `worker` is `None` when the run is
/// failed without having been claimed (its job could not even be queued).
pub async fn fail(db: &impl ConnectionTrait, id: i64, worker: Option<&str>, error: &str) -> Result<bool, QueryError> {
    let filter = match worker {
        Some(worker) => owned_by(id, worker),
        None => Condition::all()
            .add(sync_run::Column::Id.eq(id))
            .add(sync_run::Column::State.is_in([SyncState::Queued, SyncState::Running])),
    };
    let result = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::State, Expr::value(SyncState::Failed))
        .col_expr(sync_run::Column::Phase, Expr::value("failed"))
        .col_expr(sync_run::Column::Error, Expr::value(error))
        .col_expr(sync_run::Column::FinishedAt, Expr::value(now()))
        .filter(filter)
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Hands the run back to the queue after a transient failure; a new job will pick it up.
pub async fn release_for_retry(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    error: &str,
) -> Result<bool, QueryError> {
    let result = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::State, Expr::value(SyncState::Queued))
        .col_expr(sync_run::Column::Phase, Expr::value("waiting to retry"))
        .col_expr(sync_run::Column::Error, Expr::value(error))
        .col_expr(sync_run::Column::Worker, Expr::value(Option::<String>::None))
        .filter(owned_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Runs still marked queued or running whose lease (or queueing) is older than `age`:
/// their job may have been lost, so the worker queues them again.
pub async fn stale(db: &impl ConnectionTrait, age: Duration, limit: u64) -> Result<Vec<sync_run::Model>, QueryError> {
    use sea_orm::QuerySelect;
    let cutoff: DateTime<Utc> = now() - chrono::Duration::from_std(age).unwrap_or_default();
    Ok(sync_run::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(sync_run::Column::State.eq(SyncState::Running))
                        .add(sync_run::Column::HeartbeatAt.lt(cutoff)),
                )
                .add(
                    Condition::all()
                        .add(sync_run::Column::State.eq(SyncState::Queued))
                        .add(sync_run::Column::QueuedAt.lt(cutoff)),
                ),
        )
        .order_by_asc(sync_run::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
