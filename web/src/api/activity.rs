//! `/repositories/{id}/activity` and `/activity`: commits and lines per day, week or month.

use std::sync::Arc;

use gitdash_shared::queries::{activity, repositories};
use poem_openapi::{OpenApi, param::Path, param::Query, payload::Json};

use super::{
    dashboard_models::{
        Activity, ActivityPoint, BucketParam, Committer, CommitterSort, Highlight, MonthCount, PeriodLines, Stats,
    },
    day::Day,
    fast_json::FastJson,
    tags::ApiTags,
};
use crate::{
    auth::Identity,
    error::ApiError,
    state::AppState,
    view::{RangeChoice, View, ViewRequest},
};

pub struct ActivityApi {
    pub state: Arc<AppState>,
}

#[OpenApi(tag = "ApiTags::Activity")]
impl ActivityApi {
    /// Statistics of one repository: punch card, code frequency, commits and committers per
    /// month, totals (default range: the last 12 months).
    #[oai(path = "/repositories/:id/stats", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn repository_stats(
        &self,
        _identity: Identity,
        id: Path<i64>,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
    ) -> Result<Json<Stats>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.stats(Leave::asked(include_merges.0, include_bots.0, path.0), Some(id.0), since.0, until.0).await
    }

    /// Statistics across every repository.
    #[oai(path = "/stats", method = "get")]
    async fn all_stats(
        &self,
        _identity: Identity,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
    ) -> Result<Json<Stats>, ApiError> {
        self.stats(Leave::asked(include_merges.0, include_bots.0, path.0), None, since.0, until.0).await
    }

    /// Highlighted commits of one repository in a range (default: the last 12 months).
    #[oai(path = "/repositories/:id/highlights", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn repository_highlights(
        &self,
        _identity: Identity,
        id: Path<i64>,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
    ) -> Result<Json<Vec<Highlight>>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.highlights(Leave::asked(include_merges.0, include_bots.0, path.0), Some(id.0), since.0, until.0).await
    }

    /// Highlighted commits across every repository.
    #[oai(path = "/highlights", method = "get")]
    async fn all_highlights(
        &self,
        _identity: Identity,
        since: Query<Option<Day>>,
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
    ) -> Result<Json<Vec<Highlight>>, ApiError> {
        self.highlights(Leave::asked(include_merges.0, include_bots.0, path.0), None, since.0, until.0).await
    }

    /// Committers of one repository: commits, lines, first and last day, active days.
    #[oai(path = "/repositories/:id/committers", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn repository_committers(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// First day (default: the first commit's).
        since: Query<Option<Day>>,
        /// Last day (default: today, UTC).
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
        /// Order: `commits` (default), `insertions`, `deletions`, `active_days`, `first_day`, `last_day`, `name`.
        sort: Query<Option<CommitterSort>>,
    ) -> Result<FastJson<Vec<Committer>>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.committers(Leave::asked(include_merges.0, include_bots.0, path.0), Some(id.0), since.0, until.0, sort.0)
            .await
    }

    /// Committers across every repository.
    #[oai(path = "/committers", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn all_committers(
        &self,
        _identity: Identity,
        /// First day (default: the first commit's).
        since: Query<Option<Day>>,
        /// Last day (default: today, UTC).
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
        /// Order, as for one repository.
        sort: Query<Option<CommitterSort>>,
    ) -> Result<FastJson<Vec<Committer>>, ApiError> {
        self.committers(Leave::asked(include_merges.0, include_bots.0, path.0), None, since.0, until.0, sort.0).await
    }

    /// Commit history of one repository: commits and lines per bucket, by commit date (UTC).
    #[oai(path = "/repositories/:id/activity", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn repository_activity(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// `day`, `week` (default) or `month`.
        bucket: Query<Option<BucketParam>>,
        /// First day (default: 12 months before `until`).
        since: Query<Option<Day>>,
        /// Last day (default: today, UTC).
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
    ) -> Result<Json<Activity>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.activity(Leave::asked(include_merges.0, include_bots.0, path.0), Some(id.0), bucket.0, since.0, until.0)
            .await
    }

    /// Commit history across every repository.
    #[oai(path = "/activity", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn all_activity(
        &self,
        _identity: Identity,
        /// `day`, `week` (default) or `month`.
        bucket: Query<Option<BucketParam>>,
        /// First day (default: 12 months before `until`).
        since: Query<Option<Day>>,
        /// Last day (default: today, UTC).
        until: Query<Option<Day>>,
        /// Count merge commits (default: false).
        include_merges: Query<Option<bool>>,
        /// Count authors matching the bot pattern (default: false).
        include_bots: Query<Option<bool>>,
        /// Only the commits that changed this folder or file (`web/src`), with their lines
        /// there; merges change no file, so none are counted.
        path: Query<Option<String>>,
    ) -> Result<Json<Activity>, ApiError> {
        self.activity(Leave::asked(include_merges.0, include_bots.0, path.0), None, bucket.0, since.0, until.0).await
    }
}

