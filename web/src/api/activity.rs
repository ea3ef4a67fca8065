//! `/repositories/{id}/activity` and `/activity`: commits and lines per day, week or month.

use std::sync::Arc;

use chrono::{Days, NaiveDate, Utc};
use gitdash_shared::queries::{activity, filters::Filters, highlights, repositories};
use poem_openapi::{Enum, Object, OpenApi, param::Path, param::Query, payload::Json};

use super::{ApiTags, fast_json::FastJson};
use crate::{app::AppState, auth::Identity, error::ApiError};

pub struct ActivityApi {
    pub state: Arc<AppState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BucketParam {
    Day,
    Week,
    Month,
}

impl From<BucketParam> for activity::Bucket {
    fn from(bucket: BucketParam) -> Self {
        match bucket {
            BucketParam::Day => activity::Bucket::Day,
            BucketParam::Week => activity::Bucket::Week,
            BucketParam::Month => activity::Bucket::Month,
        }
    }
}

#[derive(Debug, Object)]
pub struct ActivityPoint {
    /// The bucket's first day (weeks start on Monday).
    pub start: NaiveDate,
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
}

#[derive(Debug, Object)]
pub struct ActivityTotals {
    pub commits: i64,
    /// Distinct authors after .mailmap.
    pub committers: i64,
    pub insertions: i64,
    pub deletions: i64,
}

impl From<activity::Totals> for ActivityTotals {
    fn from(totals: activity::Totals) -> Self {
        Self {
            commits: totals.commits,
            committers: totals.committers,
            insertions: totals.insertions,
            deletions: totals.deletions,
        }
    }
}

#[derive(Debug, Object)]
pub struct Activity {
    pub bucket: BucketParam,
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub points: Vec<ActivityPoint>,
    pub totals: ActivityTotals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CommitterSort {
    Commits,
    Insertions,
    Deletions,
    ActiveDays,
    FirstDay,
    LastDay,
    Name,
}

impl From<CommitterSort> for activity::CommitterOrder {
    fn from(sort: CommitterSort) -> Self {
        match sort {
            CommitterSort::Commits => Self::Commits,
            CommitterSort::Insertions => Self::Insertions,
            CommitterSort::Deletions => Self::Deletions,
            CommitterSort::ActiveDays => Self::ActiveDays,
            CommitterSort::FirstDay => Self::FirstDay,
            CommitterSort::LastDay => Self::LastDay,
            CommitterSort::Name => Self::Name,
        }
    }
}

// Also serialized with serde (`FastJson`): the field names are the same either way.
/// One person after .mailmap.
#[derive(Debug, Object, serde::Serialize)]
pub struct Committer {
    pub email: String,
    pub name: String,
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
    /// Day (UTC) of the first and last commit in the range.
    pub first_day: String,
    pub last_day: String,
    /// Days with at least one commit.
    pub active_days: i64,
}

impl From<activity::Committer> for Committer {
    fn from(c: activity::Committer) -> Self {
        Self {
            email: c.email,
            name: c.name,
            commits: c.commits,
            insertions: c.insertions,
            deletions: c.deletions,
            first_day: c.first_day,
            last_day: c.last_day,
            active_days: c.active_days,
        }
    }
}

#[derive(Debug, Object)]
pub struct WeekLines {
    /// The week's Monday.
    pub week: NaiveDate,
    pub insertions: i64,
    pub deletions: i64,
}

#[derive(Debug, Object)]
pub struct MonthCount {
    /// `YYYY-MM`
    pub month: String,
    pub count: i64,
}

#[derive(Debug, Object)]
pub struct Stats {
    pub since: NaiveDate,
    pub until: NaiveDate,
    /// Commits by weekday (Monday first, 7 rows) and hour of the author's local time (24 columns).
    pub punch_card: Vec<Vec<i64>>,
    /// Lines added and removed per week.
    pub code_frequency: Vec<WeekLines>,
    pub commits_per_month: Vec<MonthCount>,
    pub committers_per_month: Vec<MonthCount>,
    pub totals: ActivityTotals,
}

/// A commit that stands out, and why.
#[derive(Debug, Object)]
pub struct Highlight {
    pub repository_id: i64,
    pub sha: String,
    pub summary: String,
    pub author_name: String,
    pub author_email: String,
    pub committed_at: chrono::DateTime<Utc>,
    pub insertions: Option<i64>,
    pub deletions: Option<i64>,
    /// e.g. "largest change: +1200 −30 in 14 files", "first commit by Ada", "tagged v1.0".
    pub reasons: Vec<String>,
}

impl From<highlights::Highlight> for Highlight {
    fn from(h: highlights::Highlight) -> Self {
        let c = h.commit;
        Self {
            repository_id: c.repository_id,
            sha: c.sha,
            summary: c.summary,
            author_name: c.author_name,
            author_email: c.author_email,
            committed_at: c.committed_at,
            insertions: c.insertions,
            deletions: c.deletions,
            reasons: h.reasons,
        }
    }
}

#[OpenApi(tag = "ApiTags::Activity")]
impl ActivityApi {
    /// Statistics of one repository: punch card, code frequency, commits and committers per
    /// month, totals (default range: the last 12 months).
    #[oai(path = "/repositories/:id/stats", method = "get")]
    async fn repository_stats(
        &self,
        _identity: Identity,
        id: Path<i64>,
        since: Query<Option<NaiveDate>>,
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
    ) -> Result<Json<Stats>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.stats(Leave::asked(include_merges.0, include_bots.0), Some(id.0), since.0, until.0).await
    }

