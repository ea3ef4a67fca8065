//! A repository's own word on vendored and generated code: GitHub Linguist's
//! `linguist-vendored` and `linguist-generated` attributes in the `.gitattributes` files of
//! its head tree, matched by gitoxide's attribute search with Git's rules (a file's patterns
//! are relative to its folder; a deeper file and a later line win). A path so marked is
//! vendored; one marked `-linguist-vendored` or `linguist-generated=false` is not, whatever
//! its name says.

use std::path::Path;

use gix::attrs::{
    Search, StateRef,
    search::{MetadataCollection, Outcome},
};

const NAMES: [&str; 2] = ["linguist-vendored", "linguist-generated"];

pub struct LinguistMarks {
    search: Search,
    collection: MetadataCollection,
}

impl LinguistMarks {
    /// From `(folder, content)` of each `.gitattributes` file ("" for the top one).
    pub fn new(mut files: Vec<(String, Vec<u8>)>) -> Self {
        // Shallower first: the search asks the last-added lists first, so deeper files win.
        files
            .sort_by_key(|(folder, _)| (folder.matches('/').count() + usize::from(!folder.is_empty()), folder.clone()));
        let mut search = Search::default();
        let mut collection = MetadataCollection::default();
        for (folder, content) in files {
            // Under a pretend root, so each list's patterns are relative to its folder.
            let source = Path::new("/").join(&folder).join(".gitattributes");
            let added = search.add_patterns_buffer(&content, source, Some(Path::new("/")), &mut collection, true);
            if let Err(err) = added {
                tracing::debug!(%err, folder, "a .gitattributes file could not be read; ignored");
            }
        }
        Self { search, collection }
    }

    /// Whether the repository's attributes say `path` is vendored or generated (`Some(true)`),
    /// say it is not (`Some(false)`), or say nothing (`None`).
    pub fn vendored(&self, path: &str) -> Option<bool> {
        if self.search.num_pattern_lists() == 0 {
            return None;
        }
        let mut outcome = Outcome::default();
        outcome.initialize_with_selection(&self.collection, NAMES);
        self.search.pattern_matching_relative_path(
            path.into(),
            gix::glob::pattern::Case::Sensitive,
            Some(false),
            &mut outcome,
        );
        let mut said = None;
        for found in outcome.iter_selected() {
            let marked = match found.assignment.state {
                StateRef::Set => Some(true),
                StateRef::Unset => Some(false),
                StateRef::Value(value) => {
                    let value: &[u8] = value.as_bstr().as_ref();
                    Some(value != b"false" && value != b"0")
                }
                StateRef::Unspecified => None,
            };
            // Either attribute set makes the path vendored; both must be unset to clear it.
            said = match (said, marked) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (None, other) | (other, None) => other,
                (Some(false), Some(false)) => Some(false),
            };
        }
        said
    }
}

/// The folder of a `.gitattributes` path ("" at the top), or `None` for other files.
pub fn folder_of(path: &str) -> Option<String> {
    match path.rsplit_once('/') {
        Some((folder, ".gitattributes")) => Some(folder.to_owned()),
        None if path == ".gitattributes" => Some(String::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(files: &[(&str, &str)]) -> LinguistMarks {
        LinguistMarks::new(files.iter().map(|(f, c)| (f.to_string(), c.as_bytes().to_vec())).collect())
    }

    #[test]
    fn linguist_attributes_mark_and_unmark_paths_with_gits_rules() {
        let marks = marks(&[
            ("", "docs/** linguist-vendored\n*.pb.go linguist-generated=true\nvendor/** -linguist-vendored\n"),
            ("web", "static/*.js linguist-generated\n"),
            ("docs", "keep.md -linguist-vendored\n"),
        ]);
        assert_eq!(marks.vendored("docs/intro.md"), Some(true));
        assert_eq!(marks.vendored("docs/keep.md"), Some(false), "a deeper file wins");
        assert_eq!(marks.vendored("api/types.pb.go"), Some(true));
        assert_eq!(marks.vendored("vendor/lib.c"), Some(false), "unmarked by the repository");
        assert_eq!(marks.vendored("web/static/app.js"), Some(true), "relative to its own folder");
        assert_eq!(marks.vendored("static/app.js"), None, "not outside it");
        assert_eq!(marks.vendored("src/main.rs"), None);
        assert_eq!(folder_of("web/.gitattributes").as_deref(), Some("web"));
        assert_eq!(folder_of(".gitattributes").as_deref(), Some(""));
        assert_eq!(folder_of("web/x.gitattributes"), None);
    }
}
