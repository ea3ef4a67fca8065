//! Git repositories built by the tests with the real `git`, and what `git` itself reports
//! about them: the truth the indexer is compared with.

use std::{
    cell::Cell,
    collections::BTreeMap,
    ffi::OsStr,
    os::unix::ffi::OsStrExt,
    path::{Path, PathBuf},
    process::Command,
};

/// A repository with a work tree in a temporary directory, on branch `main`.
pub struct GitRepo {
    _dir: tempfile::TempDir,
    /// The working tree: the temporary folder itself, or a folder named in it.
    path: PathBuf,
    /// Commit times advance one minute per commit, so histories are reproducible.
    clock: Cell<i64>,
}

impl Default for GitRepo {
    fn default() -> Self {
        Self::new()
    }
}

impl GitRepo {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        Self::init(dir, path)
    }

    /// A new repository in a folder called `name`, which gitdash names it after.
    pub fn named(name: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(name);
        std::fs::create_dir(&path).expect("repository folder");
        Self::init(dir, path)
    }

    fn init(dir: tempfile::TempDir, path: PathBuf) -> Self {
        let repo = Self { _dir: dir, path, clock: Cell::new(1_700_000_000) };
        repo.git(["init", "-q", "-b", "main"]);
        repo
    }

    /// A repository holding one small commit.
    pub fn with_one_commit() -> Self {
        let repo = Self::new();
        repo.write("a.txt", "a\n");
        repo.commit("First");
        repo
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs git in the repository and returns its standard output.
    pub fn git<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let output = self.command(args).output().expect("git runs");
        assert!(output.status.success(), "git failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = git_command();
        command.current_dir(self.path()).args(args);
        command
    }

    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, contents).expect("write file");
    }

    /// Stages everything and commits as the default author; returns the new sha.
    pub fn commit(&self, message: &str) -> String {
        self.commit_as(b"Ada Lovelace", b"ada@example.org", message.as_bytes())
    }

    /// Commits with raw bytes for the author's name and the message (which may be invalid
    /// UTF-8, as real histories sometimes are).
    pub fn commit_as(&self, name: &[u8], email: &[u8], message: &[u8]) -> String {
        self.git(["add", "-A"]);
        let message_file = self.path.join(".git").join("TEST_MESSAGE");
        std::fs::write(&message_file, message).expect("message file");
        let time = self.tick();
        let status = self
            .command(["commit", "-q", "--allow-empty", "--no-verify", "-F"])
            .arg(&message_file)
            .env("GIT_AUTHOR_NAME", OsStr::from_bytes(name))
            .env("GIT_AUTHOR_EMAIL", OsStr::from_bytes(email))
            .env("GIT_AUTHOR_DATE", format!("@{time} +0200"))
            .env("GIT_COMMITTER_DATE", format!("@{time} +0000"))
            .status()
            .expect("git commit runs");
        assert!(status.success(), "git commit failed");
        self.head()
    }

    /// Writes a commit object byte for byte, bypassing `git commit` (which re-encodes
    /// identities to UTF-8), so the author's name can hold bytes that are not UTF-8.
    pub fn commit_raw(&self, author_name: &[u8], message: &[u8]) -> String {
        self.git(["add", "-A"]);
        let tree = self.git(["write-tree"]).trim().to_owned();
        let parent = self.command(["rev-parse", "--verify", "-q", "HEAD"]).output().expect("git runs");
        let time = self.tick();
        let mut object = format!("tree {tree}\n").into_bytes();
        if parent.status.success() {
            object.extend_from_slice(format!("parent {}", String::from_utf8_lossy(&parent.stdout)).as_bytes());
        }
        object.extend_from_slice(b"author ");
        object.extend_from_slice(author_name);
        object.extend_from_slice(
            format!(
                " <raw@example.org> {time} +0100\ncommitter Test Committer <committer@example.org> {time} +0000\n\n"
            )
            .as_bytes(),
        );
        object.extend_from_slice(message);
        let file = self.path.join(".git").join("TEST_OBJECT");
        std::fs::write(&file, object).expect("object file");
        let sha = self.git([
            OsStr::new("hash-object"),
            OsStr::new("-w"),
            OsStr::new("-t"),
            OsStr::new("commit"),
            file.as_os_str(),
        ]);
        self.git(["update-ref", "HEAD", sha.trim()]);
        sha.trim().to_owned()
    }

    pub fn head(&self) -> String {
        self.git(["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Moves the repository's clock on: the next commit is `seconds` (plus a minute) later.
    pub fn pass_time(&self, seconds: i64) {
        self.clock.set(self.clock.get() + seconds);
    }

    fn tick(&self) -> i64 {
        let time = self.clock.get() + 60;
        self.clock.set(time);
        time
    }

    /// Merges `branch` into the current branch with a merge commit.
    pub fn merge(&self, branch: &str) -> String {
        let time = self.tick();
        let output = self
            .command(["merge", "-q", "--no-ff", "--no-edit", branch])
            .env("GIT_AUTHOR_DATE", format!("@{time} +0000"))
            .env("GIT_COMMITTER_DATE", format!("@{time} +0000"))
            .output()
            .expect("git merge runs");
        assert!(output.status.success(), "merge failed: {}", String::from_utf8_lossy(&output.stderr));
        self.head()
    }

    /// What `git` reports for every commit reachable from HEAD.
    pub fn truth(&self) -> BTreeMap<String, ExpectedCommit> {
        git_truth(self.path())
    }
}

/// A `git` with no user or system configuration of the machine's.
pub fn git_command() -> Command {
    let mut command = Command::new("git");
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.org")
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_TERMINAL_PROMPT", "0");
    command
}

/// One commit as git sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedCommit {
    pub parent_count: i32,
    /// After .mailmap (`%aN`, `%aE`), invalid UTF-8 replaced.
    pub author_name: String,
    pub author_email: String,
    pub summary: String,
    /// `None` for merges, which `git log --numstat` shows without a diff.
    pub files_changed: Option<i32>,
    pub insertions: Option<i64>,
    pub deletions: Option<i64>,
}

/// Reads `git log --numstat --no-renames` over everything reachable from HEAD in `path`.
pub fn git_truth(path: &Path) -> BTreeMap<String, ExpectedCommit> {
    let output = git_command()
        .current_dir(path)
        .args(["log", "--use-mailmap", "--numstat", "--no-renames", "--format=%x01%H %P%x02%aN%x02%aE%x02%s", "HEAD"])
        .output()
        .expect("git log runs");
    assert!(output.status.success(), "git log failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut commits = BTreeMap::new();
    for record in output.stdout.split(|&b| b == 1).filter(|r| !r.is_empty()) {
        let text = String::from_utf8_lossy(record);
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        let fields: Vec<&str> = header.split('\u{2}').collect();
        let ids: Vec<&str> = fields[0].split_whitespace().collect();
        let parent_count = ids.len() as i32 - 1;
        let mut files = 0;
        let (mut insertions, mut deletions) = (0i64, 0i64);
        for line in lines.filter(|l| !l.is_empty()) {
            let mut parts = line.splitn(3, '\t');
            let (added, removed) = (parts.next().unwrap_or("-"), parts.next().unwrap_or("-"));
            files += 1;
            insertions += added.parse::<i64>().unwrap_or(0);
            deletions += removed.parse::<i64>().unwrap_or(0);
        }
        let merge = parent_count > 1;
        commits.insert(
            ids[0].to_owned(),
            ExpectedCommit {
                parent_count,
                author_name: fields.get(1).copied().unwrap_or_default().to_owned(),
                author_email: fields.get(2).copied().unwrap_or_default().to_owned(),
                summary: fields.get(3).copied().unwrap_or_default().to_owned(),
                files_changed: (!merge).then_some(files),
                insertions: (!merge).then_some(insertions),
                deletions: (!merge).then_some(deletions),
            },
        );
    }
    commits
}

/// The paths each non-merge commit reachable from HEAD changed, with the lines
/// `git log --numstat --no-renames` gives them (`None` for a binary file); read with `-z`
/// so that no path is quoted.
pub fn git_files(path: &Path) -> BTreeMap<String, BTreeMap<String, Option<(i64, i64)>>> {
    let output = git_command()
        .current_dir(path)
        .args(["log", "-z", "--numstat", "--no-renames", "--no-merges", "--format=%x01%H", "HEAD"])
        .output()
        .expect("git log runs");
    assert!(output.status.success(), "git log failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut commits = BTreeMap::new();
    for record in output.stdout.split(|&b| b == 1).filter(|r| !r.is_empty()) {
        let mut fields = record.split(|&b| b == 0).map(String::from_utf8_lossy);
        let sha = fields.next().unwrap_or_default().trim().to_owned();
        let mut files = BTreeMap::new();
        for entry in fields.map(|f| f.trim_start_matches('\n').to_owned()).filter(|f| !f.is_empty()) {
            let mut parts = entry.splitn(3, '\t');
            let (added, removed, name) = (parts.next(), parts.next(), parts.next());
            let lines = added.and_then(|a| a.parse().ok()).zip(removed.and_then(|r| r.parse().ok()));
            files.insert(name.unwrap_or_default().to_owned(), lines);
        }
        commits.insert(sha, files);
    }
    commits
}

/// The renames of each non-merge commit reachable from HEAD that renamed a file, as
/// `git log -M --name-status` pairs them: (sha, former path, new path), sorted.
pub fn git_renames(path: &Path) -> Vec<(String, String, String)> {
    let output = git_command()
        .current_dir(path)
        .args(["log", "-z", "-M", "--name-status", "--no-merges", "--format=%x01%H", "HEAD"])
        .output()
        .expect("git log runs");
    assert!(output.status.success(), "git log failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut renames = Vec::new();
    for record in output.stdout.split(|&b| b == 1).filter(|r| !r.is_empty()) {
        let fields: Vec<String> =
            record.split(|&b| b == 0).map(|f| String::from_utf8_lossy(f).trim_start_matches('\n').to_owned()).collect();
        let sha = fields[0].trim().to_owned();
        // With -z each status is its own field, followed by one path (two for a rename).
        let mut rest = fields[1..].iter().filter(|f| !f.is_empty());
        while let Some(status) = rest.next() {
            if status.starts_with('R') {
                let (from, to) = (rest.next().cloned().unwrap_or_default(), rest.next().cloned().unwrap_or_default());
                renames.push((sha.clone(), from, to));
            } else {
                rest.next();
            }
        }
    }
    renames.sort();
    renames
}

/// A file moved, moved again with an edit, a binary file renamed, the first file's old name
/// used again for a new file, and a deletion beside an unrelated addition; the last commit
/// is Grace Hopper's.
pub fn history_with_renames() -> GitRepo {
    let rows = |n: usize| (0..n).map(|i| format!("fn parse_{i}() {{ {i} }}\n")).collect::<String>();
    let repo = GitRepo::new();
    repo.write("src/parser.rs", rows(40));
    repo.write("docs/guide.md", "# Guide\n\nHow to use it.\n");
    repo.write("assets/logo.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR binary bytes");
    repo.commit("Start");
    repo.write("src/parser.rs", rows(44));
    repo.commit("Parse numbers");
    std::fs::create_dir_all(repo.path().join("src/syntax")).expect("mkdir");
    repo.git(["mv", "src/parser.rs", "src/syntax/parser.rs"]);
    repo.commit("Move the parser into syntax");
    std::fs::create_dir_all(repo.path().join("lib")).expect("mkdir");
    repo.git(["mv", "src/syntax/parser.rs", "lib/parse.rs"]);
    repo.write("lib/parse.rs", rows(38));
    repo.git(["mv", "assets/logo.bin", "assets/old-logo.bin"]);
    repo.commit("Rename the parser and trim it; keep the old logo");
    repo.write("src/parser.rs", (0..30).map(|i| format!("let unrelated_{i} = {i};\n")).collect::<String>());
    repo.git(["rm", "-q", "docs/guide.md"]);
    repo.write("notes/todo.txt", "Nothing in common\nwith the guide at all\n");
    repo.commit("A new parser under the old name; notes instead of a guide");
    repo.write("lib/parse.rs", rows(39));
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"Tune the parser");
    repo
}

/// A bare copy of `repo`, as a server would hold it.
pub fn bare_clone(repo: &GitRepo, into: &Path) -> PathBuf {
    let status =
        git_command().args(["clone", "-q", "--bare"]).arg(repo.path()).arg(into).status().expect("git clone runs");
    assert!(status.success());
    into.to_path_buf()
}

/// A repository of `count` commits on `main`, written in one go with `git fast-import`:
/// each commit rewrites one of 50 files, so every commit has a real diff to count.
pub fn generated_history(count: usize) -> GitRepo {
    use std::io::Write;
    let mut stream = Vec::new();
    for i in 0..count {
        let time = 1_600_000_000 + i * 60;
        let content = format!("commit {i}\nline a\nline b {}\n", i % 7);
        let message = format!("Generated commit {i}");
        writeln!(stream, "commit refs/heads/main").ok();
        writeln!(stream, "author Gen Erator <gen@example.org> {time} +0000").ok();
        writeln!(stream, "committer Gen Erator <gen@example.org> {time} +0000").ok();
        writeln!(stream, "data {}\n{message}", message.len()).ok();
        writeln!(stream, "M 100644 inline file{}.txt", i % 50).ok();
        writeln!(stream, "data {}\n{content}", content.len()).ok();
    }
    fast_import(&stream)
}

/// The first commit time of [`spread_history`] (2023-11-14) and the time between commits.
pub const SPREAD_BASE: i64 = 1_700_000_000;
pub const SPREAD_STEP: i64 = 37 * 3600;

/// 40 commits 37 hours apart, by Ada (every third) and Bob, written in a +05:30 zone so the
/// local and UTC days differ for some of them.
pub fn spread_history() -> GitRepo {
    use std::io::Write;
    let mut stream = Vec::new();
    for i in 0..40i64 {
        let time = SPREAD_BASE + i * SPREAD_STEP;
        let who = if i % 3 == 0 { "Ada <ada@example.org>" } else { "Bob <bob@example.org>" };
        let content = "x\n".repeat((i % 5 + 1) as usize);
        let message = format!("Change {i}");
        writeln!(stream, "commit refs/heads/main").ok();
        writeln!(stream, "author {who} {time} +0530").ok();
        writeln!(stream, "committer {who} {time} +0530").ok();
        writeln!(stream, "data {}\n{message}", message.len()).ok();
        writeln!(stream, "M 100644 inline file{}.txt", i % 4).ok();
        writeln!(stream, "data {}\n{content}", content.len()).ok();
    }
    fast_import(&stream)
}

/// A history whose summaries are costly to rebuild: `count` commits by ten people, each
/// rewriting `width` of 400 files in 20 folders, so every commit adds `width` file rows
/// and, when `width` is at most 30, `width²/2` pairs of files changed together.
pub fn wide_history(count: usize, width: usize) -> GitRepo {
    use std::io::Write;
    let mut stream = Vec::new();
    for i in 0..count {
        let time = 1_600_000_000 + i * 3_600;
        let who = format!("Person {n} <person{n}@example.org>", n = i % 10);
        let message = format!("Wide commit {i}");
        writeln!(stream, "commit refs/heads/main").ok();
        writeln!(stream, "author {who} {time} +0000").ok();
        writeln!(stream, "committer {who} {time} +0000").ok();
        writeln!(stream, "data {}\n{message}", message.len()).ok();
        for j in 0..width {
            let file = (i * 7 + j * 13) % 400;
            let content = format!("commit {i}\n{}", "line\n".repeat(1 + (i + j) % 5));
            writeln!(stream, "M 100644 inline folder{}/file{file}.rs", file % 20).ok();
            writeln!(stream, "data {}\n{content}", content.len()).ok();
        }
    }
    fast_import(&stream)
}

/// A repository holding what a `git fast-import` stream writes to `main`, checked out.
pub fn fast_import(stream: &[u8]) -> GitRepo {
    use std::io::Write;
    let repo = GitRepo::new();
    let mut child =
        repo.command(["fast-import", "--quiet"]).stdin(std::process::Stdio::piped()).spawn().expect("fast-import");
    child.stdin.take().expect("stdin").write_all(stream).expect("write");
    assert!(child.wait().expect("wait").success(), "fast-import failed");
    repo.git(["reset", "-q", "--hard", "main"]);
    repo
}