    /// Statistics across every repository.
    #[oai(path = "/stats", method = "get")]
    async fn all_stats(
        &self,
        _identity: Identity,
        since: Query<Option<NaiveDate>>,
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
    ) -> Result<Json<Stats>, ApiError> {
        self.stats(Leave::asked(include_merges.0, include_bots.0), None, since.0, until.0).await
    }

    /// Highlighted commits of one repository in a range (default: the last 12 months).
    #[oai(path = "/repositories/:id/highlights", method = "get")]
    async fn repository_highlights(
        &self,
        _identity: Identity,
        id: Path<i64>,
        since: Query<Option<NaiveDate>>,
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
    ) -> Result<Json<Vec<Highlight>>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.highlights(Leave::asked(include_merges.0, include_bots.0), Some(id.0), since.0, until.0).await
    }

    /// Highlighted commits across every repository.
    #[oai(path = "/highlights", method = "get")]
    async fn all_highlights(
        &self,
        _identity: Identity,
        since: Query<Option<NaiveDate>>,
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
    ) -> Result<Json<Vec<Highlight>>, ApiError> {
        self.highlights(Leave::asked(include_merges.0, include_bots.0), None, since.0, until.0).await
    }

    /// Committers of one repository: commits, lines, first and last day, active days.
    #[oai(path = "/repositories/:id/committers", method = "get")]
    async fn repository_committers(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// First day (default: the first commit's).
        since: Query<Option<NaiveDate>>,
        /// Last day (default: today, UTC).
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Order: `commits` (default), `insertions`, `deletions`, `active_days`, `first_day`, `last_day`, `name`.
        sort: Query<Option<CommitterSort>>,
    ) -> Result<FastJson<Vec<Committer>>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.committers(Leave::asked(include_merges.0, include_bots.0), Some(id.0), since.0, until.0, sort.0).await
    }

    /// Committers across every repository.
    #[oai(path = "/committers", method = "get")]
    async fn all_committers(
        &self,
        _identity: Identity,
        /// First day (default: the first commit's).
        since: Query<Option<NaiveDate>>,
        /// Last day (default: today, UTC).
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Order, as for one repository.
        sort: Query<Option<CommitterSort>>,
    ) -> Result<FastJson<Vec<Committer>>, ApiError> {
        self.committers(Leave::asked(include_merges.0, include_bots.0), None, since.0, until.0, sort.0).await
    }

    /// Commit history of one repository: commits and lines per bucket, by commit date (UTC).
    #[oai(path = "/repositories/:id/activity", method = "get")]
    async fn repository_activity(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// `day`, `week` (default) or `month`.
        bucket: Query<Option<BucketParam>>,
        /// First day (default: 12 months before `until`).
        since: Query<Option<NaiveDate>>,
        /// Last day (default: today, UTC).
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
    ) -> Result<Json<Activity>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.activity(Leave::asked(include_merges.0, include_bots.0), Some(id.0), bucket.0, since.0, until.0).await
    }

    /// Commit history across every repository.
    #[oai(path = "/activity", method = "get")]
    async fn all_activity(
        &self,
        _identity: Identity,
        /// `day`, `week` (default) or `month`.
        bucket: Query<Option<BucketParam>>,
        /// First day (default: 12 months before `until`).
        since: Query<Option<NaiveDate>>,
        /// Last day (default: today, UTC).
        until: Query<Option<NaiveDate>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
    ) -> Result<Json<Activity>, ApiError> {
        self.activity(Leave::asked(include_merges.0, include_bots.0), None, bucket.0, since.0, until.0).await
    }
}

/// What the caller asked to leave out: merges and bots unless asked for.
#[derive(Debug, Clone, Copy)]
struct Leave {
    include_merges: bool,
    include_bots: bool,
}

