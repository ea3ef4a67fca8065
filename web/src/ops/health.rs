//! `/healthz`: the process is alive. `/readyz`: it can serve — the database and Redis answer
//! and the sign-in provider's discovery document has been read.

use std::{sync::Arc, time::Duration};

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Data, Json},
};
use serde_json::json;

use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

#[handler]
pub async fn readyz(state: Data<&Arc<AppState>>) -> Response {
    let database = tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()).await.is_ok_and(|r| r.is_ok());
    let mut redis = state.redis.clone();
    let redis = tokio::time::timeout(CHECK_TIMEOUT, redis::cmd("PING").query_async::<String>(&mut redis))
        .await
        .is_ok_and(|r| r.is_ok());
    let provider = state.auth.provider.current().is_some();
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let ready = database && redis && provider;
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "checks": { "database": word(database), "redis": word(redis), "provider": word(provider) },
    });
    Json(body).with_status(if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }).into_response()
}
