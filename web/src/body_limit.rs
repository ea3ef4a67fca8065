//! A bound on every request body. The largest legitimate body gitdash takes is a form or
//! JSON with a repository URL (at most 2,048 characters) and a few fields, so anything past
//! [`MAX_BODY`] is refused with 413 before a handler reads or parses it — whether the client
//! declared its length or streams it in chunks. Webhooks (`/hooks/`) have their own bound.

use std::sync::Arc;

use poem::{Body, Endpoint, IntoResponse, Request, Response, http::StatusCode};
use tokio::io::AsyncReadExt;

use crate::error::json;

pub const MAX_BODY: usize = 64 * 1024;

pub async fn limit_bodies<E: Endpoint>(endpoint: Arc<E>, mut req: Request) -> poem::Result<Response> {
    // Webhook deliveries carry whole push payloads; their handler bounds them at 1 MiB.
    if req.uri().path().starts_with("/hooks/") {
        return Ok(endpoint.call(req).await?.into_response());
    }
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY as u64) {
        return Ok(too_large());
    }
    if declared != Some(0) && !req.method().is_safe() {
        // Read at most one byte past the bound: enough to know, never more.
        let mut bytes = Vec::new();
        let read = req.take_body().into_async_read().take(MAX_BODY as u64 + 1).read_to_end(&mut bytes).await;
        if read.is_err() {
            return Ok(json(StatusCode::BAD_REQUEST, "the request body could not be read"));
        }
        if bytes.len() > MAX_BODY {
            return Ok(too_large());
        }
        req.set_body(Body::from(bytes));
    }
    Ok(endpoint.call(req).await?.into_response())
}

fn too_large() -> Response {
    json(StatusCode::PAYLOAD_TOO_LARGE, &format!("the request body is larger than {} KiB", MAX_BODY / 1024))
}