/// What the caller asked to leave out (merges and bots unless asked for) and the folder or
/// file it narrowed the view to.
#[derive(Debug, Clone)]
struct Leave {
    include_merges: bool,
    include_bots: bool,
    path: Option<String>,
}

impl Leave {
    fn asked(include_merges: Option<bool>, include_bots: Option<bool>, path: Option<String>) -> Self {
        Self { include_merges: include_merges.unwrap_or(false), include_bots: include_bots.unwrap_or(false), path }
    }
}

impl ActivityApi {
    /// The view the parameters ask for, the same type the pages resolve: `default` when no
    /// date is given; refused when the dates are reversed.
    async fn view(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: Option<Day>,
        until: Option<Day>,
        default: RangeChoice,
    ) -> Result<View, ApiError> {
        let request = ViewRequest {
            repository,
            preset: None,
            since: since.map(|day| day.0),
            until: until.map(|day| day.0),
            include_merges: leave.include_merges,
            include_bots: leave.include_bots,
            path: leave.path,
            prefer_range_with_data: false,
        };
        let view = request.resolve(&self.state, default).await?;
        if view.since > view.until {
            return Err(ApiError::invalid("since is after until"));
        }
        Ok(view)
    }

    async fn stats(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: Option<Day>,
        until: Option<Day>,
    ) -> Result<Json<Stats>, ApiError> {
        let view = self.view(leave, repository, since, until, RangeChoice::Months12).await?;
        let frequency = view.code_frequency_bucket();
        view.check_points(frequency).map_err(ApiError::invalid)?;
        let (db, kept, range) = (&self.state.db, &self.state.aggregates, &view.range);
        let punch_card = kept.punch_card(db, range).await?;
        let periods = kept.history(db, range, frequency).await?;
        let months = kept.history(db, range, activity::Bucket::Month).await?;
        let committers = kept.committers_per_month(db, range).await?;
        let totals = kept.totals(db, range).await?;
        Ok(Json(Stats {
            since: view.since.into(),
            until: view.until.into(),
            punch_card: punch_card.iter().map(|day| day.to_vec()).collect(),
            code_frequency_bucket: frequency.into(),
            code_frequency: periods
                .iter()
                .filter_map(|p| {
                    Some(PeriodLines { start: p.start?.into(), insertions: p.insertions, deletions: p.deletions })
                })
                .collect(),
            commits_per_month: months
                .iter()
                .filter_map(|p| Some(MonthCount { month: p.start?.format("%Y-%m").to_string(), count: p.commits }))
                .collect(),
            committers_per_month: committers
                .iter()
                .map(|(month, count)| MonthCount { month: month.clone(), count: *count })
                .collect(),
            totals: (&*totals).into(),
        }))
    }

    async fn highlights(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: Option<Day>,
        until: Option<Day>,
    ) -> Result<Json<Vec<Highlight>>, ApiError> {
        let view = self.view(leave, repository, since, until, RangeChoice::Months12).await?;
        let list = self.state.aggregates.highlights(&self.state.db, &view.range).await?;
        Ok(Json(list.iter().cloned().map(Highlight::from).collect()))
    }

    async fn committers(
        &self,
        leave: Leave,
        repository: Option<i64>,
        since: Option<Day>,
        until: Option<Day>,
        sort: Option<CommitterSort>,
    ) -> Result<FastJson<Vec<Committer>>, ApiError> {
        let view = self.view(leave, repository, since, until, RangeChoice::All).await?;
        let order = sort.map(Into::into).unwrap_or_default();
        let list = self.state.aggregates.committers(&self.state.db, &view.range, order).await?;
        Ok(FastJson(list.iter().cloned().map(Committer::from).collect()))
    }

    async fn activity(
        &self,
        leave: Leave,
        repository: Option<i64>,
        bucket: Option<BucketParam>,
        since: Option<Day>,
        until: Option<Day>,
    ) -> Result<Json<Activity>, ApiError> {
        let view = self.view(leave, repository, since, until, RangeChoice::Months12).await?;
        let bucket = bucket.unwrap_or(BucketParam::Week);
        if bucket == BucketParam::Day && (view.until - view.since).num_days() > 3660 {
            return Err(ApiError::invalid("at most ten years of days; ask for weeks or months"));
        }
        view.check_points(bucket.into()).map_err(ApiError::invalid)?;
        let (db, kept, range) = (&self.state.db, &self.state.aggregates, &view.range);
        let points = kept.history(db, range, bucket.into()).await?;
        let totals = kept.totals(db, range).await?;
        Ok(Json(Activity {
            bucket,
            since: view.since.into(),
            until: view.until.into(),
            points: points
                .iter()
                .filter_map(|p| {
                    Some(ActivityPoint {
                        start: p.start?.into(),
                        commits: p.commits,
                        insertions: p.insertions,
                        deletions: p.deletions,
                    })
                })
                .collect(),
            totals: (&*totals).into(),
        }))
    }
}
