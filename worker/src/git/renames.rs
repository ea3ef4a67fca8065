//! The files a commit renamed, paired as `git log -M` pairs them: among the files the
//! commit deleted and the ones it added, those with the same content, then those at least
//! half alike (git's default similarity), up to git's default of 1,000 candidates a side.
//! gitoxide's rewrite tracker does the pairing; gitdash only hands it the deletions and
//! additions its own diff found, so commits without both never pay for it.

use gix::{
    ObjectId,
    bstr::BStr,
    diff::{
        Rewrites,
        rewrites::{Tracker, tracker::visit::SourceKind},
        tree::visit::Change,
    },
    objs::tree::EntryMode,
};

use super::{GitError, text::text};

/// A deleted or added file: its path, blob and mode.
pub type Side<'a> = (&'a BStr, ObjectId, EntryMode);

/// Reused from one commit to the next; its blob cache is made on the first commit that
/// needs it (it reads the attributes of the clone's head once).
#[derive(Default)]
pub struct RenameFinder {
    blobs: Option<gix::diff::blob::Platform>,
}

impl RenameFinder {
    /// The (former path, new path) pairs among `deleted` and `added`, in the new paths' order.
    pub fn pairs(
        &mut self,
        repo: &gix::Repository,
        deleted: &[Side<'_>],
        added: &[Side<'_>],
    ) -> Result<Vec<(String, String)>, GitError> {
        if deleted.is_empty() || added.is_empty() {
            return Ok(Vec::new());
        }
        let corrupt = |e: &dyn std::fmt::Display| GitError::Corrupt(format!("finding renames: {e}"));
        let blobs = match &mut self.blobs {
            Some(blobs) => blobs,
            empty => empty.insert(repo.diff_resource_cache_for_tree_diff().map_err(|e| corrupt(&e))?),
        };
        // Git pairs empty files too (its `rename_empty` is on by default).
        let mut tracker = Tracker::new(Rewrites { track_empty: true, ..Rewrites::default() });
        for (path, oid, entry_mode) in deleted {
            tracker.try_push_change(Change::Deletion { entry_mode: *entry_mode, oid: *oid, relation: None }, path);
        }
        for (path, oid, entry_mode) in added {
            tracker.try_push_change(Change::Addition { entry_mode: *entry_mode, oid: *oid, relation: None }, path);
        }
        let mut pairs = Vec::new();
        let outcome = tracker.emit(
            |destination, source| {
                if let Some(source) = source.filter(|s| s.kind == SourceKind::Rename) {
                    pairs.push((text(source.location), text(destination.location)));
                }
                std::ops::ControlFlow::Continue(())
            },
            blobs,
            &repo.objects,
            |_push| Ok::<_, std::io::Error>(()),
        );
        blobs.clear_resource_cache_keep_allocation();
        outcome.map_err(|e| corrupt(&e))?;
        pairs.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(pairs)
    }
}
