//! gitdash's web process: the REST API (documented with OpenAPI, explorable at `/docs`) and,
//! later, the pages. `main.rs` only reads configuration and calls [`app::Application`].

pub mod api;
pub mod app;
pub mod error;
