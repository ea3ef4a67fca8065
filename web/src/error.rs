//! The web's one error type and its mapping to responses.
//!
//! Policy: every error is JSON `{"message": ...}`. Not-found maps to 404, bad input to 400 or
//! 422, a busy database or an unreachable Redis to 503; anything else is logged in full and
//! answered with an opaque 500, so internals never reach a client.

use gitdash_shared::QueryError;
use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

#[derive(Debug, Object)]
pub struct ErrorBody {
    /// What went wrong, for people.
    pub message: String,
}

/// The error answer of every API operation; documented in the OpenAPI spec. The first four
/// are answered before an operation runs (by the sign-in guard, the body bound and the
/// parameter parsers) and are listed so that the document names every status a client sees.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// A parameter or the body could not be read (not a number, not a date, not JSON).
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No valid access token or session; `WWW-Authenticate` says why.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The body is larger than 64 KiB.
    #[oai(status = 413)]
    TooLarge(Json<ErrorBody>),
    /// The body is not JSON (`Content-Type: application/json` is needed).
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Not allowed for the signed-in user; `message` says why.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such resource.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The parameters do not make sense together; `message` says why.
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
    /// The database or the job queue is busy or unreachable; try again shortly.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    /// Something unexpected failed; the details are in the server's log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(body(format!("{what} not found")))
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::Invalid(body(message.into()))
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError::Unavailable(body(message.into()))
    }

    /// Logs `detail` and answers with an opaque message.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        ApiError::Internal(body("internal error".into()))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ApiError::BadRequest(b)
            | ApiError::Unauthorized(b)
            | ApiError::TooLarge(b)
            | ApiError::UnsupportedMediaType(b)
            | ApiError::Forbidden(b)
            | ApiError::NotFound(b)
            | ApiError::Invalid(b)
            | ApiError::Unavailable(b)
            | ApiError::Internal(b) => &b.message,
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(err: QueryError) -> Self {
        match err {
            QueryError::NotFound(what) => ApiError::not_found(what),
            QueryError::Forbidden(why) => ApiError::Forbidden(body(why)),
            err if err.is_transient() => ApiError::unavailable("the database is busy; try again shortly"),
            err => ApiError::internal(err),
        }
    }
}

pub fn body(message: String) -> Json<ErrorBody> {
    Json(ErrorBody { message })
}

/// Turns every error poem produces (unknown route, malformed JSON, bad path parameter) into
/// the same JSON shape.
pub async fn json_error_response(err: poem::Error) -> Response {
    // Our own `ApiError`s already are JSON responses with their message.
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let message = if status == StatusCode::NOT_FOUND {
        "not found".to_owned()
    } else if status.is_server_error() {
        tracing::error!(error = %err, "unhandled error");
        "internal error".to_owned()
    } else {
        err.to_string()
    };
    json(status, &message)
}

/// `{"message": ...}` with `status`.
pub fn json(status: StatusCode, message: &str) -> Response {
    Json(ErrorBody { message: message.to_owned() }).with_status(status).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_errors_map_to_statuses() {
        assert_eq!(ApiError::from(QueryError::NotFound("repository")).status(), StatusCode::NOT_FOUND);
        assert_eq!(ApiError::unavailable("x").status(), StatusCode::SERVICE_UNAVAILABLE);
        let internal = ApiError::internal("secret detail");
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(internal.message(), "internal error");
    }
}
