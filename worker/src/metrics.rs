//! The worker's own small HTTP endpoint (`GITDASH_WORKER_LISTEN`, default 127.0.0.1:5001):
//! `/healthz`, `/readyz` (database and Redis answer) and `/metrics` in the Prometheus
//! (OpenMetrics) text format: jobs started, succeeded, failed, retried and handed back, their
//! duration, commits indexed, and the queue's depth.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use gitdash_shared::jobs::SyncQueue;
use poem::{
    EndpointExt, IntoResponse, Response, Route, Server, get, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    web::Data,
};
use prometheus_client::{
    encoding::text::encode,
    metrics::{
        counter::Counter,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};
use redis::aio::ConnectionManager;
use sea_orm::DatabaseConnection;

pub struct WorkerMetrics {
    registry: Registry,
    pub jobs_started: Counter,
    pub jobs_succeeded: Counter,
    pub jobs_failed: Counter,
    pub jobs_retried: Counter,
    pub jobs_handed_back: Counter,
    pub job_duration: Histogram,
    pub commits_indexed: Counter,
    queue_depth: Gauge,
}

impl Default for WorkerMetrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("gitdash_worker");
        let metrics = Self {
            registry: Registry::default(),
            jobs_started: Counter::default(),
            jobs_succeeded: Counter::default(),
            jobs_failed: Counter::default(),
            jobs_retried: Counter::default(),
            jobs_handed_back: Counter::default(),
            // 100 ms to about 14 hours.
            job_duration: Histogram::new(exponential_buckets(0.1, 2.0, 20)),
            commits_indexed: Counter::default(),
            queue_depth: Gauge::default(),
        };
        registry.register("jobs_started", "Sync jobs started", metrics.jobs_started.clone());
        registry.register("jobs_succeeded", "Sync jobs that succeeded", metrics.jobs_succeeded.clone());
        registry.register("jobs_failed", "Sync jobs that failed for good", metrics.jobs_failed.clone());
        registry.register(
            "jobs_retried",
            "Sync jobs queued again after a transient failure",
            metrics.jobs_retried.clone(),
        );
        registry.register(
            "jobs_handed_back",
            "Sync jobs handed back by a stopping worker",
            metrics.jobs_handed_back.clone(),
        );
        registry.register("job_duration_seconds", "Time a sync job ran", metrics.job_duration.clone());
        registry.register("commits_indexed", "Commits written to the database", metrics.commits_indexed.clone());
        registry.register("queue_depth", "Sync jobs waiting in Redis, due or scheduled", metrics.queue_depth.clone());
        Self { registry, ..metrics }
    }
}

struct State {
    metrics: Arc<WorkerMetrics>,
    db: DatabaseConnection,
    redis: ConnectionManager,
    queue: SyncQueue,
}

/// Serves the endpoint until the process ends. A port already taken is logged, not fatal:
/// syncing matters more than being watched.
pub async fn serve(
    listen: SocketAddr,
    metrics: Arc<WorkerMetrics>,
    db: DatabaseConnection,
    redis: ConnectionManager,
    queue: SyncQueue,
) {
    let acceptor = match TcpListener::bind(listen).into_acceptor().await {
        Ok(acceptor) => acceptor,
        Err(err) => {
            tracing::warn!(%listen, error = %err, "GITDASH_WORKER_LISTEN: cannot listen; no health or metrics endpoint");
            return;
        }
    };
    if let Some(addr) = acceptor.local_addr().first().and_then(|a| a.as_socket_addr().copied()) {
        tracing::info!("worker health and metrics on http://{addr}");
    }
    let state = Arc::new(State { metrics, db, redis, queue });
    let app =
        Route::new().at("/healthz", get(healthz)).at("/readyz", get(readyz)).at("/metrics", get(render)).data(state);
    if let Err(err) = Server::new_with_acceptor(acceptor).run(app).await {
        tracing::warn!(error = %err, "the worker's health endpoint stopped");
    }
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(state: Data<&Arc<State>>) -> Response {
    let timeout = Duration::from_secs(2);
    let database = tokio::time::timeout(timeout, state.db.ping()).await.is_ok_and(|r| r.is_ok());
    let mut redis = state.redis.clone();
    let redis = tokio::time::timeout(timeout, redis::cmd("PING").query_async::<String>(&mut redis))
        .await
        .is_ok_and(|r| r.is_ok());
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let ready = database && redis;
    poem::web::Json(serde_json::json!({
        "status": if ready { "ready" } else { "not ready" },
        "checks": { "database": word(database), "redis": word(redis) },
    }))
    .with_status(if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE })
    .into_response()
}

#[handler]
async fn render(state: Data<&Arc<State>>) -> Response {
    let config = state.queue.get_config();
    let mut redis = state.redis.clone();
    let depth: Result<(i64, i64), _> =
        redis::pipe().llen(config.active_jobs_list()).zcard(config.scheduled_jobs_set()).query_async(&mut redis).await;
    if let Ok((active, scheduled)) = depth {
        state.metrics.queue_depth.set(active + scheduled);
    }
    let mut text = String::new();
    if encode(&mut text, &state.metrics.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    text.with_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8").into_response()
}
