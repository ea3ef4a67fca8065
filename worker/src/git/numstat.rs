//! Files changed and lines added and removed by one commit, counted as
//! `git log --numstat --no-renames` counts them:
//! - every changed path counts as one file, including binary files and mode-only changes;
//! - a file is binary when either side has a NUL byte in its first 8,000 bytes (git's rule),
//!   and then adds no lines;
//! - lines are counted from a Myers line diff, each line including its newline, so a lost
//!   final newline is one line removed and one added, as in git;
//! - submodules diff as the one line `Subproject commit <sha>`, as git shows them.
//!
//! Lines in paths the settings call generated (lock files, bundles, vendored code) are also
//! counted apart, so that "largest change" can mean lines people wrote. Each changed path is
//! also kept with its own counts (`commit_files`) and its kind (language, vendored), and the
//! deleted and added files `git log -M` would call renames are paired (`commit_renames`).

use std::sync::Arc;

use gix::{
    ObjectId,
    bstr::{BStr, BString},
    diff::{
        blob::{Algorithm, Diff, InternedInput},
        tree::{Recorder, State as TreeState, Visit, visit},
    },
    objs::{FindExt, tree::EntryMode},
    prelude::Find,
};

use gitdash_shared::{
    generated::GeneratedPaths,
    queries::{
        files::{FileChange, Rename},
        index::LineStats,
    },
};

use super::{GitError, paths::PathClassifier, renames::RenameFinder, text::text};

/// Git's `FIRST_FEW_BYTES`: how far it looks for a NUL byte to call a file binary.
const BINARY_PROBE: usize = 8000;
/// Git's default `core.bigFileThreshold`: larger files are treated as binary.
const BIG_FILE: usize = 512 * 1024 * 1024;

/// Buffers reused from one commit to the next.
pub struct DiffState {
    tree: TreeState,
    changes: Changes,
    old_tree: Vec<u8>,
    new_tree: Vec<u8>,
    old_blob: Vec<u8>,
    new_blob: Vec<u8>,
    paths: Arc<PathClassifier>,
    renames: RenameFinder,
}

/// What a commit changed: its totals, each path's counts, and its renames.
#[derive(Debug, Default)]
pub struct CommitChanges {
    pub stats: LineStats,
    pub files: Vec<FileChange>,
    pub renames: Vec<Rename>,
}

type Side = Option<(ObjectId, EntryMode)>;

/// Collects the changed non-tree entries, each with its path and whether it is generated.
/// gix's `Recorder` keeps the current path; its own records stay empty.
struct Changes {
    found: Vec<(Side, Side, BString, bool)>,
    path: Recorder,
    generated: GeneratedPaths,
}

impl Visit for Changes {
    fn pop_front_tracked_path_and_set_current(&mut self) {
        self.path.pop_front_tracked_path_and_set_current();
    }
    fn push_back_tracked_path_component(&mut self, component: &BStr) {
        self.path.push_back_tracked_path_component(component);
    }
    fn push_path_component(&mut self, component: &BStr) {
        self.path.push_path_component(component);
    }
    fn pop_path_component(&mut self) {
        self.path.pop_path_component();
    }

    fn visit(&mut self, change: visit::Change) -> visit::Action {
        let entry = |oid: ObjectId, mode: EntryMode| (!mode.is_tree()).then_some((oid, mode));
        let pair = match change {
            visit::Change::Addition { entry_mode, oid, .. } => (None, entry(oid, entry_mode)),
            visit::Change::Deletion { entry_mode, oid, .. } => (entry(oid, entry_mode), None),
            // Git compares modes after canonicalising them (old trees hold modes such as
            // 100664): the same content of the same kind is no change.
            visit::Change::Modification { previous_entry_mode, previous_oid, entry_mode, oid }
                if previous_oid == oid && previous_entry_mode.kind() == entry_mode.kind() =>
            {
                (None, None)
            }
            visit::Change::Modification { previous_entry_mode, previous_oid, entry_mode, oid } => {
                (entry(previous_oid, previous_entry_mode), entry(oid, entry_mode))
            }
        };
        if pair.0.is_some() || pair.1.is_some() {
            let path = self.path.path();
            let generated = self.generated.matches(path);
            self.found.push((pair.0, pair.1, path.to_owned(), generated));
        }
        std::ops::ControlFlow::Continue(())
    }
}

impl DiffState {
    /// Fresh buffers, counting lines in `generated` paths apart, with paths judged by `paths`.
    pub fn new(generated: GeneratedPaths, paths: Arc<PathClassifier>) -> Self {
        Self {
            tree: TreeState::default(),
            changes: Changes { found: Vec::new(), path: Recorder::default(), generated },
            old_tree: Vec::new(),
            new_tree: Vec::new(),
            old_blob: Vec::new(),
            new_blob: Vec::new(),
            paths,
            renames: RenameFinder::default(),
        }
    }

