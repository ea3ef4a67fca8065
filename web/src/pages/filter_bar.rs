//! The filter bar every dashboard page shows (`templates/filters.html`): repository, range
//! presets, dates, merges, bots — the view, written back as a form and links.

use gitdash_shared::QueryError;

use super::format::count;
use crate::{
    state::AppState,
    view::{RangeChoice, View},
};

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
    /// The view's query string, for links that keep it.
    pub query: String,
    pub repositories: Vec<RepositoryOption>,
    pub presets: Vec<PresetLink>,
    pub since: String,
    pub until: String,
    pub include_merges: bool,
    pub include_bots: bool,
    /// Other parameters of the page the form keeps (a sort order, a person).
    pub carry: Vec<(&'static str, String)>,
    /// Why the range differs from the one asked for, if it does.
    pub range_note: Option<String>,
    /// What is left out and how much ("Left out: 1,875 merges and 3 commits by bots.").
    pub left_out: Option<String>,
    /// The commits page's search (text or sha prefix, author, path), part of the same form.
    pub search: Option<(String, String, String)>,
    /// On pages that can be narrowed to a folder or file: the one chosen ("" for the whole
    /// tree) and the same view without it.
    pub folder: Option<(String, String)>,
}

impl FilterForm {
    /// The bar of `view` at `path`, saying what the view leaves out.
    pub async fn counted(view: &View, path: &'static str, state: &AppState) -> Result<Self, QueryError> {
        let mut form = Self::of(view, path);
        let (merges, bots) = view.left_out(state).await?;
        let parts: Vec<String> = [
            (merges > 0).then(|| count(merges, "merge", "merges")),
            (bots > 0).then(|| count(bots, "commit by bots", "commits by bots")),
        ]
        .into_iter()
        .flatten()
        .collect();
        form.left_out =
            (!parts.is_empty()).then(|| format!("Left out: {}; tick the boxes to count them.", parts.join(" and ")));
        Ok(form)
    }

    /// The bar of `view` on the page at `path`.
    pub fn of(view: &View, path: &'static str) -> Self {
        FilterForm {
            path,
            query: view.query(None),
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
            search: None,
            folder: None,
            range_note: view.note.clone(),
            left_out: None,
        }
    }

    /// Adds the path field: the page counts only the commits that changed that folder or
    /// file.
    pub fn with_folder(mut self, view: &View) -> Self {
        let whole = View { path: None, ..view.clone() };
        self.folder = Some((view.path.clone().unwrap_or_default(), format!("{}?{}", self.path, whole.query(None))));
        self
    }
}
