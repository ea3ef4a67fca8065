//! The repository-sync job: claim the sync run, keep its lease while syncing, record the
//! outcome. Retries are decided here, from the run's own attempt counter in the database,
//! not by apalis: its backend retries failed jobs up to 25 times and never counts a crash
//! as an attempt, so the handler only returns an error when it could not reach the
//! database or Redis at all.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use gitdash_shared::{
    QueryError,
    db::WriteTurns,
    jobs::{self, QueueError, SyncJob, SyncQueue},
    queries::sync_runs::{self, Claim},
};
use tokio::sync::watch;

use crate::sync::{Progress, SyncContext, SyncError, SyncOutcome, sync_repository};

/// How often a running sync renews its lease and writes its progress.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// After a stop signal, a running sync has this long to finish; then it is interrupted and
/// handed back to the queue for another worker (well within the consumer's shutdown timeout).
pub const HAND_BACK_AFTER: Duration = Duration::from_secs(15);

/// Everything a job needs, shared by all jobs of a worker process.
pub struct JobContext {
    pub sync: SyncContext,
    pub queue: SyncQueue,
    pub worker_name: String,
    /// Turns true when the worker is asked to stop.
    pub stop: watch::Receiver<bool>,
    pub metrics: Arc<crate::metrics::WorkerMetrics>,
}

/// Why a job could not even record its outcome; apalis then delivers it again later.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Database(#[from] QueryError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// The apalis handler.
pub async fn run_sync_job(job: SyncJob, ctx: apalis_core::task::data::Data<Arc<JobContext>>) -> Result<(), JobError> {
    execute(&ctx, job).await.map_err(|err| {
        tracing::error!(sync_run = job.sync_run_id, error = %err, "sync job could not reach its stores; apalis will retry it");
        err
    })
}

/// Runs one sync job to its end. Errors mean the database or Redis could not be reached.
pub async fn execute(ctx: &JobContext, job: SyncJob) -> Result<(), JobError> {
    let db = &ctx.sync.db;
    let worker = ctx.worker_name.as_str();
    let run = match sync_runs::claim(db, job.sync_run_id, worker).await? {
        Claim::Finished => {
            tracing::debug!(sync_run = job.sync_run_id, "already finished; nothing to do");
            return Ok(());
        }
        Claim::HeldElsewhere { retry_after } => {
            // Look again once the other worker's lease may have run out: if it died, this
            // job takes over; if it finishes, this job finds the run done.
            tracing::info!(sync_run = job.sync_run_id, ?retry_after, "held by another worker; checking again later");
            return jobs::enqueue(&ctx.queue, job, Some(retry_after)).await.map_err(JobError::from);
        }
        Claim::Claimed(run) => run,
    };
    // A run is started at most this many times: transient failures retry with backoff until
    // then, and a run whose worker died each time (a crash is no failure to apalis) ends here.
    let max_attempts = ctx.sync.config.sync_max_attempts as i32;
    if run.attempt > max_attempts {
        let message = format!(
            "gave up after {max_attempts} attempts{}",
            run.error
                .as_deref()
                .map(|e| format!("; the last error was: {e}"))
                .unwrap_or_else(|| ": the worker stopped during each one".into())
        );
        sync_runs::fail(db, run.id, Some(worker), &message).await?;
        return Ok(());
    }
    tracing::info!(sync_run = run.id, repository = run.repository_id, attempt = run.attempt, "sync started");
    let metrics = &ctx.metrics;
    metrics.jobs_started.inc();
    let started = std::time::Instant::now();

    let (progress_tx, _) = watch::channel(Progress::default());
    let stop = Some(ctx.stop.clone());
    let Some(result) = sync_with_lease(&ctx.sync, run.id, run.repository_id, worker, &progress_tx, stop).await else {
        tracing::warn!(sync_run = run.id, "lost the lease to another worker; leaving the run to it");
        return Ok(());
    };
    metrics.job_duration.observe(started.elapsed().as_secs_f64());
    match result {
        Ok(outcome) => {
            sync_runs::succeed(db, run.id, worker, outcome.commits_added as i64, outcome.commits_removed as i64)
                .await?;
            metrics.jobs_succeeded.inc();
            metrics.commits_indexed.inc_by(outcome.commits_added);
            tracing::info!(
                sync_run = run.id,
                added = outcome.commits_added,
                removed = outcome.commits_removed,
                "sync succeeded"
            );
        }
        Err(SyncError::RepositoryGone) => {
            tracing::info!(sync_run = run.id, "repository deleted during its sync")
        }
        Err(SyncError::Git(crate::git::GitError::Interrupted)) if *ctx.stop.borrow() => {
            // Nothing indexed so far is lost: the next worker's walk finds it and goes on.
            tracing::info!(sync_run = run.id, "worker stopping; handing the sync back to the queue");
            sync_runs::release_for_retry(db, run.id, worker, "handed back by a stopping worker").await?;
            jobs::enqueue(&ctx.queue, job, None).await?;
            metrics.jobs_handed_back.inc();
        }
        Err(err) if err.is_transient() && run.attempt < max_attempts => {
            let delay = backoff(ctx.sync.config.sync_retry_delay_seconds as u64, run.attempt);
            tracing::warn!(sync_run = run.id, error = %err, ?delay, "sync failed for now; retrying");
            sync_runs::release_for_retry(db, run.id, worker, &err.to_string()).await?;
            jobs::enqueue(&ctx.queue, job, Some(delay)).await?;
            metrics.jobs_retried.inc();
        }
        Err(err) => {
            tracing::warn!(sync_run = run.id, error = %err, "sync failed");
            sync_runs::fail(db, run.id, Some(worker), &err.to_string()).await?;
            metrics.jobs_failed.inc();
        }
    }
    Ok(())
}

