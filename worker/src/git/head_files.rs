//! The files of a commit's tree: what ownership and the truck factor count as the code as
//! it is now.

use gix::{ObjectId, traverse::tree::Recorder};

use super::{GitError, text::text};

/// Every file (regular or executable blob; not symlinks or submodules) of commit `id`'s
/// tree, as the paths table writes paths.
pub fn files_of(repo: &gix::Repository, id: ObjectId) -> Result<Vec<String>, GitError> {
    let corrupt = |e: &dyn std::fmt::Display| GitError::Corrupt(format!("tree of {id}: {e}"));
    let tree = repo.find_commit(id).map_err(|e| corrupt(&e))?.tree().map_err(|e| corrupt(&e))?;
    let mut recorder = Recorder::default();
    tree.traverse().breadthfirst(&mut recorder).map_err(|e| corrupt(&e))?;
    Ok(recorder.records.into_iter().filter(|e| e.mode.is_blob()).map(|e| text(e.filepath.as_ref())).collect())
}
