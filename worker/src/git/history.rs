//! Walking a repository's history and reading commits into rows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use gitdash_shared::queries::index::NewCommit;
use gix::ObjectId;

use super::{
    GitError,
    identity::IdentityMapper,
    numstat::{CommitChanges, DiffState},
    text::text,
};

/// Every commit reachable from `head`, as `git rev-list head` lists them.
pub fn reachable(repo: &gix::Repository, head: ObjectId) -> Result<Vec<ObjectId>, GitError> {
    let walk = repo.rev_walk([head]).all().map_err(|e| GitError::Corrupt(e.to_string()))?;
    let mut ids = Vec::new();
    for info in walk {
        ids.push(info.map_err(|e| GitError::Corrupt(e.to_string()))?.id);
    }
    Ok(ids)
}

/// The commits reachable from `head` but not from `base` (`git rev-list head ^base`), when
/// `base` is one of `head`'s ancestors (the branch moved forward). `None` when it is not, or
/// cannot be read: the history was rewritten, and only a whole comparison tells what went.
pub fn added_since(repo: &gix::Repository, base: ObjectId, head: ObjectId) -> Option<Vec<ObjectId>> {
    if base == head {
        return Some(Vec::new());
    }
    let walk = repo.rev_walk([head]).with_hidden([base]).all().ok()?;
    let mut ids = Vec::new();
    // `base` is an ancestor exactly when a commit outside its history has it as a parent:
    // the path from `head` down to it passes through one.
    let mut descends = false;
    for info in walk {
        let info = info.ok()?;
        descends |= info.parent_ids.contains(&base);
        ids.push(info.id);
    }
    descends.then_some(ids)
}

/// The repository's `.mailmap` at `head`, read from the tree as git does in a bare
/// repository, and the blob's id (to notice when it changes).
pub fn mailmap_at(
    repo: &gix::Repository,
    head: ObjectId,
) -> Result<(gix::mailmap::Snapshot, Option<ObjectId>), GitError> {
    let tree = repo.find_commit(head).and_then(|c| c.tree()).map_err(|e| GitError::Corrupt(e.to_string()))?;
    let Some(entry) = tree.find_entry(".mailmap") else {
        return Ok((gix::mailmap::Snapshot::default(), None));
    };
    if !entry.mode().is_blob() {
        return Ok((gix::mailmap::Snapshot::default(), None));
    }
    let blob = repo.find_blob(entry.oid()).map_err(|e| GitError::Corrupt(e.to_string()))?;
    Ok((gix::mailmap::Snapshot::from_bytes(&blob.data), Some(entry.oid().to_owned())))
}

/// The trees of the commits a reader has just read. Commits are read oldest first in runs
/// of consecutive ones, so a commit's parent was usually read just before it: its tree comes
/// from here instead of reading the parent commit again.
#[derive(Default)]
pub struct RecentTrees(HashMap<ObjectId, ObjectId>);

impl RecentTrees {
    /// Enough for a run of commits and the branches merged into it; beyond it, start over.
    const LIMIT: usize = 4096;

    fn remember(&mut self, commit: ObjectId, tree: ObjectId) {
        if self.0.len() >= Self::LIMIT {
            self.0.clear();
        }
        self.0.insert(commit, tree);
    }

    fn tree_of(&self, repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, GitError> {
        if let Some(tree) = self.0.get(&commit) {
            return Ok(*tree);
        }
        let corrupt = |e: &dyn std::fmt::Display| GitError::Corrupt(format!("parent {commit}: {e}"));
        Ok(repo.find_commit(commit).map_err(|e| corrupt(&e))?.tree_id().map_err(|e| corrupt(&e))?.detach())
    }
}

/// Reads commit `id` into a row, with its line counts unless it is a merge.
pub fn read_commit(
    repo: &gix::Repository,
    id: ObjectId,
    mapper: &mut IdentityMapper<'_>,
    diff: &mut DiffState,
    trees: &mut RecentTrees,
) -> Result<NewCommit, GitError> {
    let commit = repo.find_commit(id).map_err(|e| GitError::Corrupt(format!("commit {id}: {e}")))?;
    let decoded = commit.decode().map_err(|e| GitError::Corrupt(format!("commit {id}: {e}")))?;
    trees.remember(id, decoded.tree());
    let parents: Vec<ObjectId> = decoded.parents().collect();
    let author = decoded.author().map_err(|e| GitError::Corrupt(format!("author of {id}: {e}")))?;
    let committer = decoded.committer().map_err(|e| GitError::Corrupt(format!("committer of {id}: {e}")))?;
    let author_time = author.time().unwrap_or_default();
    let committer_time = committer.time().unwrap_or_default();
    let (author_name, author_email) = mapper.map(author.name, author.email);
    let (committer_name, committer_email) = mapper.map(committer.name, committer.email);
    let changes = match parents.as_slice() {
        [] => diff.commit_stats(repo, None, decoded.tree())?,
        [parent] => diff.commit_stats(repo, Some(trees.tree_of(repo, *parent)?), decoded.tree())?,
        _ => Default::default(),
    };
    let CommitChanges { stats, files, renames } = changes;
    let coauthors = super::coauthors::coauthors_of(decoded.message, &author_email, mapper);
    let stats = (parents.len() <= 1).then_some(stats);
    Ok(NewCommit {
        sha: id.to_string(),
        parents: parents.iter().map(ObjectId::to_string).collect(),
        author_name,
        author_email,
        original_author_name: text(author.name),
        original_author_email: text(author.email),
        authored_at: timestamp(author_time.seconds),
        author_utc_offset_minutes: author_time.offset / 60,
        committer_name,
        committer_email,
        committed_at: timestamp(committer_time.seconds),
        summary: text(decoded.message_summary().as_ref()),
        message: text(decoded.message).trim_end().to_owned(),
        stats,
        files,
        renames,
        coauthors,
    })
}

fn timestamp(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}
