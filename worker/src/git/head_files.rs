//! The files of a commit's tree: what ownership and the truck factor count as the code as
//! it is now, and the `.gitattributes` files among them.

use gix::{ObjectId, traverse::tree::Recorder};

use super::{GitError, attributes::folder_of, text::text};

pub struct HeadFiles {
    /// Every file (regular or executable blob; not symlinks or submodules), as the paths
    /// table writes paths.
    pub files: Vec<String>,
    /// Each `.gitattributes` file's folder ("" at the top) and content.
    pub attributes: Vec<(String, Vec<u8>)>,
}

/// The files of commit `id`'s tree.
pub fn files_of(repo: &gix::Repository, id: ObjectId) -> Result<HeadFiles, GitError> {
    let corrupt = |e: &dyn std::fmt::Display| GitError::Corrupt(format!("tree of {id}: {e}"));
    let tree = repo.find_commit(id).map_err(|e| corrupt(&e))?.tree().map_err(|e| corrupt(&e))?;
    let mut recorder = Recorder::default();
    tree.traverse().breadthfirst(&mut recorder).map_err(|e| corrupt(&e))?;
    let mut head = HeadFiles { files: Vec::new(), attributes: Vec::new() };
    for entry in recorder.records.into_iter().filter(|e| e.mode.is_blob()) {
        let path = text(entry.filepath.as_ref());
        if let Some(folder) = folder_of(&path) {
            let blob = repo.find_blob(entry.oid).map_err(|e| corrupt(&e))?;
            head.attributes.push((folder, blob.data.clone()));
        }
        head.files.push(path);
    }
    Ok(head)
}
