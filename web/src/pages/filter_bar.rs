//! The filter bar every dashboard page shows (`templates/filters.html`): repository, range
//! presets, dates, merges, bots — the view, written back as a form and links.

use crate::view::{RangeChoice, View};

pub struct RepositoryOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct PresetLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

pub struct FilterForm {
    pub path: &'static str,
    pub repositories: Vec<RepositoryOption>,
    pub presets: Vec<PresetLink>,
    pub since: String,
    pub until: String,
    pub include_merges: bool,
    pub include_bots: bool,
    /// Other parameters of the page the form keeps (a search, a sort order).
    pub carry: Vec<(&'static str, String)>,
}

impl FilterForm {
    /// The bar of `view` on the page at `path`.
    pub fn of(view: &View, path: &'static str) -> Self {
        FilterForm {
            path,
            repositories: view
                .names
                .iter()
                .map(|(id, name)| RepositoryOption {
                    selected: Some(*id) == view.repository,
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
            presets: RangeChoice::ALL
                .iter()
                .map(|&choice| PresetLink {
                    href: format!("{path}?{}", view.query(Some(choice))),
                    label: choice.label(),
                    current: view.preset == Some(choice),
                })
                .collect(),
            since: view.since.to_string(),
            until: view.until.to_string(),
            include_merges: view.include_merges,
            include_bots: view.include_bots,
            carry: Vec::new(),
        }
    }
}
