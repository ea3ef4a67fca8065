//! The dashboard's aggregates (charts, totals, highlights, committers, bots, a folder's
//! files and hotspots, ownership) and the daily summary they come from, kept until the data
//! under them changes.
//!
//! Indexed data changes only when a sync finishes (it writes `last_synced_at` last) or a
//! repository goes, so a scope's *version* — its repositories' ids and last syncs, one
//! indexed read of a small table — says exactly when a kept result is stale. Pages and API
//! call the same methods, so both always agree. Concurrent requests for the same view wait
//! for one computation instead of each running it.
//!
//! Each kind of result has a shelf of its own, typed by what it holds and what it is filed
//! under, so nothing is cast back at run time.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    sync::{Arc, Mutex},
};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::OnceCell;

use crate::{
    bots::BotPattern,
    entities::repository,
    error::QueryError,
    queries::{
        activity::{self, Bucket, Committer, CommitterOrder, Point, Range, Totals},
        commits_under::{self, CommitsUnder},
        coupling,
        daily::Daily,
        file,
        filters::{Filters, Under, bot_emails},
        growth::{self, Growth},
        highlights::{self, Highlight},
        ownership::{self, Ownership},
        person::{self, OwnedFolder},
        stats::{self, PunchCard},
        tree,
    },
};

/// Results kept at most per kind of view; past it that shelf starts over (a view's result
/// is a few kilobytes: a committers list of thousands of people, some hundreds). A scope's
/// daily summary and bots stay while their version stands: one pair per repository and one
/// for all, about 64 bytes per day and author with commits (1.6 MB for git/git's 25,000).
const VIEWS_PER_SHELF: usize = 128;

/// Files' histories kept at most (each as long as the file's history in the range); past
/// it the shelf starts over.
const FILES_KEPT: usize = 32;

/// Daily summaries of folders and files kept at most (each as large as that part of the
/// tree's history); past it the shelf starts over.
const PATHS_KEPT: usize = 32;

/// A scope: one repository, or all of them (`None`).
pub type Scope = Option<i64>;

/// What a view's result is filed under: its scope, days and filters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ViewKey {
    repository: Scope,
    since: NaiveDate,
    until: NaiveDate,
    include_merges: bool,
    /// A hash and count of the excluded authors' emails (bots), not the list itself.
    excluded: (u64, usize),
    under: Option<Under>,
}

impl ViewKey {
    fn of(range: &Range) -> Self {
        Self::of_filters(range.repository, range.since, range.until, &range.filters)
    }

    fn of_filters(repository: Scope, since: NaiveDate, until: NaiveDate, filters: &Filters) -> Self {
        let mut excluded = std::hash::DefaultHasher::new();
        filters.excluded_authors.hash(&mut excluded);
        Self {
            repository,
            since,
            until,
            include_merges: filters.include_merges,
            excluded: (excluded.finish(), filters.excluded_authors.len()),
            under: filters.under.clone(),
        }
    }
}

/// What a view of one folder's files is filed under: the view, the folder (`None`: the
/// top) and whether vendored paths count.
type FolderKey = (ViewKey, Option<String>, bool);

struct Entry<V> {
    version: Arc<str>,
    cell: Arc<OnceCell<Arc<V>>>,
}

/// Values of one type under keys of one type, each valid for one version of its scope.
struct Shelf<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    /// `None`: bounded by the number of scopes instead.
    capacity: Option<usize>,
}

