//! The repository-sync job and the Redis queue that carries it.
//!
//! The queue only says "look at sync run N"; the sync run row in the database is the truth
//! about what is queued, running or done. That keeps delivery at-least-once safe: a job
//! delivered twice finds its run already claimed or finished and does nothing.
//!
//! apalis-redis settings chosen against the pitfalls measured in its 1.0 release:
//! - workers heartbeat every 5 s and are declared dead after 3 missed beats, so a killed
//!   worker's job is re-queued within about 15 s instead of the default 300 s;
//! - each worker fetches one job at a time, so a busy worker does not sit on jobs an idle
//!   one could run, and a crash orphans at most the job it was running.

use std::time::Duration;

use apalis_core::{backend::TaskSink, task::builder::TaskBuilder};
use apalis_redis::{ConnectionManager, RedisStorage};
use serde::{Deserialize, Serialize};

/// The queue's default name (`GITDASH_QUEUE` chooses another).
pub const SYNC_QUEUE: &str = crate::config::DEFAULT_QUEUE;
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(5);
pub const MISSED_HEARTBEATS: usize = 3;

/// "Run sync run `sync_run_id` of repository `repository_id`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncJob {
    pub sync_run_id: i64,
    pub repository_id: i64,
}

pub type SyncQueue = RedisStorage<SyncJob>;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("cannot reach Redis: {0}")]
    Connect(#[from] redis::RedisError),
    #[error("cannot queue the job in Redis: {0}")]
    Push(String),
}

pub fn queue_config(queue: &str) -> apalis_redis::Config {
    apalis_redis::Config::default()
        .queue(queue)
        .heartbeat_interval(HEARTBEAT_INTERVAL)
        .missed_heartbeats(MISSED_HEARTBEATS)
        .batch_size(1)
}

/// Opens a managed Redis connection. The response timeout is raised from redis-rs's 500 ms:
/// a slow answer under load must not count as a dead connection.
pub async fn connect_redis(redis_url: &str) -> Result<ConnectionManager, QueueError> {
    let client = redis::Client::open(redis_url)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_response_timeout(Some(Duration::from_secs(10)))
        .set_connection_timeout(Some(Duration::from_secs(5)))
        .set_number_of_retries(3);
    Ok(client.get_connection_manager_with_config(config).await?)
}

/// Opens a managed Redis connection like [`connect_redis`], but while Redis does not answer
/// (down, restarting, its host name not resolvable yet) it waits and tries again, saying so
/// at warn, instead of failing: a process started during an outage comes up when Redis does.
/// It ends only when Redis answers or the answer cannot improve by waiting (an address that
/// does not parse, a refused password). Callers race it against their stop signal.
pub async fn connect_redis_when_up(redis_url: &str) -> Result<ConnectionManager, QueueError> {
    const LONGEST_WAIT: Duration = Duration::from_secs(5);
    let mut wait = Duration::from_millis(250);
    let mut waited = false;
    loop {
        match connect_redis(redis_url).await {
            Ok(connection) => {
                if waited {
                    tracing::info!("Redis (REDIS_URL) answers now");
                }
                return Ok(connection);
            }
            Err(QueueError::Connect(err)) if worth_waiting_for(&err) => {
                // The error names the failure (refused, timed out, no such host), never the
                // address with its password.
                tracing::warn!(error = %err, "Redis (REDIS_URL) does not answer; trying again in {wait:?}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LONGEST_WAIT);
                waited = true;
            }
            Err(err) => return Err(err),
        }
    }
}

/// Whether Redis may answer later: a network failure or a server still loading its data.
fn worth_waiting_for(err: &redis::RedisError) -> bool {
    err.is_io_error()
        || matches!(
            err.kind(),
            redis::ErrorKind::Server(
                redis::ServerErrorKind::BusyLoading
                    | redis::ServerErrorKind::TryAgain
                    | redis::ServerErrorKind::MasterDown
            )
        )
}

/// The queue on `queue` (normally [`SYNC_QUEUE`]; tests use their own names).
pub async fn connect_queue(redis_url: &str, queue: &str) -> Result<SyncQueue, QueueError> {
    Ok(queue_on(connect_redis(redis_url).await?, queue))
}

/// The queue on an open connection: a process that checks its readiness on the same
/// connection knows whether its pushes can land.
pub fn queue_on(conn: ConnectionManager, queue: &str) -> SyncQueue {
    RedisStorage::new(conn).with_config(queue_config(queue))
}

/// Pushes `job`, to run now or after `delay`.
pub async fn enqueue(queue: &SyncQueue, job: SyncJob, delay: Option<Duration>) -> Result<(), QueueError> {
    let mut queue = queue.clone();
    let mut task = TaskBuilder::new(job);
    if let Some(delay) = delay {
        task = task.run_after(delay);
    }
    queue.push_task(task.build()).await.map_err(|e| QueueError::Push(e.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum RequestSyncError {
    #[error(transparent)]
    Query(#[from] crate::QueryError),
    /// The run stays queued: the workers push its job again once Redis answers (they look
    /// for queued runs the queue does not hold), and asking again finds the same run.
    #[error("the job queue (Redis) is unavailable: {0}")]
    QueueUnavailable(QueueError),
}

/// The pause before pushing a job a second time: a connection to a restarted Redis fails
/// its first command, and reconnects for the next.
const PUSH_RETRY_AFTER: Duration = Duration::from_millis(250);

/// The repository's pending sync run, or a new one with its job pushed. The push is tried
/// twice; a queue outage never fails the run, which stays queued until Redis is back.
pub async fn request_sync(
    db: &impl sea_orm::ConnectionTrait,
    queue: &SyncQueue,
    repository_id: i64,
) -> Result<crate::entities::sync_run::Model, RequestSyncError> {
    let (run, created) = crate::queries::sync_runs::request(db, repository_id).await?;
    if created {
        let job = SyncJob { sync_run_id: run.id, repository_id };
        if let Err(first) = enqueue(queue, job, None).await {
            tracing::warn!(sync_run = run.id, error = %first, "could not queue a sync; trying once more");
            tokio::time::sleep(PUSH_RETRY_AFTER).await;
            if let Err(err) = enqueue(queue, job, None).await {
                tracing::error!(sync_run = run.id, error = %err, "could not queue a sync; it stays queued");
                return Err(RequestSyncError::QueueUnavailable(err));
            }
        }
    }
    Ok(run)
}
