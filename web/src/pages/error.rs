//! The pages' one error type: what went wrong, answered as a page (never JSON). Not found is
//! 404, a refusal 403, bad input 422, a busy database or job queue 503; anything else is
//! logged in full and answered with an opaque 500 page naming the request's id, so a person
//! can quote it and an operator find the log lines.

use std::sync::Arc;

use gitdash_shared::QueryError;
use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode, middleware::ReqId};

use super::message::message;
use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unavailable(String),
    /// The detail was logged where it happened; the page says only that something failed.
    #[error("internal error")]
    Internal,
}

pub type PageResult = Result<Response, PageError>;

impl PageError {
    /// Logs `detail` and answers with an opaque page.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        PageError::Internal
    }

    pub fn busy() -> Self {
        PageError::Unavailable("The database is busy; try again shortly.".into())
    }
}

impl From<QueryError> for PageError {
    fn from(err: QueryError) -> Self {
        match err {
            QueryError::NotFound(what) => PageError::NotFound(not_found_text(what)),
            QueryError::Forbidden(why) => PageError::Forbidden(why),
            err if err.is_transient() => {
                tracing::warn!(error = %err, "database busy");
                PageError::busy()
            }
            err => PageError::internal(err),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        let text = err.message().to_owned();
        match err {
            ApiError::Forbidden(_) | ApiError::Unauthorized(_) => PageError::Forbidden(text),
            ApiError::BadRequest(_) | ApiError::TooLarge(_) | ApiError::UnsupportedMediaType(_) => {
                PageError::Invalid(text)
            }
            ApiError::NotFound(_) => PageError::NotFound(text),
            ApiError::Invalid(_) => PageError::Invalid(text),
            ApiError::Unavailable(_) => PageError::Unavailable(text),
            // Already logged where it was made.
            ApiError::Internal(_) => PageError::Internal,
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(err: askama::Error) -> Self {
        PageError::internal(format!("a page did not render: {err}"))
    }
}

fn not_found_text(what: &str) -> String {
    match what {
        "repository" => "There is no repository with this number.".into(),
        what => format!("There is no such {what}."),
    }
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page that says what went wrong; an internal error says nothing of its cause.
    fn page(&self, request_id: Option<&str>) -> Response {
        let status = self.status();
        match self {
            PageError::NotFound(text) => message(status, "Not found", text),
            PageError::Forbidden(text) => message(status, "Refused", text),
            PageError::Invalid(text) => message(status, "Not accepted", text),
            PageError::Unavailable(text) => message(status, "Unavailable", text),
            PageError::Internal => internal_page(request_id),
        }
    }
}

impl poem::error::ResponseError for PageError {
    fn status(&self) -> StatusCode {
        PageError::status(self)
    }

    fn as_response(&self) -> Response {
        self.page(None)
    }
}

fn internal_page(request_id: Option<&str>) -> Response {
    let text = match request_id {
        Some(id) => format!("Something went wrong on our side. If it happens again, tell your operator request {id}."),
        None => "Something went wrong on our side.".to_owned(),
    };
    message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &text)
}

/// Wraps the pages so that every error is answered as a page: an internal error names the
/// request's id (the same id as in the `X-Request-Id` header and on every log line of the
/// request), and what poem refuses before a handler runs (a path that is not a number, a
/// form that does not parse) gets a page with its status instead of JSON.
pub async fn answer_as_pages<E: Endpoint>(endpoint: Arc<E>, req: Request) -> poem::Result<Response> {
    let id = req.extensions().get::<ReqId>().map(|id| id.to_string());
    let err = match endpoint.call(req).await {
        Ok(response) => return Ok(response.into_response()),
        Err(err) => err,
    };
    if let Some(page_error) = err.downcast_ref::<PageError>() {
        return Ok(page_error.page(id.as_deref()));
    }
    if err.is_from_response() {
        return Ok(err.into_response());
    }
    let status = err.status();
    if status.is_server_error() {
        tracing::error!(error = %err, "a page failed");
        return Ok(internal_page(id.as_deref()));
    }
    Ok(message(status, status.canonical_reason().unwrap_or("Refused"), &refusal(&err)))
}

/// Answers a browser asking for an address no route serves with the not-found page in the
/// normal frame; API clients (and any request not asking for HTML) keep the JSON answer.
pub async fn unknown_paths_as_pages<E: Endpoint>(endpoint: Arc<E>, req: Request) -> poem::Result<Response> {
    let wants_html = req
        .headers()
        .get(poem::http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let api = req.uri().path().starts_with("/api/");
    match endpoint.call(req).await {
        Err(err) if wants_html && !api && err.status() == StatusCode::NOT_FOUND && !err.is_from_response() => {
            Ok(message(StatusCode::NOT_FOUND, "Not found", "There is no page at this address."))
        }
        other => other.map(IntoResponse::into_response),
    }
}

/// What poem's refusal says, for people: the address or the form was not understood.
fn refusal(err: &poem::Error) -> String {
    match err.status() {
        StatusCode::NOT_FOUND => "There is no page at this address.".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => "This page does not take that kind of request.".to_owned(),
        _ => format!("This request was not understood: {err}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_errors_become_pages_with_their_status() {
        let status = |err: QueryError| PageError::from(err).page(None).status();
        assert_eq!(status(QueryError::NotFound("repository")), StatusCode::NOT_FOUND);
        assert_eq!(status(QueryError::Forbidden("not yours".into())), StatusCode::FORBIDDEN);
        assert_eq!(status(QueryError::Internal("broken")), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