impl<K: Hash + Eq, V> Shelf<K, V> {
    fn new(capacity: Option<usize>) -> Self {
        Self { entries: Mutex::default(), capacity }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Entry<V>>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value of `compute` for `key`, computed at most once per version of the scope.
    async fn get(
        &self,
        version: &Arc<str>,
        key: K,
        compute: impl Future<Output = Result<V, QueryError>>,
    ) -> Result<Arc<V>, QueryError> {
        let cell = self.cell(key, version.clone());
        let value = cell.get_or_try_init(|| async { Ok::<_, QueryError>(Arc::new(compute.await?)) }).await?;
        Ok(value.clone())
    }

    fn cell(&self, key: K, version: Arc<str>) -> Arc<OnceCell<Arc<V>>> {
        let mut entries = self.lock();
        if let Some(entry) = entries.get(&key)
            && entry.version == version
        {
            return entry.cell.clone();
        }
        if self.capacity.is_some_and(|capacity| entries.len() >= capacity) {
            // Start over rather than track use: a view costs milliseconds to compute again.
            entries.clear();
        }
        let cell = Arc::new(OnceCell::new());
        entries.insert(key, Entry { version, cell: cell.clone() });
        cell
    }

    fn is_kept(&self, key: &K, version: &Arc<str>) -> bool {
        self.lock().get(key).is_some_and(|entry| entry.version == *version && entry.cell.initialized())
    }

    fn retain(&self, keep: impl Fn(&K) -> bool) {
        self.lock().retain(|key, _| keep(key));
    }
}

pub struct Aggregates {
    bot_pattern: BotPattern,
    daily: Shelf<Scope, Daily>,
    path_daily: Shelf<Under, Daily>,
    commits_under: Shelf<Under, CommitsUnder>,
    bots: Shelf<Scope, Vec<String>>,
    days: Shelf<ViewKey, Vec<Point>>,
    totals: Shelf<ViewKey, Totals>,
    highlights: Shelf<ViewKey, Vec<Highlight>>,
    punch_cards: Shelf<ViewKey, PunchCard>,
    committers_per_month: Shelf<ViewKey, Vec<(String, i64)>>,
    committers: Shelf<(ViewKey, CommitterOrder), Vec<Committer>>,
    folders: Shelf<FolderKey, (Vec<tree::Entry>, Vec<tree::Hotspot>)>,
    /// Ownership covers all history: the key's days are the day people count as inactive
    /// before (twice), not a range.
    ownership: Shelf<FolderKey, Ownership>,
    folder_owners: Shelf<Scope, HashMap<String, Vec<OwnedFolder>>>,
    /// Every coupled pair of a scope, with vendored files or without.
    coupled: Shelf<(Scope, bool), Vec<coupling::Pair>>,
    growth: Shelf<(Scope, Option<Under>, bool), Growth>,
    people: Shelf<(ViewKey, String), person::Facts>,
    files: Shelf<(ViewKey, String), Option<file::Report>>,
}

impl Aggregates {
    pub fn new(bot_pattern: BotPattern) -> Self {
        Self {
            bot_pattern,
            daily: Shelf::new(None),
            path_daily: Shelf::new(Some(PATHS_KEPT)),
            commits_under: Shelf::new(Some(PATHS_KEPT)),
            bots: Shelf::new(None),
            days: Shelf::new(Some(VIEWS_PER_SHELF)),
            totals: Shelf::new(Some(VIEWS_PER_SHELF)),
            highlights: Shelf::new(Some(VIEWS_PER_SHELF)),
            punch_cards: Shelf::new(Some(VIEWS_PER_SHELF)),
            committers_per_month: Shelf::new(Some(VIEWS_PER_SHELF)),
            committers: Shelf::new(Some(VIEWS_PER_SHELF)),
            folders: Shelf::new(Some(VIEWS_PER_SHELF)),
            ownership: Shelf::new(Some(VIEWS_PER_SHELF)),
            folder_owners: Shelf::new(None),
            coupled: Shelf::new(None),
            growth: Shelf::new(Some(VIEWS_PER_SHELF)),
            people: Shelf::new(Some(VIEWS_PER_SHELF)),
            files: Shelf::new(Some(FILES_KEPT)),
        }
    }

    /// The emails of a scope's authors that the bot pattern matches.
    pub async fn bots(&self, db: &impl ConnectionTrait, repository: Scope) -> Result<Arc<[String]>, QueryError> {
        let version = scope_version(db, repository).await?;
        let found = self.bots.get(&version, repository, bot_emails(db, repository, &self.bot_pattern)).await?;
        Ok(Arc::from(found.as_slice()))
    }

    /// The filters a person asked for: bots are the scope's authors the pattern matches.
    pub async fn filters(
        &self,
        db: &impl ConnectionTrait,
        repository: Scope,
        include_merges: bool,
        include_bots: bool,
    ) -> Result<Filters, QueryError> {
        let excluded_authors = if include_bots { Arc::from(Vec::new()) } else { self.bots(db, repository).await? };
        Ok(Filters { include_merges, excluded_authors, under: None })
    }

    /// Reads what the dashboard will ask for of every synced repository, and of all of them,
    /// where a sync changed it since: so that the first page after a sync or a start finds
    /// its scope's daily summary and bots ready instead of reading them (a tenth of a second
    /// for a repository of 80,000 commits). Returns the scopes it read.
    pub async fn warm(&self, db: &impl ConnectionTrait) -> Result<Vec<Scope>, QueryError> {
        let repositories = repository_versions(db, None).await?;
        let mut scopes: Vec<(Scope, Arc<str>)> = repositories
            .iter()
            .filter(|(_, synced)| synced.is_some())
            .map(|(id, synced)| (Some(*id), version_of(&[(*id, *synced)])))
            .collect();
        scopes.push((None, version_of(&repositories)));
        // Deleted repositories' data goes.
        let live = |scope: &Scope| scope.is_none() || repositories.iter().any(|(id, _)| Some(*id) == *scope);
        self.daily.retain(live);
        self.path_daily.retain(|under| live(&under.repository));
        self.commits_under.retain(|under| live(&under.repository));
        self.bots.retain(live);
        self.folder_owners.retain(live);
        self.coupled.retain(|(scope, _)| live(scope));
        let mut read = Vec::new();
        for (repository, version) in scopes {
            if self.daily.is_kept(&repository, &version) {
                continue;
            }
            self.daily.get(&version, repository, Daily::load(db, repository)).await?;
            self.bots.get(&version, repository, bot_emails(db, repository, &self.bot_pattern)).await?;
            read.push(repository);
        }
        Ok(read)
    }

