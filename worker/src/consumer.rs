//! The queue consumer: `gitdash-worker` with no arguments.
//!
//! Around apalis it adds what its Redis backend lacks (each measured against apalis-redis
//! 1.0; ARCHITECTURE.md, "Around apalis-redis 1.0", lists them with their tests):
//! - every run of the consumer registers under a fresh, unique worker name, so a restart
//!   never collides with its own previous registration and orphan recovery works;
//! - the worker polls every 100 ms instead of waiting up to 30 s for a heartbeat;
//! - due jobs are moved from the scheduled set to the active list in bounded chunks by a
//!   promoter of our own, because apalis's fetch script moves all of them with one Lua
//!   `unpack` and dies past about 8,000;
//! - the database is the truth about pending syncs: when the queue is empty but runs have
//!   waited long (Redis was restarted or flushed), their jobs are pushed again;
//! - every repository is synced again on a schedule (`schedule.rs`);
//! - clones of deleted repositories are removed (`clones.rs`);
//! - when the apalis worker stops on a backend error (a Redis timeout ends its stream), the
//!   consumer logs it and starts a new one instead of idling for ever.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use apalis::prelude::*;
use gitdash_shared::{Config, jobs};
use redis::aio::ConnectionManager;

use crate::{
    job::{JobContext, run_sync_job},
    sync::SyncContext,
};

const POLL_INTERVAL: Duration = Duration::from_millis(100);
const PROMOTE_INTERVAL: Duration = Duration::from_millis(200);
const PROMOTE_CHUNK: usize = 1000;
/// How long a stopping worker lets its running syncs finish before it exits; an unfinished
/// sync's lease then runs out and another worker resumes it.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(25);

/// Runs the consumer on the configured queue until `shutdown` resolves.
pub async fn run(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let stopping = Arc::new(AtomicBool::new(false));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    {
        let stopping = stopping.clone();
        tokio::spawn(async move {
            shutdown.await;
            stopping.store(true, Ordering::SeqCst);
            let _ = stop_tx.send(true);
        });
    }

    // Started while Redis is down, the worker waits for it; a stop signal meanwhile is a
    // clean stop, like any other.
    let connected = async {
        let db = gitdash_shared::db::connect(&config.database_url).await?;
        let redis = jobs::connect_redis_when_up(&config.redis_url).await?;
        let queue = jobs::queue_on(jobs::connect_redis_when_up(&config.redis_url).await?, &config.queue_name);
        anyhow::Ok((db, queue, redis))
    };
    let mut stop = stop_rx.clone();
    let (db, queue, redis) = tokio::select! {
        connected = connected => connected?,
        _ = stop.wait_for(|s| *s) => {
            tracing::info!("stopped before Redis answered");
            return Ok(());
        }
    };
    let concurrency = config.worker_concurrency;
    let sync = SyncContext { db, config: Arc::new(config), turns: Default::default() };

    // Drain a backlog before the first fetch, then keep the scheduled set small (the
    // promoter tries again if Redis went away meanwhile).
    if let Err(error) = promote_due(&mut redis.clone(), queue.get_config()).await {
        tracing::warn!(%error, "could not promote scheduled jobs");
    }
    let promoter = tokio::spawn(promote_forever(redis.clone(), queue.get_config().clone()));
    let recoverer = tokio::spawn(recover_lost_jobs_forever(sync.db.clone(), queue.clone(), redis.clone()));
    let tidier = tokio::spawn(crate::clones::tidy_forever(sync.db.clone(), sync.config.clone()));
    let metrics = Arc::new(crate::metrics::WorkerMetrics::default());
    let endpoint = sync.config.worker_listen.map(|listen| {
        tokio::spawn(crate::metrics::serve(listen, metrics.clone(), sync.db.clone(), redis.clone(), queue.clone()))
    });
    let scheduler = sync.config.resync_interval.map(|interval| {
        tokio::spawn(crate::schedule::resync_forever(
            sync.db.clone(),
            queue.clone(),
            redis.clone(),
            interval,
            sync.config.queue_name.clone(),
            unique_worker_name(),
        ))
    });

    while !stopping.load(Ordering::SeqCst) {
        let name = unique_worker_name();
        tracing::info!(worker = %name, concurrency, "taking sync jobs");
        let ctx = Arc::new(JobContext {
            sync: sync.clone(),
            queue: queue.clone(),
            worker_name: name.clone(),
            stop: stop_rx.clone(),
            metrics: metrics.clone(),
        });
        let backend = queue.clone().poll_with_interval(POLL_INTERVAL);
        let monitor = Monitor::new()
            .register(move |_| {
                WorkerBuilder::new(name.clone())
                    .backend(backend.clone())
                    .enable_tracing()
                    .concurrency(concurrency)
                    .data(ctx.clone())
                    .build(run_sync_job)
            })
            .shutdown_timeout(SHUTDOWN_TIMEOUT);
        let mut stop = stop_rx.clone();
        let signal = async move {
            let _ = stop.wait_for(|s| *s).await;
            Ok(())
        };
        let result = monitor.run_with_signal(signal).await;
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        tracing::error!(
            ?result,
            "the job consumer stopped on its own (Redis unreachable or timed out); starting a new one in 2 s"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    promoter.abort();
    recoverer.abort();
    tidier.abort();
    for task in [scheduler, endpoint].into_iter().flatten() {
        task.abort();
    }
    tracing::info!("worker stopped");
    Ok(())
}

/// A name no other worker has had: host, process id and a random suffix.
pub fn unique_worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into());
    format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// Moves due jobs from apalis's scheduled set to its active list, at most
/// [`PROMOTE_CHUNK`] per script call. Returns how many moved.
pub async fn promote_due(
    conn: &mut ConnectionManager,
    config: &apalis_redis::Config,
) -> Result<usize, redis::RedisError> {
    let script = redis::Script::new(
        r"
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], 0, ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        if #due > 0 then
            redis.call('RPUSH', KEYS[2], unpack(due))
            redis.call('ZREM', KEYS[1], unpack(due))
        end
        return #due
        ",
    );
    let mut total = 0;
    loop {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
        let moved: usize = script
            .key(config.scheduled_jobs_set())
            .key(config.active_jobs_list())
            .arg(now)
            .arg(PROMOTE_CHUNK)
            .invoke_async(conn)
            .await?;
        total += moved;
        if moved < PROMOTE_CHUNK {
            return Ok(total);
        }
    }
}

