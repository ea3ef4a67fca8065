//! The worker owns its bare clones (`GITDASH_DATA_DIR/clones`): it removes those whose
//! repository was deleted, or that no repository's URL names any more, so the web never
//! touches the worker's disk and each worker host cleans its own.

use std::{collections::HashMap, path::PathBuf, time::Duration};

use gitdash_shared::{Config, QueryError, queries::repositories};
use sea_orm::DatabaseConnection;

/// How often a worker looks for clones without a repository.
pub const TIDY_INTERVAL: Duration = Duration::from_secs(3);

/// Removes every clone under the clones directory that belongs to no repository; returns
/// the ones removed. A clone is named `{id}-{url slug}.git` (`Config::clone_dir`), so one
/// whose id is unknown, or whose id now holds another URL, is an orphan.
pub async fn remove_orphans(db: &DatabaseConnection, config: &Config) -> Result<Vec<PathBuf>, QueryError> {
    let urls: HashMap<i64, String> = repositories::urls(db).await?.into_iter().collect();
    let dir = config.clones_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some(id) = name.split('-').next().and_then(|id| id.parse::<i64>().ok()) else { continue };
        let owned = urls.get(&id).is_some_and(|url| config.clone_dir(id, url) == path);
        if owned || !name.ends_with(".git") {
            continue;
        }
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {
                tracing::info!(dir = %path.display(), "removed the clone of a deleted repository");
                removed.push(path);
            }
            Err(err) => tracing::warn!(dir = %path.display(), %err, "could not remove a clone"),
        }
    }
    Ok(removed)
}

/// Removes orphaned clones now and every [`TIDY_INTERVAL`].
pub async fn tidy_forever(db: DatabaseConnection, config: std::sync::Arc<Config>) {
    let mut ticker = tokio::time::interval(TIDY_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = remove_orphans(&db, &config).await {
            tracing::warn!(error = %err, "could not look for clones of deleted repositories");
        }
    }
}