    /// The range's daily summary (its scope's, or its folder's) as of the scope's version,
    /// read once for every range and filter.
    async fn daily(&self, db: &impl ConnectionTrait, range: &Range) -> Result<(Arc<str>, Arc<Daily>), QueryError> {
        let version = scope_version(db, range.repository).await?;
        let daily = match &range.filters.under {
            Some(under) => self.path_daily.get(&version, under.clone(), Daily::load_under(db, under)).await?,
            None => self.daily.get(&version, range.repository, Daily::load(db, range.repository)).await?,
        };
        Ok((version, daily))
    }

    /// The range's chart in `bucket`s.
    pub async fn history(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        bucket: Bucket,
    ) -> Result<Vec<Point>, QueryError> {
        let (version, daily) = self.daily(db, range).await?;
        let days = self.days.get(&version, ViewKey::of(range), async { Ok(daily.days(range)) }).await?;
        Ok(activity::in_buckets(&days, range, bucket))
    }

    pub async fn totals(&self, db: &impl ConnectionTrait, range: &Range) -> Result<Arc<Totals>, QueryError> {
        let (version, daily) = self.daily(db, range).await?;
        self.totals.get(&version, ViewKey::of(range), async { Ok(daily.totals(range)) }).await
    }

    pub async fn highlights(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
    ) -> Result<Arc<Vec<Highlight>>, QueryError> {
        let (version, daily) = self.daily(db, range).await?;
        self.highlights.get(&version, ViewKey::of(range), highlights::highlights(db, range, &daily)).await
    }

    pub async fn punch_card(&self, db: &impl ConnectionTrait, range: &Range) -> Result<Arc<PunchCard>, QueryError> {
        let (version, daily) = self.daily(db, range).await?;
        let compute = stats::punch_card(db, range, daily.spans_whole_history(range));
        self.punch_cards.get(&version, ViewKey::of(range), compute).await
    }

    pub async fn committers_per_month(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
    ) -> Result<Arc<Vec<(String, i64)>>, QueryError> {
        let (version, daily) = self.daily(db, range).await?;
        let compute = async { Ok(daily.committers_per_month(range)) };
        self.committers_per_month.get(&version, ViewKey::of(range), compute).await
    }

    /// Each of `emails`' commits over the range in `slices` equal spans (see
    /// [`Daily::activity_of`]); read from the kept summary, so a page of 100 costs little.
    pub async fn activity_of(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        emails: &[&str],
        slices: usize,
    ) -> Result<Vec<Vec<i64>>, QueryError> {
        let (_, daily) = self.daily(db, range).await?;
        Ok(daily.activity_of(range, emails, slices))
    }

    /// Everyone who committed in the range or co-authored a commit of it, most commits first
    /// unless `order` says otherwise.
    pub async fn committers(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        order: CommitterOrder,
    ) -> Result<Arc<Vec<Committer>>, QueryError> {
        let (version, daily) = self.daily(db, range).await?;
        let compute = async {
            let mut committers = daily.committers(range);
            let credits = crate::queries::coauthors::credits(db, range).await?;
            crate::queries::coauthors::credit(&mut committers, credits, &range.filters.excluded_authors);
            activity::sort_committers(&mut committers, order);
            Ok(committers)
        };
        self.committers.get(&version, (ViewKey::of(range), order), compute).await
    }

    /// The entries of `folder` (`None`: the top) changed in the range and its hotspots
    /// ([`tree::folder`]): the Files page and the files API. Reading them scans the range's
    /// file rows under the folder, so each view is read once per version of its scope.
    pub async fn folder(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        folder: Option<&str>,
        include_vendored: bool,
    ) -> Result<Arc<(Vec<tree::Entry>, Vec<tree::Hotspot>)>, QueryError> {
        let version = scope_version(db, range.repository).await?;
        let key = (ViewKey::of(range), folder.map(str::to_owned), include_vendored);
        self.folders.get(&version, key, tree::folder(db, range, folder, include_vendored)).await
    }

