//! `/repositories/{id}/commits`: search and page through a repository's history.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use gitdash_shared::queries::{
    commits::{self, CommitFilter, Cursor},
    repositories,
};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{
    models::{Commit, CommitPage},
    tags::ApiTags,
};
use crate::{
    auth::Identity,
    error::{ApiError, ErrorBody},
    state::AppState,
};

pub struct CommitsApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
pub enum ListResponse {
    #[oai(status = 200)]
    Page(Json<CommitPage>),
    /// A parameter is out of range or the cursor is not valid.
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
}

#[OpenApi(tag = "ApiTags::Commits")]
impl CommitsApi {
    /// List commits newest first, filtered, one page at a time.
    #[oai(path = "/repositories/:id/commits", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// Part of the author's name or email, any case.
        author: Query<Option<String>>,
        /// Only commits committed at or after this time (RFC 3339).
        since: Query<Option<DateTime<Utc>>>,
        /// Only commits committed at or before this time (RFC 3339).
        until: Query<Option<DateTime<Utc>>>,
        /// Words the commit message holds, each as the start of one of its words, any case
        /// (`fix crash` finds "Crash fixed"), or a sha prefix (4+ hex digits).
        q: Query<Option<String>>,
        /// A file or folder (`src/parser`): only commits that changed it or a file under it.
        path: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Whether merge commits are listed (default: yes; this list is the index's record).
        include_merges: Query<Option<bool>>,
        /// Whether authors matching the bot pattern are listed (default: yes).
        include_bots: Query<Option<bool>>,
    ) -> Result<ListResponse, ApiError> {
        let invalid = |message: &str| Ok(ListResponse::Invalid(Json(ErrorBody { message: message.to_owned() })));
        let limit = limit.0.unwrap_or(commits::DEFAULT_PAGE);
        if !(1..=commits::MAX_PAGE).contains(&limit) {
            return invalid("limit must be from 1 to 500");
        }
        let cursor = match cursor.0.as_deref().map(Cursor::decode).transpose() {
            Ok(cursor) => cursor,
            Err(err) => return invalid(&err.to_string()),
        };
        if let (Some(since), Some(until)) = (since.0, until.0)
            && since > until
        {
            return invalid("since is after until");
        }
        repositories::get(&self.state.db, id.0).await?;
        let (include_merges, include_bots) = (include_merges.0.unwrap_or(true), include_bots.0.unwrap_or(true));
        let filters = self.state.aggregates.filters(&self.state.db, Some(id.0), include_merges, include_bots).await?;
        let filter = CommitFilter { author: author.0, since: since.0, until: until.0, q: q.0, path: path.0, filters };
        let page = commits::list(&self.state.db, &self.state.aggregates, Some(id.0), &filter, cursor, limit).await?;
        Ok(ListResponse::Page(Json(CommitPage {
            commits: page.commits.into_iter().map(Commit::from).collect(),
            next_cursor: page.next_cursor.map(|c| c.encode()),
        })))
    }
}
