//! The stylesheet, the one script and the landing page's picture, compiled into the binary.

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

/// What a repository's overview looks like, for the signed-out landing page: the README's
/// screenshot, which `scripts/screenshots` makes from the browser test.
#[handler]
pub fn overview_picture() -> impl IntoResponse {
    include_bytes!("../../../docs/screenshots/overview.png")
        .as_slice()
        .with_content_type("image/png")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}
