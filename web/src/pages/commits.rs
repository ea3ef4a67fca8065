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
    format::filters,
    links,
};
use crate::{
    api::Commit,
    auth::Identity,
    state::AppState,
    view::{RangeChoice, View, ViewParams},
};

/// Commits on one page.
const PAGE: u64 = 50;

/// The most commits one export holds.
const EXPORT_LIMIT: usize = 50_000;

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    #[serde(flatten)]
    view: ViewParams,
    q: Option<String>,
    author: Option<String>,
    /// A file or folder: only the commits that changed it.
    path: Option<String>,
    cursor: Option<String>,
    /// A page of commits newer than this cursor (the "newer" link of an older page).
    newer: Option<String>,
}

impl Params {
    /// The search's own parameters, kept by the filter bar and by page links.
    fn search_pairs(&self) -> Vec<(&'static str, String)> {
        [("q", &self.q), ("author", &self.author), ("path", &self.path)]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value.clone().filter(|v| !v.trim().is_empty())?)))
            .collect()
    }

    fn query(&self, view: &View, position: Option<(&'static str, Cursor)>) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.extend_pairs(view.pairs(None));
        url.extend_pairs(self.search_pairs());
        if let Some((name, cursor)) = position {
            url.append_pair(name, &cursor.encode());
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
        path: params.path.clone(),
        filters: view.range.filters.clone(),
    };
    Ok((view, filter))
}

/// Searches count their matches up to this many; past it the page says "more than".
const COUNTED_UP_TO: u64 = 1_000;

/// How many commits the page's filter selects, and whether there are more than that. Without
/// a search or an author, that is the view's commit total, which the web keeps per view (the
/// same days, merges and bots) and which a sync updates when it ends; with a path alone, the
/// path's kept commits; otherwise, or while a first sync has stored commits but no summary yet
/// (fewer than the page lists), the database counts a search's matches up to
/// [`COUNTED_UP_TO`].
async fn count(
    state: &AppState,
    view: &View,
    filter: &CommitFilter,
    listed: usize,
) -> Result<(u64, bool), gitdash_shared::QueryError> {
    let given = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.trim().is_empty());
    if !given(&filter.q) && !given(&filter.author) && !given(&filter.path) {
        let total = state.aggregates.totals(&state.db, &view.range).await?.commits.max(0) as u64;
        if total >= listed as u64 && total > 0 {
            return Ok((total, false));
        }
    }
    // A path alone is counted whole: its commits are kept in order, counting them is free.
    let at_most = if given(&filter.q) || given(&filter.author) { COUNTED_UP_TO } else { i64::MAX as u64 - 1 };
    let counted = commits::count_matching(&state.db, &state.aggregates, view.repository, filter, at_most).await?;
    Ok((counted.min(at_most), counted > at_most))
}

struct Row {
    short_sha: String,
    href: String,
    /// The summary cut around the search's matches, which are marked.
    summary: Vec<(String, bool)>,
    date: String,
    author: String,
    author_href: String,
    merge: bool,
    insertions: i64,
    deletions: i64,
    tags: Vec<String>,
    repository: String,
}

#[derive(Template)]
#[template(path = "commits.html")]
struct CommitsPage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    q: String,
    author: String,
    /// The file or folder the list is narrowed to, "" for none.
    path: String,
    matches: u64,
    /// More commits match than `matches`, which is where counting stopped.
    more_matches: bool,
    commits: Vec<Row>,
    newer: Option<String>,
    older: Option<String>,
    export_csv: String,
    export_json: String,
}

/// `text` in pieces, each saying whether it is what the search matched: the start of each
/// word that begins with one of `q`'s words, any case (as the search matches), or `q` itself
/// when it holds no word.
fn marked(text: &str, q: &str) -> Vec<(String, bool)> {
    let words = commits::message_words(q);
    let q = q.trim();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    if words.is_empty() {
        if !q.is_empty() {
            let (haystack, needle) = (text.to_ascii_lowercase(), q.to_ascii_lowercase());
            spans.extend(haystack.match_indices(&needle).map(|(start, found)| (start, start + found.len())));
        }
    } else {
        for (start, word) in text_words(text) {
            let lower = word.to_lowercase();
            // The longest query word this word starts with, mapped back onto the original
            // characters (lowercasing can change a character's length).
            let longest = words.iter().filter(|w| lower.starts_with(w.as_str())).map(|w| w.chars().count()).max();
            if let Some(chars) = longest {
                let end = word.char_indices().nth(chars).map_or(word.len(), |(i, _)| i);
                spans.push((start, start + end));
            }
        }
    }
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end) in spans {
        if start > at {
            pieces.push((text[at..start].to_owned(), false));
        }
        pieces.push((text[start..end].to_owned(), true));
        at = end;
    }
    if at < text.len() || pieces.is_empty() {
        pieces.push((text[at..].to_owned(), false));
    }
    pieces
}

