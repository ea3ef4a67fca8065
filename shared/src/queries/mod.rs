//! The query layer: every read and write of gitdash's tables goes through here, for the API,
//! the pages and the worker alike. Handlers never build SQL themselves.

pub mod activity;
pub mod aggregates;
pub mod commits;
pub mod daily;
pub mod filters;
pub mod highlights;
pub mod index;
pub mod repositories;
pub mod stats;
pub mod sync_runs;
pub mod users;

use chrono::{DateTime, Utc};

/// Who is asking: every query that needs authorization takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub is_admin: bool,
}

impl Caller {
    /// The operator at the command line (`gitdash-worker index`): may do anything.
    pub const OPERATOR: Caller = Caller { user_id: 0, is_admin: true };

    /// The users id to record as author of a change, if the caller is a user.
    pub fn user(&self) -> Option<i64> {
        (self.user_id > 0).then_some(self.user_id)
    }
}

/// The database's idea of "now", truncated to microseconds so a value read back from
/// PostgreSQL compares equal to the one written.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
