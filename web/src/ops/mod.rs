//! What operators and their tools ask of the web process: `/healthz`, `/readyz`, `/metrics`.

pub mod health;
pub mod metrics;
