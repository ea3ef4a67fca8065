//! The dashboard's aggregates (charts, totals, highlights, committers, bots), each computed
//! once per view and kept until the data under it changes.
//!
//! Indexed data changes only when a sync finishes (it writes `last_synced_at` last) or a
//! repository goes, so a scope's *version* — its repositories' ids and last syncs, one
//! indexed read of a small table — says exactly when a kept result is stale. Pages and API
//! call the same methods, so both always agree. Concurrent requests for the same view wait
//! for one computation instead of each running it.

use std::{
    any::Any,
    collections::HashMap,
    hash::{Hash, Hasher},
    sync::{Arc, Mutex},
};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::OnceCell;

use crate::{
    entities::repository,
    error::QueryError,
    queries::{
        activity::{self, Bucket, Committer, CommitterOrder, Point, Range, Totals},
        filters::{BotPattern, bot_emails},
        highlights::{self, Highlight},
        stats::{self, PunchCard},
    },
};

/// Results kept at most; past it the oldest versions' results go first. A result is a few
/// kilobytes (a committers list of thousands of people, some hundreds).
const CAPACITY: usize = 512;

type Value = Arc<dyn Any + Send + Sync>;

struct Entry {
    version: Arc<str>,
    cell: Arc<OnceCell<Value>>,
}

pub struct Aggregates {
    bot_pattern: BotPattern,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Aggregates {
    pub fn new(bot_pattern: BotPattern) -> Self {
        Self { bot_pattern, entries: Mutex::default() }
    }

    /// The emails of a scope's authors that the bot pattern matches.
    pub async fn bots(&self, db: &impl ConnectionTrait, repository: Option<i64>) -> Result<Arc<[String]>, QueryError> {
        let found: Arc<Vec<String>> = self
            .kept(db, repository, format!("bots {repository:?}"), bot_emails(db, repository, &self.bot_pattern))
            .await?;
        Ok(Arc::from(found.as_slice()))
    }

    /// The range's chart in `bucket`s; the days under it are kept once for every bucket.
    pub async fn history(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        bucket: Bucket,
    ) -> Result<Vec<Point>, QueryError> {
        let days = self.kept(db, range.repository, key("days", range, ()), activity::days(db, range)).await?;
        Ok(activity::in_buckets(&days, range, bucket))
    }

    pub async fn totals(&self, db: &impl ConnectionTrait, range: &Range) -> Result<Totals, QueryError> {
        let totals = self.kept(db, range.repository, key("totals", range, ()), activity::totals(db, range)).await?;
        Ok(Totals::clone(&totals))
    }

    pub async fn highlights(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
    ) -> Result<Arc<Vec<Highlight>>, QueryError> {
        self.kept(db, range.repository, key("highlights", range, ()), highlights::highlights(db, range)).await
    }

    pub async fn punch_card(&self, db: &impl ConnectionTrait, range: &Range) -> Result<Arc<PunchCard>, QueryError> {
        self.kept(db, range.repository, key("punch card", range, ()), stats::punch_card(db, range)).await
    }

    pub async fn committers_per_month(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
    ) -> Result<Arc<Vec<(String, i64)>>, QueryError> {
        let compute = stats::committers_per_month(db, range);
        self.kept(db, range.repository, key("committers per month", range, ()), compute).await
    }

    pub async fn committers(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        order: CommitterOrder,
    ) -> Result<Arc<Vec<Committer>>, QueryError> {
        let compute = activity::committers(db, range, order);
        self.kept(db, range.repository, key("committers", range, order), compute).await
    }

    /// The value of `compute` for `key`, computed at most once per version of the scope.
    async fn kept<V: Send + Sync + 'static>(
        &self,
        db: &impl ConnectionTrait,
        repository: Option<i64>,
        key: String,
        compute: impl Future<Output = Result<V, QueryError>>,
    ) -> Result<Arc<V>, QueryError> {
        let version = scope_version(db, repository).await?;
        let cell = self.cell(key, version);
        let value = cell.get_or_try_init(|| async { Ok::<Value, QueryError>(Arc::new(compute.await?)) }).await?;
        value.clone().downcast::<V>().map_err(|_| QueryError::Internal("an aggregate was kept under another type"))
    }

    fn cell(&self, key: String, version: Arc<str>) -> Arc<OnceCell<Value>> {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(entry) = entries.get(&key)
            && entry.version == version
        {
            return entry.cell.clone();
        }
        if entries.len() >= CAPACITY {
            // Results of other versions are stale or soon will be; if that frees nothing,
            // start over rather than track use.
            entries.retain(|_, entry| entry.version == version);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        let cell = Arc::new(OnceCell::new());
        entries.insert(key, Entry { version, cell: cell.clone() });
        cell
    }
}

/// What a kept result is filed under: the query, the range's days, repository and filters.
fn key(query: &str, range: &Range, detail: impl std::fmt::Debug) -> String {
    let mut excluded = std::hash::DefaultHasher::new();
    range.filters.excluded_authors.hash(&mut excluded);
    format!(
        "{query} {detail:?} {:?} {}..{} merges={} excluded={:x}/{}",
        range.repository,
        range.since,
        range.until,
        range.filters.include_merges,
        excluded.finish(),
        range.filters.excluded_authors.len()
    )
}

/// What changes whenever a scope's data may have: its repositories and their last syncs.
async fn scope_version(db: &impl ConnectionTrait, repository: Option<i64>) -> Result<Arc<str>, QueryError> {
    let mut query = repository::Entity::find()
        .select_only()
        .column(repository::Column::Id)
        .column(repository::Column::LastSyncedAt);
    if let Some(id) = repository {
        query = query.filter(repository::Column::Id.eq(id));
    }
    let rows: Vec<(i64, Option<chrono::DateTime<chrono::Utc>>)> = query.into_tuple().all(db).await?;
    let version: String =
        rows.iter().map(|(id, at)| format!("{id}@{} ", at.map(|t| t.timestamp_micros()).unwrap_or_default())).collect();
    Ok(Arc::from(version))
}
