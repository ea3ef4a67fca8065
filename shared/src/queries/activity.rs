//! Commit activity over time, read from the `activity_daily` summary: a chart over 80,000
//! commits reads at most one row per day and author, never the commits themselves.

use chrono::{Datelike, Days, Months, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{entities::activity_daily, error::QueryError, queries::filters::Filters};

/// How the days are grouped on a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    /// Weeks start on Monday.
    Week,
    Month,
}

impl Bucket {
    /// The first day of the bucket holding `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => day,
            Bucket::Week => day - Days::new(day.weekday().num_days_from_monday() as u64),
            Bucket::Month => day.with_day(1).unwrap_or(day),
        }
    }

    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Days::new(1),
            Bucket::Week => start + Days::new(7),
            Bucket::Month => start + Months::new(1),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Point {
    pub start: Option<NaiveDate>,
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub commits: i64,
    pub committers: i64,
    pub insertions: i64,
    pub deletions: i64,
}

/// The days from `since` to `until` (inclusive), in one repository or all of them, with
/// what is left out.
#[derive(Debug, Clone)]
pub struct Range {
    pub repository: Option<i64>,
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub filters: Filters,
}

impl Range {
    /// Every commit of the days, merges and bots included.
    pub fn new(repository: Option<i64>, since: NaiveDate, until: NaiveDate) -> Self {
        Self { repository, since, until, filters: Filters::default() }
    }

    pub fn with(self, filters: Filters) -> Self {
        Self { filters, ..self }
    }

    /// The summary's commit count under these filters: merges are counted apart.
    pub(crate) fn commits_column(&self) -> &'static str {
        if self.filters.include_merges { "commits" } else { "commits - merges" }
    }
}

/// The most points a chart or series holds; callers refuse longer ranges (see
/// [`points_in`]) instead of cutting them.
pub const MAX_POINTS: usize = 10_000;

/// How many `bucket`s the range spans, counting partial ones at both ends.
pub fn points_in(since: NaiveDate, until: NaiveDate, bucket: Bucket) -> usize {
    if until < since {
        return 0;
    }
    let days = (until - since).num_days() as usize + 1;
    match bucket {
        Bucket::Day => days,
        Bucket::Week => days / 7 + 2,
        Bucket::Month => {
            let months = |d: NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
            (months(until) - months(since)) as usize + 1
        }
    }
}

/// A range's days (from [`crate::queries::daily::Daily::days`]) added up per bucket of the
/// range, empty buckets included.
pub fn in_buckets(days: &[Point], range: &Range, bucket: Bucket) -> Vec<Point> {
    let mut points = Vec::new();
    let mut start = bucket.start_of(range.since);
    while start <= range.until && points.len() < MAX_POINTS {
        points.push(Point { start: Some(start), ..Point::default() });
        start = bucket.next(start);
    }
    let first = bucket.start_of(range.since);
    for day in days {
        let Some(date) = day.start else { continue };
        let bucket_start = bucket.start_of(date);
        let index = points.partition_point(|p| p.start.is_some_and(|s| s < bucket_start));
        if bucket_start < first {
            continue;
        }
        if let Some(point) = points.get_mut(index) {
            point.commits += day.commits;
            point.insertions += day.insertions;
            point.deletions += day.deletions;
        }
    }
    points
}

/// The first day with activity, for "all time".
pub async fn first_day(db: &impl ConnectionTrait, repository: Option<i64>) -> Result<Option<NaiveDate>, QueryError> {
    edge_day(db, repository, activity_daily::Column::Day.min()).await
}

/// The last day with activity: where a first view of an old repository ends.
pub async fn last_day(db: &impl ConnectionTrait, repository: Option<i64>) -> Result<Option<NaiveDate>, QueryError> {
    edge_day(db, repository, activity_daily::Column::Day.max()).await
}

async fn edge_day(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    edge: sea_orm::sea_query::SimpleExpr,
) -> Result<Option<NaiveDate>, QueryError> {
    let mut query = activity_daily::Entity::find().select_only().column_as(edge, "day");
    if let Some(id) = repository {
        query = query.filter(activity_daily::Column::RepositoryId.eq(id));
    }
    let first: Option<Option<String>> = query.into_tuple().one(db).await?;
    Ok(first.flatten().and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// One person (after .mailmap) over a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committer {
    pub email: String,
    pub name: String,
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
    pub first_day: String,
    pub last_day: String,
    /// Days with at least one commit.
    pub active_days: i64,
    /// Commits in the range that name them in a `Co-authored-by:` trailer.
    pub co_authored: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CommitterOrder {
    #[default]
    Commits,
    Insertions,
    Deletions,
    ActiveDays,
    FirstDay,
    LastDay,
    Name,
}

/// Most commits first unless `order` says otherwise; then by email, so the order is stable.
pub fn sort_committers(committers: &mut [Committer], order: CommitterOrder) {
    committers.sort_by(|a, b| {
        let by = match order {
            CommitterOrder::Commits => b.commits.cmp(&a.commits),
            CommitterOrder::Insertions => b.insertions.cmp(&a.insertions),
            CommitterOrder::Deletions => b.deletions.cmp(&a.deletions),
            CommitterOrder::ActiveDays => b.active_days.cmp(&a.active_days),
            CommitterOrder::FirstDay => a.first_day.cmp(&b.first_day),
            CommitterOrder::LastDay => b.last_day.cmp(&a.last_day),
            CommitterOrder::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        };
        by.then_with(|| a.email.cmp(&b.email))
    });
}
