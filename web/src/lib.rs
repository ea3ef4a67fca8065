//! gitdash's web process: sign-in, the REST API (documented with OpenAPI, explorable at
//! `/docs`) and the pages. `main.rs` only reads configuration and calls [`app::Application`].

pub mod api;
pub mod app;
pub mod auth;
pub mod charts;
pub mod commits_page;
pub mod committers;
pub mod error;
pub mod health;
pub mod metrics;
pub mod overview;
pub mod pages;
pub mod repositories_page;
pub mod repository_actions;
pub mod statistics;
pub mod view;
