//! `/repositories/{id}/activity` and `/activity`: commits and lines per day, week or month.

use std::sync::Arc;

use chrono::{Days, NaiveDate, Utc};
use gitdash_shared::queries::{activity, repositories};
use poem_openapi::{Enum, Object, OpenApi, param::Path, param::Query, payload::Json};

use super::ApiTags;
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

#[derive(Debug, Object)]
pub struct Activity {
    pub bucket: BucketParam,
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub points: Vec<ActivityPoint>,
    pub totals: ActivityTotals,
}

#[OpenApi(tag = "ApiTags::Activity")]
impl ActivityApi {
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
    ) -> Result<Json<Activity>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.activity(Some(id.0), bucket.0, since.0, until.0).await
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
    ) -> Result<Json<Activity>, ApiError> {
        self.activity(None, bucket.0, since.0, until.0).await
    }
}

impl ActivityApi {
    async fn activity(
        &self,
        repository: Option<i64>,
        bucket: Option<BucketParam>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<Json<Activity>, ApiError> {
        let bucket = bucket.unwrap_or(BucketParam::Week);
        let until = until.unwrap_or_else(|| Utc::now().date_naive());
        let since = since.unwrap_or_else(|| until - Days::new(364));
        if since > until {
            return Err(ApiError::invalid("since is after until"));
        }
        if bucket == BucketParam::Day && (until - since).num_days() > 3660 {
            return Err(ApiError::invalid("at most ten years of days; ask for weeks or months"));
        }
        let range = activity::Range { repository, since, until };
        let db = &self.state.db;
        let points = activity::history(db, range, bucket.into()).await?;
        let totals = activity::totals(db, range).await?;
        Ok(Json(Activity {
            bucket,
            since,
            until,
            points: points
                .into_iter()
                .filter_map(|p| {
                    Some(ActivityPoint {
                        start: p.start?,
                        commits: p.commits,
                        insertions: p.insertions,
                        deletions: p.deletions,
                    })
                })
                .collect(),
            totals: ActivityTotals {
                commits: totals.commits,
                committers: totals.committers,
                insertions: totals.insertions,
                deletions: totals.deletions,
            },
        }))
    }
}
