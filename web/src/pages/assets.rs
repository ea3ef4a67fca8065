//! The stylesheet and the one script, compiled into the binary.

use poem::{IntoResponse, handler, http::header};

#[handler]
pub fn stylesheet() -> impl IntoResponse {
    include_str!("../../static/style.css")
        .with_content_type("text/css; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

/// The few lines of script the pages need (live sync progress), as a file: the CSP allows
/// no inline script.
#[handler]
pub fn live_script() -> impl IntoResponse {
    include_str!("../../static/live.js")
        .with_content_type("text/javascript; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}
