//! The dashboard's aggregates (charts, totals, highlights, committers, bots) and the daily
//! summary they come from, kept until the data under them changes.
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

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::OnceCell;

use crate::{
    entities::repository,
    error::QueryError,
    queries::{
        activity::{self, Bucket, Committer, CommitterOrder, Point, Range, Totals},
        daily::Daily,
        filters::{BotPattern, bot_emails},
        highlights::{self, Highlight},
        stats::{self, PunchCard},
    },
};

/// Views' results kept at most; past it they are all dropped (a view's result is a few
/// kilobytes: a committers list of thousands of people, some hundreds). A scope's daily
/// summary and bots stay while their version stands: one pair per repository and one for
/// all, about 64 bytes per day and author with commits (1.6 MB for git/git's 25,000).
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
        let version = scope_version(db, repository).await?;
        let found: Arc<Vec<String>> =
            self.kept(&version, scope_key("bots", repository), bot_emails(db, repository, &self.bot_pattern)).await?;
        Ok(Arc::from(found.as_slice()))
    }

    /// Reads what the dashboard will ask for of every synced repository, and of all of them,
    /// where a sync changed it since: so that the first page after a sync or a start finds
    /// its scope's daily summary and bots ready instead of reading them (a tenth of a second
    /// for a repository of 80,000 commits). Returns how many scopes it read.
    pub async fn warm(&self, db: &impl ConnectionTrait) -> Result<usize, QueryError> {
        let repositories = repository_versions(db, None).await?;
        let mut scopes: Vec<(Option<i64>, Arc<str>)> = repositories
            .iter()
            .filter(|(_, synced)| synced.is_some())
            .map(|(id, synced)| (Some(*id), version_of(&[(*id, *synced)])))
            .collect();
        scopes.push((None, version_of(&repositories)));
        // Deleted repositories' data goes.
        let live: Vec<String> =
            scopes.iter().flat_map(|(id, _)| [scope_key("daily", *id), scope_key("bots", *id)]).collect();
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|key, _| !is_scope_data(key) || live.contains(key));
        let mut read = 0;
        for (repository, version) in scopes {
            let key = scope_key("daily", repository);
            if self.is_kept(&key, &version) {
                continue;
            }
            self.kept(&version, key, Daily::load(db, repository)).await?;
            self.kept(&version, scope_key("bots", repository), bot_emails(db, repository, &self.bot_pattern)).await?;
            read += 1;
        }
        Ok(read)
    }

    fn is_kept(&self, key: &str, version: &Arc<str>) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).is_some_and(|entry| entry.version == *version && entry.cell.initialized())
    }

    /// The scope's daily summary as of its version, read once for every range and filter.
    async fn daily(
        &self,
        db: &impl ConnectionTrait,
        repository: Option<i64>,
    ) -> Result<(Arc<str>, Arc<Daily>), QueryError> {
        let version = scope_version(db, repository).await?;
        let daily = self.kept(&version, scope_key("daily", repository), Daily::load(db, repository)).await?;
        Ok((version, daily))
    }

    /// The range's chart in `bucket`s.
    pub async fn history(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        bucket: Bucket,
    ) -> Result<Vec<Point>, QueryError> {
        let (version, daily) = self.daily(db, range.repository).await?;
        let days = self.kept(&version, key("days", range, ()), async { Ok(daily.days(range)) }).await?;
        Ok(activity::in_buckets(&days, range, bucket))
    }

    pub async fn totals(&self, db: &impl ConnectionTrait, range: &Range) -> Result<Totals, QueryError> {
        let (version, daily) = self.daily(db, range.repository).await?;
        let totals = self.kept(&version, key("totals", range, ()), async { Ok(daily.totals(range)) }).await?;
        Ok(Totals::clone(&totals))
    }

    pub async fn highlights(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
    ) -> Result<Arc<Vec<Highlight>>, QueryError> {
        let (version, daily) = self.daily(db, range.repository).await?;
        self.kept(&version, key("highlights", range, ()), highlights::highlights(db, range, &daily)).await
    }

    pub async fn punch_card(&self, db: &impl ConnectionTrait, range: &Range) -> Result<Arc<PunchCard>, QueryError> {
        let (version, daily) = self.daily(db, range.repository).await?;
        let compute = stats::punch_card(db, range, daily.spans_whole_history(range));
        self.kept(&version, key("punch card", range, ()), compute).await
    }

    pub async fn committers_per_month(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
    ) -> Result<Arc<Vec<(String, i64)>>, QueryError> {
        let (version, daily) = self.daily(db, range.repository).await?;
        let compute = async { Ok(daily.committers_per_month(range)) };
        self.kept(&version, key("committers per month", range, ()), compute).await
    }

    /// Everyone who committed in the range, most commits first unless `order` says otherwise.
    pub async fn committers(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        order: CommitterOrder,
    ) -> Result<Arc<Vec<Committer>>, QueryError> {
        let (version, daily) = self.daily(db, range.repository).await?;
        let compute = async {
            let mut committers = daily.committers(range);
            activity::sort_committers(&mut committers, order);
            Ok(committers)
        };
        self.kept(&version, key("committers", range, order), compute).await
    }

    /// The value of `compute` for `key`, computed at most once per version of the scope.
    async fn kept<V: Send + Sync + 'static>(
        &self,
        version: &Arc<str>,
        key: String,
        compute: impl Future<Output = Result<V, QueryError>>,
    ) -> Result<Arc<V>, QueryError> {
        let cell = self.cell(key, version.clone());
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
        if !is_scope_data(&key) && entries.len() >= CAPACITY {
            // Start over rather than track use; the scopes' data (daily summary, bots), which
            // every view of a scope reads, stays.
            entries.retain(|key, _| is_scope_data(key));
        }
        let cell = Arc::new(OnceCell::new());
        entries.insert(key, Entry { version, cell: cell.clone() });
        cell
    }
}

/// How the keys of scopes' data start (a view's key starts with its query's name).
const SCOPE_DATA: &str = "scope ";

fn scope_key(what: &str, repository: Option<i64>) -> String {
    format!("{SCOPE_DATA}{what} {repository:?}")
}

fn is_scope_data(key: &str) -> bool {
    key.starts_with(SCOPE_DATA)
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
    Ok(version_of(&repository_versions(db, repository).await?))
}

type Synced = Option<chrono::DateTime<chrono::Utc>>;

/// The ids and last syncs of one repository, or of all of them.
async fn repository_versions(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
) -> Result<Vec<(i64, Synced)>, QueryError> {
    let mut query = repository::Entity::find()
        .select_only()
        .column(repository::Column::Id)
        .column(repository::Column::LastSyncedAt)
        .order_by_asc(repository::Column::Id);
    if let Some(id) = repository {
        query = query.filter(repository::Column::Id.eq(id));
    }
    Ok(query.into_tuple().all(db).await?)
}

fn version_of(repositories: &[(i64, Synced)]) -> Arc<str> {
    let version: String = repositories
        .iter()
        .map(|(id, at)| format!("{id}@{} ", at.map(|t| t.timestamp_micros()).unwrap_or_default()))
        .collect();
    Arc::from(version)
}
