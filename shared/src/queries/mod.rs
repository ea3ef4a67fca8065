//! The query layer: every read and write of gitdash's tables goes through here, for the API,
//! the pages and the worker alike. Handlers never build SQL themselves.

pub mod activity;
pub mod aggregates;
pub mod coauthors;
pub mod commits;
pub mod commits_under;
pub mod coupling;
pub mod credentials;
pub mod daily;
pub mod file;
pub mod files;
pub mod filters;
pub mod growth;
pub mod highlights;
pub mod index;
pub mod ownership;
pub mod person;
pub mod repositories;
pub mod stats;
pub mod summaries;
pub mod sync_runs;
pub mod tree;
pub mod users;
pub mod webhooks;

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

    /// Whether the caller may change or delete a repository added by `added_by`: they added
    /// it, or they are an admin.
    pub fn may_manage(&self, added_by: Option<i64>) -> bool {
        self.is_admin || added_by == Some(self.user_id)
    }

    /// The users id to record as author of a change, if the caller is a user.
    pub fn user(&self) -> Option<i64> {
        (self.user_id > 0).then_some(self.user_id)
    }
}

/// Repository `repository_id`, if `caller` may manage it (change its credential or webhook):
/// they added it, or they are an admin. `what` names the thing, for the refusal.
pub async fn managed_repository(
    db: &impl sea_orm::ConnectionTrait,
    repository_id: i64,
    caller: &Caller,
    what: &str,
) -> Result<crate::entities::repository::Model, crate::QueryError> {
    use sea_orm::EntityTrait;
    let repository = crate::entities::repository::Entity::find_by_id(repository_id)
        .one(db)
        .await?
        .ok_or(crate::QueryError::NotFound("repository"))?;
    if caller.may_manage(repository.added_by) {
        Ok(repository)
    } else {
        Err(crate::QueryError::Forbidden(format!(
            "only the person who added this repository, or an admin, may change its {what}"
        )))
    }
}

/// The first moment (UTC) of `day`: ranges are by UTC commit day.
pub(crate) fn start_of(day: chrono::NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// SQL for the UTC day (`YYYY-MM-DD`) and month (`YYYY-MM`) of a `committed_at` column
/// (`column`, qualified as the query needs) on each backend.
pub(crate) fn utc_day_and_month(backend: sea_orm::DatabaseBackend, column: &str) -> (String, String) {
    match backend {
        sea_orm::DatabaseBackend::Postgres => (
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"),
        ),
        // sqlx stores UTC times as RFC 3339 text: the date is its first ten characters.
        _ => (format!("substr({column}, 1, 10)"), format!("substr({column}, 1, 7)")),
    }
}

/// The database's idea of "now", truncated to microseconds so a value read back from
/// PostgreSQL compares equal to the one written.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// One identity as recorded in commits or trailers and as it is stored now, after `.mailmap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIdentity {
    pub original: (String, String),
    pub mapped: (String, String),
}