/// Runs the sync of a claimed run while renewing its lease and recording its progress.
/// `None` when the lease was lost on the way (another worker took the run over, or the
/// repository was deleted): the caller must then leave the run alone.
pub async fn sync_with_lease(
    sync: &SyncContext,
    run_id: i64,
    repository_id: i64,
    worker: &str,
    progress: &watch::Sender<Progress>,
    stop: Option<watch::Receiver<bool>>,
) -> Option<Result<SyncOutcome, SyncError>> {
    let interrupt = Arc::new(AtomicBool::new(false));
    let stopper = stop.map(|mut stop| {
        let interrupt = interrupt.clone();
        tokio::spawn(async move {
            if stop.wait_for(|stopping| *stopping).await.is_ok() {
                tokio::time::sleep(HAND_BACK_AFTER).await;
                interrupt.store(true, Ordering::Relaxed);
            }
        })
    });
    let lease_lost = Arc::new(AtomicBool::new(false));
    let keeper = tokio::spawn(keep_lease(
        sync.db.clone(),
        sync.turns.clone(),
        run_id,
        worker.to_owned(),
        progress.subscribe(),
        interrupt.clone(),
        lease_lost.clone(),
    ));
    let result = sync_repository(sync, repository_id, progress, interrupt).await;
    keeper.abort();
    if let Some(stopper) = stopper {
        stopper.abort();
    }
    (!lease_lost.load(Ordering::Relaxed)).then_some(result)
}

/// `base`, then four times longer each retry (5 s, 20 s, 80 s, 320 s by default): transient
/// trouble gets time to clear.
pub fn backoff(base_seconds: u64, attempt: i32) -> Duration {
    Duration::from_secs(base_seconds * 4u64.pow(attempt.clamp(1, 6) as u32 - 1))
}

/// Renews the lease and writes progress until aborted; stops the sync when the lease is
/// no longer this worker's.
async fn keep_lease(
    db: sea_orm::DatabaseConnection,
    turns: WriteTurns,
    run_id: i64,
    worker: String,
    progress: watch::Receiver<Progress>,
    interrupt: Arc<AtomicBool>,
    lease_lost: Arc<AtomicBool>,
) {
    let mut ticker = tokio::time::interval(HEARTBEAT);
    loop {
        ticker.tick().await;
        let current = progress.borrow().clone();
        let renewed = {
            let _turn = turns.take().await;
            sync_runs::heartbeat(&db, run_id, &worker, &current.describe(), current.percent()).await
        };
        match renewed {
            Ok(true) => {}
            Ok(false) => {
                lease_lost.store(true, Ordering::Relaxed);
                interrupt.store(true, Ordering::Relaxed);
                return;
            }
            // The database may be briefly unreachable; the lease outlives a few missed beats.
            Err(err) => {
                tracing::warn!(sync_run = run_id, error = %err, "could not renew the lease")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_fourfold() {
        assert_eq!(backoff(5, 1), Duration::from_secs(5));
        assert_eq!(backoff(5, 2), Duration::from_secs(20));
        assert_eq!(backoff(5, 4), Duration::from_secs(320));
    }
}
