//! Push webhooks, the web process's fourth face: `POST /hooks/{repository id}`, public (the
//! signature is the proof), answered well within a second because it only asks for a sync.
//! A push to the default branch or a tag push requests one through the same path as the API
//! (a pending run absorbs it); other events and branches are acknowledged and ignored; a
//! delivery seen before is acknowledged once.

mod delivery;
pub mod secret;

use std::sync::Arc;

use gitdash_shared::queries::{repositories, webhooks};
use poem::{
    Body, IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tokio::io::AsyncReadExt;

use self::delivery::{Delivery, Event};
use crate::{error::json, repository_actions, state::AppState};

/// Push payloads of very large pushes stay under this; anything bigger is refused unread.
pub const MAX_HOOK_BODY: usize = 1024 * 1024;
/// How long a delivery id is remembered, so a redelivery is acknowledged once.
const DELIVERY_MEMORY_SECONDS: u64 = 24 * 3600;

#[handler]
pub async fn receive(req: &Request, Path(id): Path<i64>, body: Body, state: Data<&Arc<AppState>>) -> Response {
    let mut bytes = Vec::new();
    if body.into_async_read().take(MAX_HOOK_BODY as u64 + 1).read_to_end(&mut bytes).await.is_err() {
        return json(StatusCode::BAD_REQUEST, "the body could not be read");
    }
    if bytes.len() > MAX_HOOK_BODY {
        return json(StatusCode::PAYLOAD_TOO_LARGE, "webhook bodies are limited to 1 MiB");
    }
    let repository = match repositories::get(&state.db, id).await {
        Ok(repository) => repository,
        Err(gitdash_shared::QueryError::NotFound(_)) => return json(StatusCode::NOT_FOUND, "no such repository"),
        Err(err) => return crate::error::ApiError::from(err).into_response(),
    };
    let hook = match webhooks::current(&state.db, id).await {
        Ok(Some(hook)) => hook,
        Ok(None) => return json(StatusCode::NOT_FOUND, "this repository has no webhook; create one in gitdash first"),
        Err(err) => return crate::error::ApiError::from(err).into_response(),
    };
    let secret = secret::derive(state.auth.config.secret_key.expose(), id, hook.generation);
    let delivery = match Delivery::read(req.headers(), &bytes, &secret) {
        Ok(delivery) => delivery,
        Err(refusal) => {
            // The body is not logged: it is whatever anyone sent.
            tracing::warn!(repository = id, reason = %refusal, "webhook refused");
            return json(StatusCode::UNAUTHORIZED, &refusal);
        }
    };
    match delivery.event {
        Event::Ping => return json(StatusCode::OK, "pong"),
        Event::Other(name) => {
            return json(StatusCode::ACCEPTED, &format!("the {name} event is acknowledged and not used"));
        }
        Event::Push => {}
    }
    let reference = delivery.reference(&bytes);
    let wanted = match reference.as_deref() {
        Some(tag) if tag.starts_with("refs/tags/") => true,
        Some(branch) => match (branch.strip_prefix("refs/heads/"), repository.default_branch.as_deref()) {
            (Some(branch), Some(default)) => branch == default,
            // Not synced yet, so the default branch is not known: sync.
            (Some(_), None) => true,
            (None, _) => false,
        },
        None => true,
    };
    if !wanted {
        return json(StatusCode::ACCEPTED, "a push to another branch than the default one: acknowledged, not synced");
    }
    if let Some(id) = &delivery.id
        && !first_delivery(&state, repository.id, id).await
    {
        return json(StatusCode::OK, "this delivery was already received");
    }
    match repository_actions::request_sync(&state, repository.id).await {
        Ok(run) => {
            tracing::info!(
                repository = repository.id,
                sync_run = run.id,
                provider = delivery.provider,
                "webhook asked for a sync"
            );
            json(StatusCode::ACCEPTED, &format!("sync run {} is queued", run.id))
        }
        Err(err) => err.into_response(),
    }
}

/// Whether this delivery id is new for the repository (remembered in Redis for a day). When
/// Redis cannot answer, it counts as new: a repeated sync request is absorbed anyway.
async fn first_delivery(state: &AppState, repository: i64, delivery: &str) -> bool {
    let key = format!("{}:hook:{repository}:{delivery}", state.config.queue_name);
    let mut redis = state.redis.clone();
    let set: Result<Option<String>, _> = redis::cmd("SET")
        .arg(&key)
        .arg(1)
        .arg("NX")
        .arg("EX")
        .arg(DELIVERY_MEMORY_SECONDS)
        .query_async(&mut redis)
        .await;
    !matches!(set, Ok(None))
}