/// The words of `text` (runs of letters and digits) with their byte offsets.
fn text_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, &text[s..]));
    }
    words.into_iter()
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let db = &state.db;
    let (view, filter) = filter(&state, &params).await?;
    let decode = |text: &Option<String>| text.as_deref().and_then(|c| Cursor::decode(c).ok());
    let (found, newer_cursor, older_cursor) = match (decode(&params.newer), decode(&params.cursor)) {
        (Some(newer), _) => {
            let (found, more) =
                commits::list_newer(db, &state.aggregates, view.repository, &filter, newer, PAGE).await?;
            let newest = found.first().map(commits::cursor_before).filter(|_| more);
            let oldest =
                found.last().map(|c| Cursor { committed_at_micros: c.committed_at.timestamp_micros(), id: c.id });
            (found, newest, oldest.or(Some(newer)))
        }
        (None, cursor) => {
            let page = commits::list(db, &state.aggregates, view.repository, &filter, cursor, PAGE).await?;
            let newest = cursor.and(page.commits.first().map(commits::cursor_before));
            (page.commits, newest, page.next_cursor)
        }
    };
    let (matches, more_matches) = count(&state, &view, &filter, found.len()).await?;
    let mut tags = commits::tags_of(db, &found).await?;
    let q = params.q.clone().unwrap_or_default();
    let rows = found
        .into_iter()
        .map(|c| Row {
            short_sha: c.sha.chars().take(10).collect(),
            href: links::commit(c.repository_id, &c.sha),
            tags: tags.remove(&(c.repository_id, c.sha.clone())).unwrap_or_default(),
            repository: view.name_of(c.repository_id).unwrap_or_default(),
            summary: marked(&c.summary, &q),
            date: c.committed_at.format("%Y-%m-%d %H:%M").to_string(),
            author_href: links::person(view.repository, &c.author_email),
            author: c.author_name,
            merge: c.parent_count > 1,
            insertions: c.insertions.unwrap_or(0),
            deletions: c.deletions.unwrap_or(0),
        })
        .collect();
    let scope = view.scope();
    let mut form = FilterForm::of(&view, "/commits");
    form.search = Some((q.clone(), params.author.clone().unwrap_or_default(), params.path.clone().unwrap_or_default()));
    let page = CommitsPage {
        user: identity.user.display_name().to_owned(),
        scope,
        form,
        author: params.author.clone().unwrap_or_default(),
        path: params
            .path
            .as_deref()
            .and_then(gitdash_shared::queries::files::normal_path)
            .unwrap_or_default()
            .to_owned(),
        q,
        matches,
        more_matches,
        commits: rows,
        newer: newer_cursor.map(|c| format!("/commits?{}", params.query(&view, Some(("newer", c))))),
        older: older_cursor.map(|c| format!("/commits?{}", params.query(&view, Some(("cursor", c))))),
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
        let batch =
            commits::list(&state.db, &state.aggregates, view.repository, &filter, cursor, commits::MAX_PAGE).await?;
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

#[cfg(test)]
mod tests {
    use super::marked;

    #[test]
    fn word_starts_are_marked_in_any_case() {
        let piece = |text: &str, hit: bool| (text.to_owned(), hit);
        assert_eq!(
            marked("Fix the FIX fixture, prefix", "fix"),
            vec![
                piece("Fix", true),
                piece(" the ", false),
                piece("FIX", true),
                piece(" ", false),
                piece("fix", true),
                piece("ture, prefix", false)
            ],
            "a word that only holds the query inside is not a match"
        );
        assert_eq!(
            marked("Crash fixed in src/parser.c", "parser crash"),
            vec![piece("Crash", true), piece(" fixed in src/", false), piece("parser", true), piece(".c", false)]
        );
        assert_eq!(
            marked("fix 100% of bugs", "%"),
            vec![piece("fix 100", false), piece("%", true), piece(" of bugs", false)]
        );
        assert_eq!(marked("nothing here", "zzz"), vec![piece("nothing here", false)]);
        assert_eq!(marked("", ""), vec![piece("", false)]);
    }
}
