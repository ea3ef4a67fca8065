//! `/commits`: one repository's commits, newest first, searched by message text, sha prefix
//! and author, a page at a time (keyset pagination), with line counts and tags; the
//! filtered list exported as CSV or JSON. Every filter is in the URL.

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::{
    commits::{self, CommitFilter, Cursor},
    repositories,
};
use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Data, Query},
};
use serde::Deserialize;

use crate::{app::AppState, auth::Identity, pages};

/// The most commits one export holds.
const EXPORT_LIMIT: usize = 50_000;

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    repository: Option<String>,
    q: Option<String>,
    author: Option<String>,
    cursor: Option<String>,
}

impl Params {
    fn repository(&self) -> Option<i64> {
        self.repository.as_deref().and_then(|r| r.parse().ok())
    }

    fn filter(&self) -> CommitFilter {
        CommitFilter { author: self.author.clone(), since: None, until: None, q: self.q.clone() }
    }

    fn query(&self, id: i64, cursor: Option<&str>) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.append_pair("repository", &id.to_string());
        for (name, value) in [("q", &self.q), ("author", &self.author)] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                url.append_pair(name, value);
            }
        }
        if let Some(cursor) = cursor {
            url.append_pair("cursor", cursor);
        }
        url.finish()
    }
}

struct Row {
    short_sha: String,
    summary: String,
    date: String,
    author: String,
    insertions: i64,
    deletions: i64,
    tags: String,
}

#[derive(Template)]
#[template(path = "commits.html")]
struct CommitsPage {
    user: String,
    scope: Option<String>,
    repository: Option<i64>,
    repositories: Vec<(i64, String)>,
    q: String,
    author: String,
    commits: Vec<Row>,
    next: Option<String>,
    export_csv: String,
    export_json: String,
}

fn unavailable(err: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %err, "commits page");
    pages::message(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "The database is busy; try again shortly.")
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> Response {
    let db = &state.db;
    let mut page = CommitsPage {
        user: identity.user.display_name().to_owned(),
        scope: None,
        repository: None,
        repositories: Vec::new(),
        q: params.q.clone().unwrap_or_default(),
        author: params.author.clone().unwrap_or_default(),
        commits: Vec::new(),
        next: None,
        export_csv: String::new(),
        export_json: String::new(),
    };
    let repository = match params.repository() {
        Some(id) => match repositories::get(db, id).await {
            Ok(repository) => Some(repository),
            Err(gitdash_shared::QueryError::NotFound(_)) => None,
            Err(err) => return unavailable(&err),
        },
        None => None,
    };
    match repository {
        None => match repositories::names(db).await {
            Ok(names) => page.repositories = names,
            Err(err) => return unavailable(&err),
        },
        Some(repository) => {
            let cursor = params.cursor.as_deref().and_then(|c| Cursor::decode(c).ok());
            let found = match commits::list(db, repository.id, &params.filter(), cursor, 50).await {
                Ok(found) => found,
                Err(err) => return unavailable(&err),
            };
            let shas: Vec<String> = found.commits.iter().map(|c| c.sha.clone()).collect();
            let tags = match commits::tags_of(db, repository.id, &shas).await {
                Ok(tags) => tags,
                Err(err) => return unavailable(&err),
            };
            page.commits = found
                .commits
                .into_iter()
                .map(|c| Row {
                    short_sha: c.sha.chars().take(10).collect(),
                    tags: tags.get(&c.sha).map(|t| t.join(", ")).unwrap_or_default(),
                    summary: c.summary,
                    date: c.committed_at.format("%Y-%m-%d %H:%M").to_string(),
                    author: c.author_name,
                    insertions: c.insertions.unwrap_or(0),
                    deletions: c.deletions.unwrap_or(0),
                })
                .collect();
            page.next =
                found.next_cursor.map(|c| format!("/commits?{}", params.query(repository.id, Some(&c.encode()))));
            page.export_csv = format!("/commits/export.csv?{}", params.query(repository.id, None));
            page.export_json = format!("/commits/export.json?{}", params.query(repository.id, None));
            page.repository = Some(repository.id);
            page.scope = Some(repository.name);
        }
    }
    match page.render() {
        Ok(html) => poem::web::Html(html).into_response(),
        Err(err) => unavailable(&err),
    }
}

/// Every commit of the filtered list (up to [`EXPORT_LIMIT`]), page by page.
async fn all_matching(
    state: &AppState,
    params: &Params,
) -> Result<Vec<gitdash_shared::entities::commit::Model>, Response> {
    let Some(id) = params.repository() else {
        return Err(pages::message(StatusCode::BAD_REQUEST, "Choose a repository", "Export needs ?repository=ID."));
    };
    let db = &state.db;
    match repositories::get(db, id).await {
        Ok(_) => {}
        Err(gitdash_shared::QueryError::NotFound(_)) => {
            return Err(pages::message(StatusCode::NOT_FOUND, "Not found", "No such repository."));
        }
        Err(err) => return Err(unavailable(&err)),
    }
    let filter = params.filter();
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let batch = commits::list(db, id, &filter, cursor, commits::MAX_PAGE).await.map_err(|e| unavailable(&e))?;
        all.extend(batch.commits);
        match batch.next_cursor {
            Some(next) if all.len() < EXPORT_LIMIT => cursor = Some(next),
            _ => break,
        }
    }
    all.truncate(EXPORT_LIMIT);
    Ok(all)
}

#[handler]
pub async fn export_csv(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> Response {
    let commits = match all_matching(&state, &params).await {
        Ok(commits) => commits,
        Err(response) => return response,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut result = writer.write_record([
        "sha",
        "committed_at",
        "author_name",
        "author_email",
        "summary",
        "files_changed",
        "insertions",
        "deletions",
    ]);
    for c in &commits {
        if result.is_ok() {
            result = writer.write_record([
                c.sha.as_str(),
                &c.committed_at.to_rfc3339(),
                c.author_name.as_str(),
                c.author_email.as_str(),
                c.summary.as_str(),
                &c.files_changed.map(|n| n.to_string()).unwrap_or_default(),
                &c.insertions.map(|n| n.to_string()).unwrap_or_default(),
                &c.deletions.map(|n| n.to_string()).unwrap_or_default(),
            ]);
        }
    }
    match (result, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => bytes
            .with_content_type("text/csv; charset=utf-8")
            .with_header(header::CONTENT_DISPOSITION, "attachment; filename=\"commits.csv\"")
            .into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[handler]
pub async fn export_json(state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> Response {
    let commits = match all_matching(&state, &params).await {
        Ok(commits) => commits,
        Err(response) => return response,
    };
    let rows: Vec<serde_json::Value> = commits
        .iter()
        .map(|c| {
            serde_json::json!({
                "sha": c.sha, "committed_at": c.committed_at, "author_name": c.author_name,
                "author_email": c.author_email, "summary": c.summary, "files_changed": c.files_changed,
                "insertions": c.insertions, "deletions": c.deletions,
            })
        })
        .collect();
    poem::web::Json(rows)
        .with_header(header::CONTENT_DISPOSITION, "attachment; filename=\"commits.json\"")
        .into_response()
}
