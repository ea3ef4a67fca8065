//! Commit activity over time, read from the `activity_daily` summary: a chart over 80,000
//! commits reads at most one row per day and author, never the commits themselves.

use chrono::{Datelike, Days, Months, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, TransactionTrait,
};

use crate::{
    entities::{activity_author, activity_daily},
    error::QueryError,
    queries::filters::Filters,
};

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

/// `SUM(column)` as a BIGINT: PostgreSQL sums BIGINTs into NUMERIC otherwise.
fn sum(column: &str) -> sea_orm::sea_query::SimpleExpr {
    sea_orm::sea_query::Expr::cust(format!("CAST(SUM({column}) AS BIGINT)"))
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The daily summary's rows of the range, under its filters.
pub(crate) fn in_range(range: &Range) -> sea_orm::Condition {
    let mut condition = sea_orm::Condition::all()
        .add(activity_daily::Column::Day.gte(day(range.since)))
        .add(activity_daily::Column::Day.lte(day(range.until)));
    if let Some(id) = range.repository {
        condition = condition.add(activity_daily::Column::RepositoryId.eq(id));
    }
    if !range.filters.include_merges {
        // A day on which someone only merged is no activity of theirs.
        condition = condition.add(sea_orm::sea_query::Expr::cust("commits > merges"));
    }
    if !range.filters.excluded_authors.is_empty() {
        condition = condition
            .add(activity_daily::Column::AuthorEmail.is_not_in(range.filters.excluded_authors.iter().cloned()));
    }
    condition
}

/// One point per bucket from `since` to `until`, empty buckets included (a chart's x axis).
pub async fn history(db: &impl ConnectionTrait, range: &Range, bucket: Bucket) -> Result<Vec<Point>, QueryError> {
    Ok(in_buckets(&days(db, range).await?, range, bucket))
}

/// The range's days that have commits, oldest first: one point per day.
pub async fn days(db: &impl ConnectionTrait, range: &Range) -> Result<Vec<Point>, QueryError> {
    let rows: Vec<(String, i64, i64, i64)> = activity_daily::Entity::find()
        .select_only()
        .column(activity_daily::Column::Day)
        .column_as(sum(range.commits_column()), "commits")
        .column_as(sum("insertions"), "insertions")
        .column_as(sum("deletions"), "deletions")
        .filter(in_range(range))
        .group_by(activity_daily::Column::Day)
        .order_by_asc(activity_daily::Column::Day)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, commits, insertions, deletions)| {
            let start = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok();
            start.is_some().then_some(Point { start, commits, insertions, deletions })
        })
        .collect())
}

