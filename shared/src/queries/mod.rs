//! The query layer: every read and write of gitdash's tables goes through here, for the API,
//! the pages and the worker alike. Handlers never build SQL themselves.

pub mod commits;
pub mod index;
pub mod repositories;
pub mod sync_runs;

use chrono::{DateTime, Utc};

/// The database's idea of "now", truncated to microseconds so a value read back from
/// PostgreSQL compares equal to the one written.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
