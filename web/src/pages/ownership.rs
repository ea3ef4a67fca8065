//! `/ownership`: who knows the files of the current tree under a folder, from all history
//! (no blame): the truck factor and the people who make it, each person's share of the
//! changed lines, and per sub-folder or file its main author, the people who know it, its
//! own truck factor, and whether its main author has gone quiet (knowledge at risk).

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::{files::normal_path, ownership};
use poem::{
    IntoResponse, handler,
    web::{Data, Html, Query},
};
use serde::Deserialize;

use super::{
    breadcrumb::{Crumb, trail},
    error::PageResult,
    filter_bar::RepositoryOption,
    format::filters,
    links,
};
use crate::{
    auth::Identity,
    state::AppState,
    view::{RangeChoice, ViewParams, active_since},
};

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(flatten)]
    view: ViewParams,
    /// The folder shown; the top when absent.
    path: Option<String>,
    /// `include`: vendored and generated files count too.
    vendored: Option<String>,
}

struct Person {
    name: String,
    href: String,
    share: String,
    lines: i64,
    files_authored: i64,
    last_day: String,
    inactive: bool,
}

struct Row {
    name: String,
    href: String,
    is_folder: bool,
    files: i64,
    main: Option<Person>,
    knowers: i64,
    truck_factor: i64,
    at_risk: bool,
}

/// People listed: the rest share what is left.
const PEOPLE: usize = 15;

#[derive(Template)]
#[template(path = "ownership.html")]
struct OwnershipPage {
    user: String,
    scope: Option<String>,
    repositories: Vec<RepositoryOption>,
    include_bots: bool,
    include_vendored: bool,
    folder: String,
    crumbs: Vec<Crumb>,
    here: String,
    files_href: String,
    files: i64,
    /// The people of the truck factor, each with the words after their name.
    truck: Vec<(Person, &'static str)>,
    people: Vec<Person>,
    more_people: usize,
    rows: Vec<Row>,
    at_risk: usize,
    inactive_since: String,
}

fn percent(share: f64) -> String {
    let percent = share * 100.0;
    if percent > 0.0 && percent < 1.0 { "<1 %".to_owned() } else { format!("{} %", percent.round()) }
}

#[handler]
pub async fn page(identity: Data<&Identity>, state: Data<&Arc<AppState>>, Query(params): Query<Params>) -> PageResult {
    let view = params.view.resolve(&state, RangeChoice::All).await?;
    let folder = params.path.as_deref().and_then(normal_path).map(str::to_owned);
    let include_vendored = params.vendored.as_deref() == Some("include");
    let since = active_since(state.config.inactive_after_days);
    let scope = ownership::Scope {
        repository: view.repository,
        folder: folder.as_deref(),
        include_vendored,
        filters: view.range.filters.clone(),
    };
    let report = std::sync::Arc::unwrap_or_clone(state.aggregates.ownership(&state.db, &scope, since).await?);

    // Every link keeps the repository, the bots and vendored choices.
    let link = |path: Option<&str>| {
        let mut url = url::form_urlencoded::Serializer::new(String::from("/ownership?"));
        if let Some(id) = view.repository {
            url.append_pair("repository", &id.to_string());
        }
        if view.include_bots {
            url.append_pair("bots", "include");
        }
        if include_vendored {
            url.append_pair("vendored", "include");
        }
        if let Some(path) = path {
            url.append_pair("path", path);
        }
        url.finish()
    };
    let person = |p: ownership::Person| Person {
        href: links::person(view.repository, &p.email),
        share: percent(p.share),
        lines: p.lines,
        files_authored: p.files_authored,
        last_day: p.last_day.map(|d| d.to_string()).unwrap_or_default(),
        inactive: p.inactive,
        name: p.name,
    };
    let rows: Vec<Row> = report
        .entries
        .into_iter()
        .map(|e| Row {
            href: if e.is_folder { link(Some(&e.path)) } else { links::file(&view.query(None), &e.path) },
            name: e.name,
            is_folder: e.is_folder,
            files: e.files,
            main: e.main.map(person),
            knowers: e.knowers,
            truck_factor: e.truck_factor,
            at_risk: e.at_risk,
        })
        .collect();

    let (crumbs, here) = trail(view.scope().unwrap_or_else(|| "All repositories".into()), folder.as_deref(), link);
    let mut files_href = url::form_urlencoded::Serializer::new(format!("/files?{}", view.query(None)));
    if let Some(folder) = &folder {
        files_href.append_pair("path", folder);
    }
    let more_people = report.people.len().saturating_sub(PEOPLE);
    let page = OwnershipPage {
        user: identity.user.display_name().to_owned(),
        scope: view.scope(),
        repositories: view
            .names
            .iter()
            .map(|(id, name)| RepositoryOption { id: *id, name: name.clone(), selected: Some(*id) == view.repository })
            .collect(),
        include_bots: view.include_bots,
        include_vendored,
        folder: folder.clone().unwrap_or_default(),
        crumbs,
        here,
        files_href: files_href.finish(),
        files: report.files,
        truck: {
            let n = report.truck.len();
            let then = |i: usize| {
                if i + 2 == n {
                    " and "
                } else if i + 1 < n {
                    ", "
                } else {
                    ""
                }
            };
            report.truck.into_iter().enumerate().map(|(i, p)| (person(p), then(i))).collect()
        },
        people: report.people.into_iter().take(PEOPLE).map(person).collect(),
        more_people,
        at_risk: rows.iter().filter(|r| r.at_risk).count(),
        rows,
        inactive_since: since.to_string(),
    };
    Ok(Html(page.render()?).into_response())
}