/// `days` (from [`days`]) added up per bucket of the range, empty buckets included.
pub fn in_buckets(days: &[Point], range: &Range, bucket: Bucket) -> Vec<Point> {
    let mut points = Vec::new();
    let mut start = bucket.start_of(range.since);
    while start <= range.until && points.len() < 10_000 {
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

pub async fn totals(db: &impl ConnectionTrait, range: &Range) -> Result<Totals, QueryError> {
    /// Sums are NULL over no rows.
    type Row = (Option<i64>, i64, Option<i64>, Option<i64>);
    let row: Option<Row> = activity_daily::Entity::find()
        .select_only()
        .column_as(sum(range.commits_column()), "commits")
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(DISTINCT author_email)"), "committers")
        .column_as(sum("insertions"), "insertions")
        .column_as(sum("deletions"), "deletions")
        .filter(in_range(range))
        .into_tuple()
        .one(db)
        .await?;
    let (commits, committers, insertions, deletions) = row.unwrap_or_default();
    Ok(Totals {
        commits: commits.unwrap_or(0),
        committers,
        insertions: insertions.unwrap_or(0),
        deletions: deletions.unwrap_or(0),
    })
}

/// The first day with activity, for "all time".
pub async fn first_day(db: &impl ConnectionTrait, repository: Option<i64>) -> Result<Option<NaiveDate>, QueryError> {
    let mut query = activity_daily::Entity::find().select_only().column_as(activity_daily::Column::Day.min(), "day");
    if let Some(id) = repository {
        query = query.filter(activity_daily::Column::RepositoryId.eq(id));
    }
    let first: Option<Option<String>> = query.into_tuple().one(db).await?;
    Ok(first.flatten().and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// Rebuilds a repository's summaries (`activity_daily` and `activity_hours` from its commits,
/// `activity_authors` from the daily one) in one transaction: run by the sync after commits were added, removed or
/// re-mapped.
pub async fn rebuild(db: &DatabaseConnection, repository_id: i64) -> Result<(), QueryError> {
    let backend = db.get_database_backend();
    let (day, param) = match backend {
        DatabaseBackend::Postgres => ("to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')", "$1"),
        // sqlx stores UTC times as RFC 3339 text: the date is its first ten characters.
        _ => ("substr(committed_at, 1, 10)", "?"),
    };
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!("DELETE FROM activity_daily WHERE repository_id = {param}"),
        [repository_id.into()],
    ))
    .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO activity_daily \
             (repository_id, day, author_email, author_name, commits, merges, insertions, deletions, \
             largest_change) \
             SELECT repository_id, {day}, author_email, MAX(author_name), COUNT(*), \
             SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END), \
             COALESCE(SUM(insertions), 0), COALESCE(SUM(deletions), 0), \
             MAX(COALESCE(insertions, 0) + COALESCE(deletions, 0)) \
             FROM commits WHERE repository_id = {param} GROUP BY repository_id, {day}, author_email"
        ),
        [repository_id.into()],
    ))
    .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!("DELETE FROM activity_authors WHERE repository_id = {param}"),
        [repository_id.into()],
    ))
    .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO activity_authors (repository_id, author_email, author_name, first_day, last_day, \
             commits, merges, insertions, deletions, active_days, work_first_day, work_last_day, work_days) \
             SELECT repository_id, author_email, MAX(author_name), MIN(day), MAX(day), SUM(commits), SUM(merges), \
             SUM(insertions), SUM(deletions), COUNT(*), MIN(CASE WHEN commits > merges THEN day END), \
             MAX(CASE WHEN commits > merges THEN day END), SUM(CASE WHEN commits > merges THEN 1 ELSE 0 END) \
             FROM activity_daily WHERE repository_id = {param} GROUP BY repository_id, author_email"
        ),
        [repository_id.into()],
    ))
    .await?;
    let (weekday, hour) = crate::queries::stats::local_weekday_and_hour(backend);
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!("DELETE FROM activity_hours WHERE repository_id = {param}"),
        [repository_id.into()],
    ))
    .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO activity_hours (repository_id, author_email, weekday, hour, commits, merges) \
             SELECT repository_id, author_email, {weekday}, {hour}, COUNT(*), \
             SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END) \
             FROM commits WHERE repository_id = {param} GROUP BY repository_id, author_email, {weekday}, {hour}"
        ),
        [repository_id.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// Whether the range starts on or before the scope's first commit day and ends on or after
/// its last (the days of `activity_authors`): then the whole-history summaries answer.
pub(crate) async fn spans_whole_history(db: &impl ConnectionTrait, range: &Range) -> Result<bool, QueryError> {
    let mut query = activity_author::Entity::find()
        .select_only()
        .column_as(activity_author::Column::FirstDay.min(), "first_day")
        .column_as(activity_author::Column::LastDay.max(), "last_day");
    if let Some(id) = range.repository {
        query = query.filter(activity_author::Column::RepositoryId.eq(id));
    }
    let days: Option<(Option<String>, Option<String>)> = query.into_tuple().one(db).await?;
    Ok(match days {
        Some((Some(first), Some(last))) => day(range.since) <= first && day(range.until) >= last,
        _ => false,
    })
}

/// One repository's committers over its whole history, from `activity_authors`.
async fn committers_of_all_time(
    db: &impl ConnectionTrait,
    repository: i64,
    range: &Range,
) -> Result<Vec<Committer>, QueryError> {
    let authors =
        activity_author::Entity::find().filter(activity_author::Column::RepositoryId.eq(repository)).all(db).await?;
    Ok(authors
        .into_iter()
        .filter(|a| !range.filters.excluded_authors.contains(&a.author_email))
        .filter_map(|a| {
            let (commits, first_day, last_day, active_days) = if range.filters.include_merges {
                (a.commits, a.first_day, a.last_day, a.active_days)
            } else {
                (a.commits - a.merges, a.work_first_day?, a.work_last_day?, a.work_days)
            };
            (commits > 0).then_some(Committer {
                email: a.author_email,
                name: a.author_name,
                commits,
                insertions: a.insertions,
                deletions: a.deletions,
                first_day,
                last_day,
                active_days,
            })
        })
        .collect())
}

/// Everyone who committed in the range, most commits first unless `order` says otherwise.
pub async fn committers(
    db: &impl ConnectionTrait,
    range: &Range,
    order: CommitterOrder,
) -> Result<Vec<Committer>, QueryError> {
    let mut committers = match range.repository {
        Some(id) if spans_whole_history(db, range).await? => committers_of_all_time(db, id, range).await?,
        _ => committers_in_range(db, range).await?,
    };
    sort_committers(&mut committers, order);
    Ok(committers)
}

async fn committers_in_range(db: &impl ConnectionTrait, range: &Range) -> Result<Vec<Committer>, QueryError> {
    type Row = (String, String, i64, i64, i64, String, String, i64);
    let rows: Vec<Row> = activity_daily::Entity::find()
        .select_only()
        .column(activity_daily::Column::AuthorEmail)
        .column_as(activity_daily::Column::AuthorName.max(), "name")
        .column_as(sum(range.commits_column()), "commits")
        .column_as(sum("insertions"), "insertions")
        .column_as(sum("deletions"), "deletions")
        .column_as(activity_daily::Column::Day.min(), "first_day")
        .column_as(activity_daily::Column::Day.max(), "last_day")
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(DISTINCT day)"), "active_days")
        .filter(in_range(range))
        .group_by(activity_daily::Column::AuthorEmail)
        .into_tuple()
        .all(db)
        .await?;
    let committers: Vec<Committer> = rows
        .into_iter()
        .map(|(email, name, commits, insertions, deletions, first_day, last_day, active_days)| Committer {
            email,
            name,
            commits,
            insertions,
            deletions,
            first_day,
            last_day,
            active_days,
        })
        .collect();
    Ok(committers)
}

fn sort_committers(committers: &mut [Committer], order: CommitterOrder) {
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
