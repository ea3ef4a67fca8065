//! `/files`: a folder's files and sub-folders with their commits, lines added and removed,
//! authors, last change and language in the view's range, sortable, each with a bar of its
//! churn; a folder opens the folder, a file its page (`/file?path=`). Above them, the
//! folder's hotspots: the files changed most, weighted by size and recency, with the people
//! who know them. Vendored and generated paths are left out unless `vendored=include`.

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::{files::normal_path, tree};
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Query},
};
use serde::Deserialize;

use super::{
    breadcrumb::{Crumb, trail},
    charts,
    error::PageResult,
    filter_bar::FilterForm,
    format::filters,
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
    /// The folder shown; the top when absent.
    path: Option<String>,
    sort: Option<String>,
    /// `include`: vendored and generated paths count too.
    vendored: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Name,
    Commits,
    Lines,
    Authors,
    LastChange,
}

const COLUMNS: [(&str, &str, Order); 5] = [
    ("name", "Name", Order::Name),
    ("commits", "Commits", Order::Commits),
    ("lines", "Lines changed", Order::Lines),
    ("authors", "Authors", Order::Authors),
    ("last", "Last change", Order::LastChange),
];

struct Column {
    label: &'static str,
    href: String,
    current: bool,
}

struct Row {
    name: String,
    href: String,
    is_folder: bool,
    language: String,
    commits: i64,
    insertions: i64,
    deletions: i64,
    authors: i64,
    last_change: String,
    churn: String,
}

/// A file among the hotspots, with the people who know it.
struct Spot {
    path: String,
    href: String,
    commits: i64,
    churn: i64,
    last_change: String,
    /// (name, link to their view, share of the file's lines in percent)
    authors: Vec<(String, String, i64)>,
}

/// Two files that keep changing together.
struct Coupled {
    file: String,
    file_href: String,
    other: String,
    other_href: String,
    commits: i64,
    /// Percent of the less often changed file's commits.
    strength: i64,
}

/// Coupled pairs listed above the tree.
const COUPLED: usize = 10;

#[derive(Template)]
#[template(path = "files.html")]
struct FilesPage {
    user: String,
    scope: Option<String>,
    form: FilterForm,
    crumbs: Vec<Crumb>,
    /// The folder's own name, last in the breadcrumb; "" at the top.
    here: String,
    commits_href: Option<String>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    hotspots: Vec<Spot>,
    coupled: Vec<Coupled>,
    /// The half-life of a change's weight among the hotspots, in days.
    half_life: i64,
    include_vendored: bool,
    vendored_href: String,
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let view = params.view.resolve(&state, RangeChoice::All).await?;
    let folder = params.path.as_deref().and_then(normal_path).map(str::to_owned);
    let include_vendored = params.vendored.as_deref() == Some("include");
    let (sort, order) = COLUMNS
        .iter()
        .find(|(key, _, _)| Some(*key) == params.sort.as_deref())
        .map_or(("commits", Order::Commits), |(key, _, order)| (*key, *order));
    let kept = state.aggregates.folder(&state.db, &view.range, folder.as_deref(), include_vendored).await?;
    let (mut entries, spots) = (kept.0.clone(), kept.1.clone());
    match order {
        Order::Name => entries.sort_by(|a, b| (!a.is_folder, &a.name).cmp(&(!b.is_folder, &b.name))),
        Order::Commits => {}
        Order::Lines => entries.sort_by_key(|e| std::cmp::Reverse(e.insertions + e.deletions)),
        Order::Authors => entries.sort_by_key(|e| std::cmp::Reverse(e.authors)),
        Order::LastChange => entries.sort_by_key(|e| std::cmp::Reverse(e.last_change)),
    }

    // Every link keeps the view, the folder and the vendored choice.
    let link = |path: Option<&str>, sort: &str, vendored: bool| {
        let mut url = url::form_urlencoded::Serializer::new(format!("/files?{}", view.query(None)));
        if let Some(path) = path {
            url.append_pair("path", path);
        }
        url.append_pair("sort", sort);
        if vendored {
            url.append_pair("vendored", "include");
        }
        url.finish()
    };
    let history = |path: &str| {
        let mut url = url::form_urlencoded::Serializer::new(format!("/commits?{}", view.query(None)));
        url.append_pair("path", path);
        url.finish()
    };
    let query = view.query(None);
    let file_page = |path: &str| links::file(&query, path);
    let hotspots = spots
        .into_iter()
        .map(|h| Spot {
            href: file_page(&h.path),
            authors: h
                .main_authors
                .into_iter()
                .map(|(email, name, share)| {
                    (name, links::person(view.repository, &email), (share * 100.0).round() as i64)
                })
                .collect(),
            path: h.path,
            commits: h.commits,
            churn: h.churn,
            last_change: h.last_change.format("%Y-%m-%d").to_string(),
        })
        .collect();
    let coupled = state
        .aggregates
        .coupled_pairs(&state.db, view.repository, folder.as_deref(), include_vendored, COUPLED)
        .await?
        .into_iter()
        .map(|p| Coupled {
            file_href: file_page(&p.file),
            other_href: file_page(&p.other),
            strength: (p.strength() * 100.0).round() as i64,
            commits: p.commits,
            file: p.file,
            other: p.other,
        })
        .collect();
    let max = entries.iter().map(|e| e.insertions + e.deletions).max().unwrap_or(0);
    let rows = entries
        .iter()
        .map(|e| Row {
            href: if e.is_folder { link(Some(&e.path), sort, include_vendored) } else { file_page(&e.path) },
            churn: charts::churn_bar(
                e.insertions,
                e.deletions,
                max,
                &format!("{}: {} lines added, {} removed", e.name, e.insertions, e.deletions),
            ),
            name: e.name.clone(),
            is_folder: e.is_folder,
            language: e.language.clone().unwrap_or_default(),
            commits: e.commits,
            insertions: e.insertions,
            deletions: e.deletions,
            authors: e.authors,
            last_change: e.last_change.format("%Y-%m-%d").to_string(),
        })
        .collect();

    let top = view.scope().unwrap_or_else(|| "All repositories".into());
    let (crumbs, here) = trail(top, folder.as_deref(), |f| link(f, sort, include_vendored));
    let mut form = FilterForm::counted(&view, "/files", &state).await?;
    form.carry.push(("sort", sort.to_owned()));
    if let Some(folder) = &folder {
        form.carry.push(("path", folder.clone()));
    }
    if include_vendored {
        form.carry.push(("vendored", "include".to_owned()));
    }
    let page = FilesPage {
        user: identity.user.display_name().to_owned(),
        scope: view.scope(),
        commits_href: folder.as_deref().map(history),
        form,
        crumbs,
        here,
        columns: COLUMNS
            .iter()
            .map(|(key, label, _)| Column {
                label,
                href: link(folder.as_deref(), key, include_vendored),
                current: *key == sort,
            })
            .collect(),
        rows,
        hotspots,
        coupled,
        half_life: tree::half_life_days(&view.range).round() as i64,
        include_vendored,
        vendored_href: link(folder.as_deref(), sort, !include_vendored),
    };
    Ok(Html(page.render()?).into_response())
}
