//! `/repositories/{id}/commits/{sha}`: one commit — its whole message, author and committer
//! after .mailmap, its co-authors, the author's date in the author's own zone, parents, tags, line counts
//! and a link to the commit on its host. Every short sha on the other pages leads here.

use std::sync::Arc;

use askama::Template;
use chrono::FixedOffset;
use gitdash_shared::queries::{coauthors, commits, files, repositories};
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Path},
};

use super::{error::PageResult, format::filters, hosts, links};
use crate::{auth::Identity, state::AppState};

struct Parent {
    short_sha: String,
    href: String,
}

#[derive(Template)]
#[template(path = "commit.html")]
struct CommitPage {
    user: String,
    repository: String,
    repository_href: String,
    sha: String,
    short_sha: String,
    summary: String,
    /// The message after its first line, if any.
    body: String,
    author: String,
    author_email: String,
    author_href: String,
    authored: String,
    /// The people its `Co-authored-by:` trailers name, after .mailmap: (name, page).
    co_authors: Vec<(String, String)>,
    committer: String,
    committer_email: String,
    committed: String,
    /// `None` for a row stored before parents were kept (filled at the next sync).
    parents: Option<Vec<Parent>>,
    parent_count: i32,
    tags: Vec<String>,
    lines: Option<(i32, i64, i64)>,
    files: Vec<FileRow>,
    on_host: Option<String>,
}

/// One file the commit changed, linked to the commits that changed it.
struct FileRow {
    path: String,
    href: String,
    /// `None` for a binary file.
    lines: Option<(i64, i64)>,
    language: String,
    vendored: bool,
}

#[handler]
pub async fn page(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    Path((id, sha)): Path<(i64, String)>,
) -> PageResult {
    let db = &state.db;
    let repository = repositories::get(db, id).await?;
    let commit = commits::find(db, id, &sha).await?;
    let tags = commits::tags_of(db, std::slice::from_ref(&commit)).await?.remove(&(id, commit.sha.clone()));
    let files = files::of_commit(db, commit.id)
        .await?
        .into_iter()
        .map(|f| FileRow {
            href: links::file(&format!("repository={id}&range=all"), &f.path),
            path: f.path,
            lines: f.lines,
            language: f.language.unwrap_or_default(),
            vendored: f.vendored,
        })
        .collect();
    let co_authors = coauthors::of_commit(db, commit.id)
        .await?
        .into_iter()
        .map(|c| (c.name, links::person(Some(id), &c.email)))
        .collect();
    let zone =
        FixedOffset::east_opt(commit.author_utc_offset_minutes * 60).unwrap_or(FixedOffset::east_opt(0).expect("UTC"));
    let body = commit.message.split_once('\n').map(|(_, rest)| rest.trim().to_owned()).unwrap_or_default();
    let page = CommitPage {
        user: identity.user.display_name().to_owned(),
        repository_href: format!("/repositories/{id}?range=all"),
        on_host: hosts::commit_url(&repository.url, &commit.sha),
        repository: repository.name,
        summary: commit.summary.clone(),
        body,
        author_href: links::person(Some(id), &commit.author_email),
        author: commit.author_name.clone(),
        author_email: commit.author_email.clone(),
        authored: commit.authored_at.with_timezone(&zone).format("%Y-%m-%d %H:%M %:z").to_string(),
        co_authors,
        committer: commit.committer_name.clone(),
        committer_email: commit.committer_email.clone(),
        committed: commit.committed_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        parents: commit.parents.as_deref().map(|parents| {
            parents
                .split_whitespace()
                .map(|parent| Parent { short_sha: parent.chars().take(10).collect(), href: links::commit(id, parent) })
                .collect()
        }),
        parent_count: commit.parent_count,
        tags: tags.unwrap_or_default(),
        lines: commit.files_changed.map(|files| (files, commit.insertions.unwrap_or(0), commit.deletions.unwrap_or(0))),
        files,
        short_sha: commit.sha.chars().take(10).collect(),
        sha: commit.sha,
    };
    Ok(Html(page.render()?).into_response())
}