    /// Who knows the files of a scope ([`ownership::ownership`]), people without a commit
    /// since `active_since` counted as inactive; read once per version of the scope.
    pub async fn ownership(
        &self,
        db: &impl ConnectionTrait,
        scope: &ownership::Scope<'_>,
        active_since: NaiveDate,
    ) -> Result<Arc<Ownership>, QueryError> {
        let version = scope_version(db, scope.repository).await?;
        let view = ViewKey::of_filters(scope.repository, active_since, active_since, &scope.filters);
        let key = (view, scope.folder.map(str::to_owned), scope.include_vendored);
        self.ownership.get(&version, key, ownership::ownership(db, scope, active_since)).await
    }

    /// The coupled pairs of one repository or all with at least one file at `path` or under
    /// it (`None`: anywhere), strongest first, at most `limit`, vendored and generated files
    /// left out unless `include_vendored` ([`coupling::select`]); the scope's pairs are
    /// read once per version.
    pub async fn coupled_pairs(
        &self,
        db: &impl ConnectionTrait,
        repository: Scope,
        path: Option<&str>,
        include_vendored: bool,
        limit: usize,
    ) -> Result<Vec<coupling::Pair>, QueryError> {
        let version = scope_version(db, repository).await?;
        let key = (repository, include_vendored);
        let all = self.coupled.get(&version, key, coupling::coupled(db, repository, include_vendored)).await?;
        Ok(coupling::select(&all, path, limit))
    }

    /// How the code of a scope, or of the folder or file `under`, grew ([`growth::growth`],
    /// [`growth::growth_under`]); read once per version of the scope.
    pub async fn growth(
        &self,
        db: &impl ConnectionTrait,
        repository: Scope,
        under: Option<&Under>,
        include_vendored: bool,
    ) -> Result<Arc<Growth>, QueryError> {
        let repository = under.map_or(repository, |under| under.repository);
        let version = scope_version(db, repository).await?;
        let key = (repository, under.cloned(), include_vendored);
        let compute = async {
            match under {
                Some(under) => growth::growth_under(db, under, include_vendored).await,
                None => growth::growth(db, repository, include_vendored).await,
            }
        };
        self.growth.get(&version, key, compute).await
    }

    /// One person's repositories, months, hours and co-authored commits in the range's
    /// scope ([`person::facts`]), kept per view and person.
    pub async fn person(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        email: &str,
    ) -> Result<Arc<person::Facts>, QueryError> {
        let version = scope_version(db, range.repository).await?;
        self.people.get(&version, (ViewKey::of(range), email.to_owned()), person::facts(db, range, email)).await
    }

    /// One file's history and authors in the range ([`file::report`]), kept per view and
    /// file; `None` when no commit in the scope changed it.
    pub async fn file(
        &self,
        db: &impl ConnectionTrait,
        range: &Range,
        path: &str,
    ) -> Result<Arc<Option<file::Report>>, QueryError> {
        let version = scope_version(db, range.repository).await?;
        self.files.get(&version, (ViewKey::of(range), path.to_owned()), file::report(db, range, path)).await
    }

    /// The commits that changed a folder or file ([`commits_under::read`]), kept per path.
    pub async fn commits_under(
        &self,
        db: &impl ConnectionTrait,
        under: &Under,
    ) -> Result<Arc<CommitsUnder>, QueryError> {
        let version = scope_version(db, under.repository).await?;
        self.commits_under.get(&version, under.clone(), commits_under::read(db, under)).await
    }

    /// The folders `email` changed more lines of than anyone else ([`person::folder_owners`]),
    /// largest share first; the scope's owners are read once per version.
    pub async fn owned_folders(
        &self,
        db: &impl ConnectionTrait,
        repository: Scope,
        email: &str,
    ) -> Result<Vec<OwnedFolder>, QueryError> {
        let version = scope_version(db, repository).await?;
        let owners = self.folder_owners.get(&version, repository, person::folder_owners(db, repository)).await?;
        Ok(owners.get(email).cloned().unwrap_or_default())
    }
}

/// What changes whenever a scope's data may have: its repositories and their last syncs.
async fn scope_version(db: &impl ConnectionTrait, repository: Scope) -> Result<Arc<str>, QueryError> {
    Ok(version_of(&repository_versions(db, repository).await?))
}

type Synced = Option<chrono::DateTime<chrono::Utc>>;

/// The ids and last syncs of one repository, or of all of them.
async fn repository_versions(db: &impl ConnectionTrait, repository: Scope) -> Result<Vec<(i64, Synced)>, QueryError> {
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
