//! What the dashboard's API operations answer: activity, statistics, committers and
//! highlighted commits. The committers type is also what the committers export writes.

use chrono::Utc;
use gitdash_shared::queries::{activity, highlights};
use poem_openapi::{Enum, Object};

use super::day::Day;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BucketParam {
    Day,
    Week,
    Month,
}

impl From<activity::Bucket> for BucketParam {
    fn from(bucket: activity::Bucket) -> Self {
        match bucket {
            activity::Bucket::Day => BucketParam::Day,
            activity::Bucket::Week => BucketParam::Week,
            activity::Bucket::Month => BucketParam::Month,
        }
    }
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
    pub start: Day,
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

impl From<&activity::Totals> for ActivityTotals {
    fn from(totals: &activity::Totals) -> Self {
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
    pub since: Day,
    pub until: Day,
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
    pub name: String,
    pub email: String,
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
    /// Day (UTC) of the first and last commit in the range.
    pub first_day: String,
    pub last_day: String,
    /// Days with at least one commit.
    pub active_days: i64,
    /// Commits in the range that name them in a `Co-authored-by:` trailer (someone who
    /// only co-authored is listed with no commits of their own).
    pub co_authored: i64,
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
            co_authored: c.co_authored,
        }
    }
}

#[derive(Debug, Object)]
pub struct PeriodLines {
    /// The period's first day: a Monday for weeks, the 1st for months.
    pub start: Day,
    pub insertions: i64,
    pub deletions: i64,
}

#[derive(Debug, Object)]
pub struct MonthCount {
    /// `YYYY-MM`
    pub month: String,
    pub count: i64,
}

/// Statistics of a range. `code_frequency` holds a period per week, or per month when the
/// range is longer than two years (`code_frequency_bucket` says which).
#[derive(Debug, Object)]
pub struct Stats {
    pub since: Day,
    pub until: Day,
    /// Commits by weekday (Monday first, 7 rows) and hour of the author's local time (24 columns).
    pub punch_card: Vec<Vec<i64>>,
    // `week`, or `month` past two years, as the statistics page draws it. (Not a doc comment:
    // poem-openapi would wrap the enum's reference in `allOf` to describe it, which some client
    // generators refuse; the struct's documentation says it instead.)
    pub code_frequency_bucket: BucketParam,
    /// Lines added and removed per period.
    pub code_frequency: Vec<PeriodLines>,
    pub commits_per_month: Vec<MonthCount>,
    pub committers_per_month: Vec<MonthCount>,
    pub totals: ActivityTotals,
}

/// A commit that stands out, and why.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
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
