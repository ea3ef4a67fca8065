//! What request handlers share. It knows none of the handlers: `app.rs` wires them.

use gitdash_shared::{Config, jobs, queries::aggregates::Aggregates};
use sea_orm::DatabaseConnection;

use crate::auth::Auth;

pub struct AppState {
    pub db: DatabaseConnection,
    pub queue: jobs::SyncQueue,
    pub config: Config,
    pub auth: Auth,
    /// The connection the queue and sessions use too, for readiness checks.
    pub redis: redis::aio::ConnectionManager,
    /// Charts, totals, highlights, committers and bots (by `GITDASH_BOT_PATTERN`), each kept
    /// until a sync changes its scope.
    pub aggregates: Aggregates,
}
