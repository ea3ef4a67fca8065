//! Scheduled re-syncs: every `GITDASH_RESYNC_INTERVAL` (default hourly) each repository is
//! synced again. Time is cut into periods of that length; the first worker to claim a period
//! in Redis (`SET NX`) queues that period's syncs, so however many workers run, each period
//! queues each repository at most once. A repository synced within the last half period
//! (just added, or synced by hand) is left alone.

use std::time::Duration;

use gitdash_shared::{jobs, queries::repositories};
use redis::aio::ConnectionManager;
use sea_orm::DatabaseConnection;

/// How often a worker looks whether a new period has begun.
fn tick(interval: Duration) -> Duration {
    (interval / 4).clamp(Duration::from_millis(200), Duration::from_secs(60))
}

pub async fn resync_forever(
    db: DatabaseConnection,
    queue: jobs::SyncQueue,
    mut redis: ConnectionManager,
    interval: Duration,
    queue_name: String,
    worker: String,
) {
    let mut ticker = tokio::time::interval(tick(interval));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match claim_period(&mut redis, &queue_name, interval, &worker).await {
            Ok(true) => match queue_due(&db, &queue, interval).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "scheduled re-syncs queued"),
                Err(err) => tracing::warn!(error = %err, "could not queue scheduled re-syncs"),
            },
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "could not check the re-sync schedule"),
        }
    }
}

/// Claims the current period for this worker; `false` when another worker has it.
async fn claim_period(
    redis: &mut ConnectionManager,
    queue_name: &str,
    interval: Duration,
    worker: &str,
) -> Result<bool, redis::RedisError> {
    let now = chrono::Utc::now().timestamp_millis();
    let length = interval.as_millis().max(1) as i64;
    let period = now / length;
    let key = format!("{queue_name}:resync:{period}");
    let claimed: Option<String> =
        redis::cmd("SET").arg(&key).arg(worker).arg("NX").arg("PX").arg((length * 2) as u64).query_async(redis).await?;
    Ok(claimed.is_some())
}

async fn queue_due(db: &DatabaseConnection, queue: &jobs::SyncQueue, interval: Duration) -> anyhow::Result<usize> {
    let cutoff = chrono::Utc::now() - chrono::Duration::from_std(interval / 2)?;
    let due = repositories::not_synced_since(db, cutoff).await?;
    for id in &due {
        jobs::request_sync(db, queue, *id).await?;
    }
    Ok(due.len())
}
