//! `/commits`: the commits of one repository or all of them, newest first, searched by
//! message text, sha prefix and author (the top bar's search box lands here), within the
//! dashboard's range and filters, a page at a time (keyset pagination), with line counts
//! and tags; the filtered list exported as CSV or JSON. Every choice is in the URL.

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::commits::{self, CommitFilter, Cursor};
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Query},
};
use serde::Deserialize;

use super::{
    error::{PageError, PageResult},
    export,
    filter_bar::FilterForm,
};
use crate::{
    api::Commit,
    auth::Identity,
    state::AppState,
    view::{RangeChoice, View, ViewParams},
};

/// The most commits one export holds.
const EXPORT_LIMIT: usize = 50_000;

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    #[serde(flatten)]
    view: ViewParams,
    q: Option<String>,
    author: Option<String>,
    cursor: Option<String>,
}

impl Params {
    /// The search's own parameters, kept by the filter bar and by page links.
    fn search_pairs(&self) -> Vec<(&'static str, String)> {
        [("q", &self.q), ("author", &self.author)]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value.clone().filter(|v| !v.trim().is_empty())?)))
            .collect()
    }

    fn query(&self, view: &View, cursor: Option<&str>) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.extend_pairs(view.pairs(None));
        url.extend_pairs(self.search_pairs());
        if let Some(cursor) = cursor {
            url.append_pair("cursor", cursor);
        }
        url.finish()
    }
}

/// The view resolved and turned into a commit filter: "all time" puts no bound on dates.
async fn filter(state: &AppState, params: &Params) -> Result<(View, CommitFilter), gitdash_shared::QueryError> {
    let view = params.view.resolve(state, RangeChoice::All).await?;
    let start = |day: chrono::NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let bounded = view.preset != Some(RangeChoice::All);
    let filter = CommitFilter {
        author: params.author.clone(),
        since: bounded.then(|| start(view.since)),
        until: bounded.then(|| start(view.until + chrono::Days::new(1)) - chrono::Duration::microseconds(1)),
        q: params.q.clone(),
        filters: view.range.filters.clone(),
    };
    Ok((view, filter))
}

struct Row {
    short_sha: String,
    summary: String,
    date: String,
    author: String,
    merge: bool,
    insertions: i64,
    deletions: i64,
    tags: String,
    repository: String,
}

#[derive(Template)]
#[template(path = "commits.html")]
struct CommitsPage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    search_carry: Vec<(&'static str, String)>,
    q: String,
    author: String,
    commits: Vec<Row>,
    next: Option<String>,
    export_csv: String,
    export_json: String,
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let db = &state.db;
    let (view, filter) = filter(&state, &params).await?;
    let cursor = params.cursor.as_deref().and_then(|c| Cursor::decode(c).ok());
    let found = commits::list(db, view.repository, &filter, cursor, 50).await?;
    let tags = commits::tags_of(db, &found.commits).await?;
    let rows = found
        .commits
        .into_iter()
        .map(|c| Row {
            short_sha: c.sha.chars().take(10).collect(),
            tags: tags.get(&(c.repository_id, c.sha.clone())).map(|t| t.join(", ")).unwrap_or_default(),
            repository: view.name_of(c.repository_id).unwrap_or_default(),
            summary: c.summary,
            date: c.committed_at.format("%Y-%m-%d %H:%M").to_string(),
            author: c.author_name,
            merge: c.parent_count > 1,
            insertions: c.insertions.unwrap_or(0),
            deletions: c.deletions.unwrap_or(0),
        })
        .collect();
    let scope = view.scope();
    let mut form = FilterForm::of(&view, "/commits");
    form.carry = params.search_pairs();
    let page = CommitsPage {
        user: identity.user.display_name().to_owned(),
        scope,
        search_carry: view.pairs(None),
        form,
        q: params.q.clone().unwrap_or_default(),
        author: params.author.clone().unwrap_or_default(),
        commits: rows,
        next: found.next_cursor.map(|c| format!("/commits?{}", params.query(&view, Some(&c.encode())))),
        export_csv: format!("/commits/export.csv?{}", params.query(&view, None)),
        export_json: format!("/commits/export.json?{}", params.query(&view, None)),
    };
    Ok(Html(page.render()?).into_response())
}

/// Every commit of the filtered list (up to [`EXPORT_LIMIT`]), page by page, as the API
/// gives them.
async fn all_matching(state: &AppState, params: &Params) -> Result<Vec<Commit>, PageError> {
    let (view, filter) = filter(state, params).await?;
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let batch = commits::list(&state.db, view.repository, &filter, cursor, commits::MAX_PAGE).await?;
        all.extend(batch.commits.into_iter().map(Commit::from));
        match batch.next_cursor {
            Some(next) if all.len() < EXPORT_LIMIT => cursor = Some(next),
            _ => break,
        }
    }
    all.truncate(EXPORT_LIMIT);
    Ok(all)
}

/// One line a commit (the message's first line; the JSON export has the whole message).
#[handler]
pub async fn export_csv(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let commits = all_matching(&state, &params).await?;
    export::csv(commits.iter().map(|c| &c.line), "commits.csv")
}

#[handler]
pub async fn export_json(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let commits = all_matching(&state, &params).await?;
    export::json(&commits, "commits.json")
}
