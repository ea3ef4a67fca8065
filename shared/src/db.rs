//! Opening the database and bringing its schema up to date.
//!
//! Both processes call [`connect`] at start-up, possibly at the same moment. On PostgreSQL an
//! advisory lock serialises the migrations; on SQLite the write lock does, and a migration
//! that lost the race is simply run again (every step is `IF NOT EXISTS`).

use std::time::Duration;

use gitdash_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

/// An arbitrary constant naming gitdash's migration lock in `pg_advisory_xact_lock`.
const MIGRATION_LOCK_KEY: i64 = 0x0067_6974_6461_7368;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot create the directory for the SQLite database {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("cannot open the database ({url}): {source}")]
    Open { url: String, source: DbErr },
    #[error("cannot migrate the database schema: {0}")]
    Migrate(DbErr),
}

/// Opens `url` (SQLite or PostgreSQL), creating a SQLite file when missing, and applies
/// every pending migration.
pub async fn connect(url: &str) -> Result<DatabaseConnection, ConnectError> {
    if let Some(path) = sqlite_path(url)
        && let Some(dir) = std::path::Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| ConnectError::CreateDir { path: path.clone(), source })?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    // Every statement is logged at debug (`RUST_LOG=sqlx::query=debug`: its SQL and time,
    // never the values bound to it); one slower than a second at warn, by default.
    options
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, Duration::from_secs(1))
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(|o| {
            // WAL lets the web read while the worker writes; the busy timeout turns lock
            // contention between the two processes into waiting instead of errors.
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                .create_if_missing(true)
                // The dashboard reads summaries and indexes of a database that grows to
                // hundreds of MiB: a 16 MiB page cache per connection (SQLite's default is
                // 2 MiB) and sorts in memory. No memory map: its pages would count against
                // the worker's memory while it indexes.
                .pragma("cache_size", "-16384")
                .pragma("temp_store", "memory")
        });
    let db = Database::connect(options)
        .await
        .map_err(|source| ConnectError::Open { url: crate::config::redact_url(url), source })?;
    migrate(&db).await.map_err(ConnectError::Migrate)?;
    Ok(db)
}

async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let lock = db.begin().await?;
            lock.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")).await?;
            let result = Migrator::up(db, None).await;
            lock.commit().await?;
            result
        }
        _ => {
            let mut attempt = 0;
            loop {
                match Migrator::up(db, None).await {
                    Ok(()) => return Ok(()),
                    Err(err) if attempt < 5 => {
                        attempt += 1;
                        tracing::debug!(%err, attempt, "migration raced another process; trying again");
                        tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                    }
                    Err(err) => return Err(err),
                }
            }
        }
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), waiting for it under the busy timeout: a transaction that read first
/// and wrote later would instead fail at once with SQLITE_BUSY whenever the other process
/// committed in between (its snapshot is stale, and SQLite cannot wait that out).
/// PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Turns at writing, shared by the writers of one process.
///
/// SQLite lets one writer at a time hold the file; a writer that finds it held polls it
/// (every 100 ms at most, under the busy timeout) and misses every gap between another
/// writer's back-to-back transactions. A sync that writes in many short transactions
/// would then starve its own lease renewals. Writers that take a turn around each
/// transaction are served first come, first served, so a renewal waits for at most one
/// transaction. PostgreSQL has no such lock; there a turn costs an uncontended mutex.
#[derive(Debug, Clone, Default)]
pub struct WriteTurns(std::sync::Arc<tokio::sync::Mutex<()>>);

impl WriteTurns {
    /// Waits for this process's turn to write; the turn ends when the guard drops.
    pub async fn take(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.0.clone().lock_owned().await
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// Whether a database error is worth retrying: connection trouble, pool exhaustion, a busy
/// SQLite file, a PostgreSQL serialization failure or deadlock.
pub fn is_transient(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            use sea_orm::sqlx::Error;
            match e.as_ref() {
                Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
                Error::Database(db) => {
                    let code = db.code().unwrap_or_default();
                    // SQLITE_BUSY (5), SQLITE_LOCKED (6); PostgreSQL 40001, 40P01, 57P01, 53300.
                    matches!(code.as_ref(), "5" | "6" | "517" | "40001" | "40P01" | "57P01" | "53300")
                }
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_paths_are_read_from_both_url_forms() {
        assert_eq!(sqlite_path("sqlite://./data/gitdash.db?mode=rwc").as_deref(), Some("./data/gitdash.db"));
        assert_eq!(sqlite_path("sqlite:/tmp/x.db").as_deref(), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/test"), None);
    }
}
