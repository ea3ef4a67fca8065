//! A JSON answer written straight from its Rust value with serde, and described in the
//! OpenAPI document exactly as poem-openapi's `Json<T>` would be. poem-openapi's own `Json`
//! first builds a `serde_json::Value` tree of the whole answer; for lists of thousands of
//! rows (a long history's committers) that tree cost more than the rest of the request.

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{
    ApiResponse,
    payload::Json,
    registry::{MetaResponses, Registry},
    types::ToJSON,
};
use serde::Serialize;

/// `T` must serialize with serde to what its `ToJSON` gives (same field names).
pub struct FastJson<T>(pub T);

impl<T: Serialize + Send> IntoResponse for FastJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder().content_type("application/json; charset=utf-8").body(body),
            Err(error) => {
                tracing::error!(%error, "could not write a JSON answer");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

impl<T: ToJSON + Send> ApiResponse for FastJson<T> {
    fn meta() -> MetaResponses {
        Json::<T>::meta()
    }

    fn register(registry: &mut Registry) {
        Json::<T>::register(registry);
    }
}
