//! `/file?path=`: one file in one repository or all: what it is, lines added and removed
//! per month over the view's range, the people who wrote it (and who knows it, by degree
//! of authorship), and the commits that changed it, newest first.

use std::{collections::BTreeMap, sync::Arc};

use askama::Template;
use chrono::{Datelike, Months};
use gitdash_shared::queries::{activity::Bucket, file, files::normal_path};
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Query},
};
use serde::Deserialize;

use super::{
    breadcrumb::{Crumb, trail},
    charts::{self, axis},
    error::{PageError, PageResult},
    filter_bar::FilterForm,
    format::{filters, grouped},
    links,
};
use crate::{
    auth::Identity,
    state::AppState,
    view::{RangeChoice, ViewParams},
};

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(flatten)]
    view: ViewParams,
    path: Option<String>,
    /// `all`: every commit of its history on the page, not only the newest.
    history: Option<String>,
}

struct AuthorRow {
    name: String,
    href: String,
    commits: i64,
    lines: i64,
    share: i64,
    first_day: String,
    last_day: String,
    knows_it: bool,
}

struct ChangeRow {
    short_sha: String,
    href: String,
    summary: String,
    author: String,
    author_href: String,
    date: String,
    /// `None` for a binary file.
    lines: Option<(i64, i64)>,
    /// The file's name in that commit, when it was another.
    former: Option<String>,
}

/// A name the file had, or the one it was given.
struct OtherName {
    path: String,
    href: String,
    commit_href: String,
    short_sha: String,
    date: String,
}

/// Commits listed on the page unless all are asked for.
const CHANGES: usize = 30;

/// A file that keeps changing with this one.
struct Partner {
    path: String,
    href: String,
    commits: i64,
    /// Percent of the less often changed file's commits.
    strength: i64,
}

/// Partners listed.
const PARTNERS: usize = 20;

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    path: String,
    name: String,
    crumbs: Vec<Crumb>,
    language: String,
    vendored: bool,
    in_head: bool,
    commits: usize,
    insertions: i64,
    deletions: i64,
    churn: String,
    authors: Vec<AuthorRow>,
    changes: Vec<ChangeRow>,
    partners: Vec<Partner>,
    history_href: String,
    formers: Vec<OtherName>,
    renamed_to: Option<OtherName>,
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let view = params.view.resolve(&state, RangeChoice::All).await?;
    let path = params.path.as_deref().and_then(normal_path).unwrap_or_default().to_owned();
    let db = &state.db;
    // Borrowed from the kept report: only the rows the page lists are copied.
    let kept = state.aggregates.file(db, &view.range, &path).await?;
    let file::Report { facts, formers, changes, authors, renamed_to } = Option::as_ref(&kept)
        .ok_or_else(|| PageError::NotFound(format!("No commit changed a file called {path:?} here.")))?;
    let other_name = |path: &str, repository_id: i64, sha: &str, at: chrono::DateTime<chrono::Utc>| OtherName {
        path: path.to_owned(),
        href: links::file(&view.query(None), path),
        commit_href: links::commit(repository_id, sha),
        short_sha: sha.chars().take(10).collect(),
        date: at.format("%Y-%m-%d").to_string(),
    };
    let renamed_to = renamed_to.as_ref().map(|r| other_name(&r.path, r.repository_id, &r.sha, r.at));
    let former_names =
        formers.iter().map(|f| other_name(&f.path, f.repository_id, &f.renamed_in, f.renamed_at)).collect();

    let partners = state
        .aggregates
        .coupled_pairs(db, view.repository, Some(&path), facts.vendored, PARTNERS)
        .await?
        .into_iter()
        .map(|p| Partner {
            href: links::file(&view.query(None), &p.other),
            strength: (p.strength() * 100.0).round() as i64,
            commits: p.commits,
            path: p.other,
        })
        .collect();
    let mut months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for change in changes {
        let (added, removed) = change.lines.unwrap_or((0, 0));
        let month = months.entry(change.committed_at.format("%Y-%m").to_string()).or_default();
        month.0 += added;
        month.1 += removed;
    }
    let first_month = view.since.with_day(1).unwrap_or(view.since);
    let periods: Vec<charts::Split> =
        std::iter::successors(Some(first_month), |m| m.checked_add_months(Months::new(1)))
            .take_while(|m| *m <= view.until)
            .map(|start| {
                let (up, down) = months.get(&start.format("%Y-%m").to_string()).copied().unwrap_or((0, 0));
                charts::Split {
                    label: axis::period_label(start, Bucket::Month, true),
                    up,
                    down,
                    detail: format!("{}: +{} −{} lines", start.format("%B %Y"), grouped(up), grouped(down)),
                    href: None,
                }
            })
            .collect();
    // The commits page (with its search and exports) filters by one name; a renamed file's
    // whole history, former names included, is listed here instead.
    let history_href = if formers.is_empty() {
        let mut url = url::form_urlencoded::Serializer::new(format!("/commits?{}", view.query(None)));
        url.append_pair("path", &path);
        url.finish()
    } else {
        format!("{}&history=all#history", links::file(&view.query(None), &path))
    };
    let listed = if params.history.as_deref() == Some("all") { changes.len() } else { CHANGES };
    let folders = |folder: Option<&str>| {
        let mut url = url::form_urlencoded::Serializer::new(format!("/files?{}", view.query(None)));
        if let Some(folder) = folder {
            url.append_pair("path", folder);
        }
        url.finish()
    };
    let (crumbs, name) = trail(view.scope().unwrap_or_else(|| "All repositories".into()), Some(&path), folders);
    let mut form = FilterForm::counted(&view, "/file", &state).await?;
    form.carry.push(("path", path.clone()));
    let page = FilePage {
        user: identity.user.display_name().to_owned(),
        scope: view.scope(),
        form,
        name,
        crumbs,
        language: facts.language.clone().unwrap_or_default(),
        vendored: facts.vendored,
        in_head: facts.in_head,
        commits: changes.len(),
        insertions: changes.iter().filter_map(|c| c.lines).map(|l| l.0).sum(),
        deletions: changes.iter().filter_map(|c| c.lines).map(|l| l.1).sum(),
        churn: charts::split(
            &periods,
            &format!("Lines of {path} added (above the axis) and removed (below it) per month"),
            "lines",
        ),
        authors: authors
            .iter()
            .map(|a| AuthorRow {
                href: links::person(view.repository, &a.email),
                commits: a.commits,
                lines: a.lines,
                share: (a.share * 100.0).round() as i64,
                first_day: a.first_at.format("%Y-%m-%d").to_string(),
                last_day: a.last_at.format("%Y-%m-%d").to_string(),
                knows_it: a.knows_it,
                name: a.name.clone(),
            })
            .collect(),
        changes: changes
            .iter()
            .take(listed)
            .map(|c| ChangeRow {
                short_sha: c.sha.chars().take(10).collect(),
                href: links::commit(c.repository_id, &c.sha),
                summary: c.summary.clone(),
                author_href: links::person(view.repository, &c.author_email),
                author: c.author_name.clone(),
                date: c.committed_at.format("%Y-%m-%d").to_string(),
                lines: c.lines,
                former: (c.path != path).then(|| c.path.clone()),
            })
            .collect(),
        partners,
        history_href,
        formers: former_names,
        renamed_to,
        path,
    };
    Ok(Html(page.render()?).into_response())
}