    /// The line statistics of going from `old_tree` (the parent's, `None` for a root commit)
    /// to `new_tree`, each changed path's, in path order, and the renames among them.
    pub fn commit_stats(
        &mut self,
        repo: &gix::Repository,
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    ) -> Result<CommitChanges, GitError> {
        if !self.diff_trees(repo, old_tree, new_tree)? {
            return Ok(CommitChanges::default());
        }
        let mut stats = LineStats::default();
        let mut files = Vec::with_capacity(self.changes.found.len());
        let changes = std::mem::take(&mut self.changes.found);
        for (old, new, path, generated) in &changes {
            stats.files_changed += 1;
            let lines = if let (Some(old), Some(new)) = (old, new)
                && old.0 == new.0
            {
                // Only the mode changed: no lines, but git still calls a binary file binary.
                self.old_blob.clear();
                load(repo, Some(*new), &mut self.new_blob)?;
                (!is_binary(&self.new_blob)).then_some((0, 0))
            } else {
                load(repo, *old, &mut self.old_blob)?;
                load(repo, *new, &mut self.new_blob)?;
                (!is_binary(&self.old_blob) && !is_binary(&self.new_blob))
                    .then(|| count_lines(&self.old_blob, &self.new_blob))
            };
            if let Some((added, removed)) = lines {
                stats.insertions += added;
                stats.deletions += removed;
                if *generated {
                    stats.generated_lines += added + removed;
                }
            }
            let content = if new.is_some() { &self.new_blob } else { &self.old_blob };
            let kind = self.paths.kind(path, content);
            files.push(FileChange { path: text(path.as_ref()), lines, kind });
        }
        let renames = self.renames_among(repo, &changes)?;
        self.changes.found = changes;
        Ok(CommitChanges { stats, files: merged(files), renames })
    }

    /// Only the renames of going from `old_tree` to `new_tree`, for commits whose files are
    /// already counted.
    pub fn renames_only(
        &mut self,
        repo: &gix::Repository,
        old_tree: ObjectId,
        new_tree: ObjectId,
    ) -> Result<Vec<Rename>, GitError> {
        if !self.diff_trees(repo, Some(old_tree), new_tree)? {
            return Ok(Vec::new());
        }
        let changes = std::mem::take(&mut self.changes.found);
        let renames = self.renames_among(repo, &changes);
        self.changes.found = changes;
        renames
    }

    /// Collects the changed entries of going from `old_tree` to `new_tree` into
    /// `self.changes`; false when the trees are the same.
    fn diff_trees(
        &mut self,
        repo: &gix::Repository,
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    ) -> Result<bool, GitError> {
        let corrupt = |e: &dyn std::fmt::Display| GitError::Corrupt(e.to_string());
        let empty = ObjectId::empty_tree(repo.object_hash());
        let old_tree = old_tree.unwrap_or(empty);
        if old_tree == new_tree {
            return Ok(false);
        }
        self.changes.found.clear();
        // The recorder's path is left wherever the last diff ended: start each at the root.
        self.changes.path = Recorder::default();
        let old = repo.find_tree_iter(&old_tree, &mut self.old_tree).map_err(|e| corrupt(&e))?;
        let new = repo.find_tree_iter(&new_tree, &mut self.new_tree).map_err(|e| corrupt(&e))?;
        gix::diff::tree(old, new, &mut self.tree, repo, &mut self.changes).map_err(|e| corrupt(&e))?;
        Ok(true)
    }

    /// The renames among the files of `changes` that were only deleted or only added.
    fn renames_among(
        &mut self,
        repo: &gix::Repository,
        changes: &[(Side, Side, BString, bool)],
    ) -> Result<Vec<Rename>, GitError> {
        let (mut deleted, mut added) = (Vec::new(), Vec::new());
        for (old, new, path, _) in changes {
            match (old, new) {
                (Some((oid, mode)), None) => deleted.push((path.as_ref(), *oid, *mode)),
                (None, Some((oid, mode))) => added.push((path.as_ref(), *oid, *mode)),
                _ => {}
            }
        }
        let pairs = self.renames.pairs(repo, &deleted, &added)?;
        Ok(pairs.into_iter().map(|(from, to)| Rename { from, to }).collect())
    }
}

/// One row per path: a path changed twice in one diff (a file replaced by a link of the same
/// name) counts its lines together, as one file.
fn merged(mut files: Vec<FileChange>) -> Vec<FileChange> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|later, kept| {
        if later.path != kept.path {
            return false;
        }
        kept.lines = match (kept.lines, later.lines) {
            (Some(a), Some(b)) => Some((a.0 + b.0, a.1 + b.1)),
            (a, b) => a.or(b),
        };
        true
    });
    files
}