impl Leave {
    fn asked(include_merges: Option<bool>, include_bots: Option<bool>) -> Self {
        Self { include_merges: include_merges.unwrap_or(false), include_bots: include_bots.unwrap_or(false) }
    }
}

impl ActivityApi {
    async fn range(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: NaiveDate,
        until: NaiveDate,
    ) -> Result<activity::Range, ApiError> {
        let db = &self.state.db;
        let filters =
            Filters::choose(db, repository, leave.include_merges, leave.include_bots, &self.state.aggregates).await?;
        Ok(activity::Range::new(repository, since, until).with(filters))
    }

    async fn stats(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<Json<Stats>, ApiError> {
        let (since, until) = last_year(since, until)?;
        let range = self.range(leave, repository, since, until).await?;
        let (db, kept) = (&self.state.db, &self.state.aggregates);
        let punch_card = kept.punch_card(db, &range).await?;
        let weeks = kept.history(db, &range, activity::Bucket::Week).await?;
        let months = kept.history(db, &range, activity::Bucket::Month).await?;
        let committers = kept.committers_per_month(db, &range).await?;
        let totals = kept.totals(db, &range).await?;
        Ok(Json(Stats {
            since,
            until,
            punch_card: punch_card.iter().map(|day| day.to_vec()).collect(),
            code_frequency: weeks
                .iter()
                .filter_map(|p| Some(WeekLines { week: p.start?, insertions: p.insertions, deletions: p.deletions }))
                .collect(),
            commits_per_month: months
                .iter()
                .filter_map(|p| Some(MonthCount { month: p.start?.format("%Y-%m").to_string(), count: p.commits }))
                .collect(),
            committers_per_month: committers
                .iter()
                .map(|(month, count)| MonthCount { month: month.clone(), count: *count })
                .collect(),
            totals: totals.into(),
        }))
    }

    async fn highlights(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<Json<Vec<Highlight>>, ApiError> {
        let (since, until) = last_year(since, until)?;
        let range = self.range(leave, repository, since, until).await?;
        let list = self.state.aggregates.highlights(&self.state.db, &range).await?;
        Ok(Json(list.iter().cloned().map(Highlight::from).collect()))
    }

    async fn committers(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        sort: Option<CommitterSort>,
    ) -> Result<FastJson<Vec<Committer>>, ApiError> {
        let (since, until) = all_time(&self.state.db, repository, since, until).await?;
        let range = self.range(leave, repository, since, until).await?;
        let order = sort.map(Into::into).unwrap_or_default();
        let list = self.state.aggregates.committers(&self.state.db, &range, order).await?;
        Ok(FastJson(list.iter().cloned().map(Committer::from).collect()))
    }

    async fn activity(
        &self,
        leave: Leave,
        repository: Option<i64>,
        bucket: Option<BucketParam>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<Json<Activity>, ApiError> {
        let bucket = bucket.unwrap_or(BucketParam::Week);
        let (since, until) = last_year(since, until)?;
        if bucket == BucketParam::Day && (until - since).num_days() > 3660 {
            return Err(ApiError::invalid("at most ten years of days; ask for weeks or months"));
        }
        let range = self.range(leave, repository, since, until).await?;
        let (db, kept) = (&self.state.db, &self.state.aggregates);
        let points = kept.history(db, &range, bucket.into()).await?;
        let totals = kept.totals(db, &range).await?;
        Ok(Json(Activity {
            bucket,
            since,
            until,
            points: points
                .iter()
                .filter_map(|p| {
                    Some(ActivityPoint {
                        start: p.start?,
                        commits: p.commits,
                        insertions: p.insertions,
                        deletions: p.deletions,
                    })
                })
                .collect(),
            totals: totals.into(),
        }))
    }
}

/// `since`..`until`, by default the twelve months up to today (UTC); refused when reversed.
fn last_year(since: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let until = until.unwrap_or_else(|| Utc::now().date_naive());
    let since = since.unwrap_or_else(|| until - Days::new(364));
    if since > until {
        return Err(ApiError::invalid("since is after until"));
    }
    Ok((since, until))
}

/// The days committers are counted over: all time unless narrowed.
async fn all_time(
    db: &sea_orm::DatabaseConnection,
    repository: Option<i64>,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let until = until.unwrap_or_else(|| Utc::now().date_naive());
    let since = match since {
        Some(since) => since,
        None => activity::first_day(db, repository).await?.unwrap_or(until),
    };
    if since > until {
        return Err(ApiError::invalid("since is after until"));
    }
    Ok((since, until))
}
