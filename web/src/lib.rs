//! gitdash's web process. `main.rs` only reads configuration and calls [`app::Application`].
//!
//! Its faces, each a folder: the pages people read (`pages/`), the REST API documented with
//! OpenAPI and explorable at `/docs` (`api/`), and sign-in (`auth/`); `ops/` serves health
//! and metrics. Below them sit what the faces share — the request state (`state.rs`), the
//! dashboard's view (`view.rs`), what people do to repositories (`repository_actions.rs`)
//! and the API's error type (`error.rs`) — and `app.rs` on top wires every route.

pub mod allow;
pub mod api;
pub mod app;
pub mod auth;
pub mod body_limit;
pub mod credential_check;
pub mod docs;
pub mod error;
pub mod hooks;
pub mod ops;
pub mod pages;
pub mod repository_actions;
pub mod route_template;
pub mod security_headers;
pub mod ssh_check;
pub mod state;
pub mod view;