fn load(repo: &gix::Repository, side: Side, buf: &mut Vec<u8>) -> Result<(), GitError> {
    buf.clear();
    let Some((oid, mode)) = side else {
        return Ok(());
    };
    if mode.is_commit() {
        buf.extend_from_slice(format!("Subproject commit {oid}\n").as_bytes());
        return Ok(());
    }
    let found = repo.try_find(&oid, buf).map_err(|e| GitError::Corrupt(format!("blob {oid}: {e}")))?;
    if found.is_none() {
        return Err(GitError::Corrupt(format!("blob {oid} is missing")));
    }
    Ok(())
}

fn is_binary(data: &[u8]) -> bool {
    data.len() > BIG_FILE || data[..data.len().min(BINARY_PROBE)].contains(&0)
}

fn count_lines(old: &[u8], new: &[u8]) -> (i64, i64) {
    if old.is_empty() {
        return (line_count(new), 0);
    }
    if new.is_empty() {
        return (0, line_count(old));
    }
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Myers, &input);
    (i64::from(diff.count_additions()), i64::from(diff.count_removals()))
}

fn line_count(data: &[u8]) -> i64 {
    let newlines = data.iter().filter(|&&b| b == b'\n').count() as i64;
    newlines + i64::from(data.last().is_some_and(|&b| b != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_like_git() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a\nb\n"), 2);
        assert_eq!(line_count(b"a\nb"), 2);
        assert_eq!(count_lines(b"a\nb\nc\n", b"a\nB\nc\nd\n"), (2, 1));
        // Losing the final newline rewrites the last line.
        assert_eq!(count_lines(b"a\nb\n", b"a\nb"), (1, 1));
    }

    #[test]
    fn a_nul_byte_early_on_makes_a_file_binary() {
        assert!(is_binary(b"PNG\0data"));
        assert!(!is_binary(b"plain text\n"));
        let mut late_nul = vec![b'a'; BINARY_PROBE];
        late_nul.push(0);
        assert!(!is_binary(&late_nul));
    }
}

#[cfg(test)]
mod generated_lines {
    use std::process::Command;

    use gitdash_shared::generated::GeneratedPaths;

    use super::DiffState;

    fn git(dir: &std::path::Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.org")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.org")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    #[test]
    fn lines_in_generated_paths_are_counted_apart_at_any_depth() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path();
        git(path, &["init", "-q", "-b", "main"]);
        std::fs::create_dir_all(path.join("third_party/zlib")).expect("mkdir");
        std::fs::create_dir_all(path.join("src")).expect("mkdir");
        std::fs::write(path.join("src/b.rs"), "fn b() {}\n".repeat(20)).expect("write");
        git(path, &["add", "-A"]);
        git(path, &["commit", "-q", "-m", "first"]);
        let parent = git(path, &["rev-parse", "HEAD^{tree}"]);
        std::fs::write(path.join("third_party/zlib/zlib.c"), "int x;\n".repeat(30)).expect("write");
        std::fs::write(path.join("src/b.rs"), "fn b() {}\n".repeat(21)).expect("write");
        std::fs::write(path.join("Cargo.lock"), "x\n".repeat(5)).expect("write");
        git(path, &["add", "-A"]);
        git(path, &["commit", "-q", "-m", "second"]);
        let tree = git(path, &["rev-parse", "HEAD^{tree}"]);
        let repo = gix::open(path).expect("open");
        let generated = GeneratedPaths::parse("**/*.lock,third_party/**").expect("globs");
        let id = |hex: &str| gix::ObjectId::from_hex(hex.as_bytes()).expect("id");
        // One state for both diffs, as a sync reuses it from commit to commit.
        let paths = std::sync::Arc::new(crate::git::paths::PathClassifier::new(generated.clone()));
        let mut diff = DiffState::new(generated, paths);
        let first = diff.commit_stats(&repo, None, id(&parent)).expect("stats of the first commit").stats;
        assert_eq!((first.insertions, first.generated_lines), (20, 0));
        let super::CommitChanges { stats, files, .. } =
            diff.commit_stats(&repo, Some(id(&parent)), id(&tree)).expect("stats");
        let paths: Vec<(&str, Option<(i64, i64)>)> = files.iter().map(|f| (f.path.as_str(), f.lines)).collect();
        assert_eq!(
            paths,
            [("Cargo.lock", Some((5, 0))), ("src/b.rs", Some((1, 0))), ("third_party/zlib/zlib.c", Some((30, 0)))]
        );
        assert_eq!((stats.files_changed, stats.insertions, stats.deletions), (3, 36, 0));
        assert_eq!(stats.generated_lines, 35, "zlib.c and Cargo.lock, not b.rs");
    }
}