async fn promote_forever(mut conn: ConnectionManager, config: apalis_redis::Config) {
    let mut ticker = tokio::time::interval(PROMOTE_INTERVAL);
    loop {
        ticker.tick().await;
        if let Err(err) = promote_due(&mut conn, &config).await {
            tracing::warn!(error = %err, "could not promote scheduled jobs");
        }
    }
}

/// How long a queued run may wait, or a running one go without a heartbeat, before its job
/// is presumed lost.
pub const LOST_AFTER: Duration = Duration::from_secs(60);
const RECOVER_INTERVAL: Duration = Duration::from_secs(20);

/// Pushes jobs again for runs the queue no longer knows about. It only acts when the queue
/// holds nothing at all, so in normal operation it never adds a job; a duplicate push would
/// be harmless anyway (the claim lets one job run a run).
pub async fn recover_lost_jobs(
    db: &sea_orm::DatabaseConnection,
    queue: &jobs::SyncQueue,
    conn: &mut ConnectionManager,
) -> anyhow::Result<usize> {
    let config = queue.get_config();
    let (scheduled, active): (usize, usize) =
        redis::pipe().zcard(config.scheduled_jobs_set()).llen(config.active_jobs_list()).query_async(conn).await?;
    if scheduled + active > 0 {
        return Ok(0);
    }
    let lost = gitdash_shared::queries::sync_runs::stale(db, LOST_AFTER, 1000).await?;
    for run in &lost {
        jobs::enqueue(queue, jobs::SyncJob { sync_run_id: run.id, repository_id: run.repository_id }, None).await?;
    }
    if !lost.is_empty() {
        tracing::warn!(
            count = lost.len(),
            "queued sync runs had no job in Redis (was it restarted?); queued them again"
        );
    }
    Ok(lost.len())
}

async fn recover_lost_jobs_forever(
    db: sea_orm::DatabaseConnection,
    queue: jobs::SyncQueue,
    mut conn: ConnectionManager,
) {
    let mut ticker = tokio::time::interval(RECOVER_INTERVAL);
    loop {
        ticker.tick().await;
        if let Err(err) = recover_lost_jobs(&db, &queue, &mut conn).await {
            tracing::warn!(error = %err, "could not check for lost sync jobs");
        }
    }
}
