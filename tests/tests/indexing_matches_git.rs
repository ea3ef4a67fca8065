//! After `gitdash-worker index`, the database holds exactly the commits `git rev-list HEAD`
//! lists, each with the files, insertions and deletions `git log --numstat --no-renames`
//! reports, on SQLite and on PostgreSQL.

use std::collections::BTreeMap;

use gitdash_shared::entities::{commit, tag};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{ExpectedCommit, GitRepo},
    processes::Stack,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A history with a bit of everything git can do to a file.
fn varied_history() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("README.md", "# Title\n\nSome text.\n");
    repo.write("src/main.rs", "fn main() {\n    println!(\"hi\");\n}\n");
    repo.commit("Initial commit");

    repo.write("src/main.rs", "fn main() {\n    println!(\"hello\");\n}\n");
    repo.write("no-newline.txt", "last line without newline");
    repo.commit("Edit a line and add a file without a final newline");

    repo.write("no-newline.txt", "last line without newline\n");
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR binary bytes");
    repo.commit("Add a binary file and a final newline");

    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR other binary bytes");
    repo.commit("Change the binary file");

    repo.git(["mv", "README.md", "GUIDE.md"]);
    repo.commit("Rename a file (counted as delete plus add without rename detection)");

    repo.git(["rm", "-q", "no-newline.txt"]);
    repo.commit("Delete a file");

    repo.git(["update-index", "--chmod=+x", "src/main.rs"]);
    repo.commit("Make a file executable (a mode-only change)");

    std::os::unix::fs::symlink("GUIDE.md", repo.path().join("link")).expect("symlink");
    repo.commit("Add a symbolic link");

    repo.commit("An empty commit");

    repo.write("multi.txt", "one\ntwo\nthree\n");
    repo.commit("Summary line\n\nA body paragraph\nwith two lines.\n");

    repo.git(["checkout", "-q", "-b", "feature"]);
    repo.write("feature.txt", "feature work\n");
    repo.commit("Feature work");
    repo.git(["checkout", "-q", "main"]);
    repo.write("multi.txt", "one\n2\nthree\nfour\n");
    repo.commit("Main work");
    repo.merge("feature");

    let gitlink = repo.git(["rev-parse", "HEAD~1"]);
    repo.git(["update-index", "--add", "--cacheinfo", &format!("160000,{},vendor/sub", gitlink.trim())]);
    repo.commit("Add a submodule entry");

    repo.git(["tag", "v1.0"]);
    repo.git(["tag", "-a", "v1.1", "-m", "annotated", "HEAD~2"]);
    repo
}

fn non_utf8_history() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit_raw(b"Ren\xe9 Latin-1", b"Caf\xe9 in Latin-1\n\nbody \xff\xfe\n");
    repo.write("a.txt", "b\n");
    repo.commit_as("Zoë Ünicode".as_bytes(), b"zoe@example.org", "Ünicode message ✓".as_bytes());
    repo
}

fn mailmap_history() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("a.txt", "1\n");
    repo.commit_as(b"Old Name", b"old@example.org", b"As the old identity");
    repo.write("a.txt", "2\n");
    repo.commit_as(b"New Name", b"new@example.org", b"As the new identity");
    repo.write(".mailmap", "New Name <new@example.org> Old Name <old@example.org>\n");
    repo.commit_as(b"New Name", b"new@example.org", b"Add a mailmap");
    repo
}

fn thousands_of_files() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("start.txt", "start\n");
    repo.commit("Start");
    for i in 0..3000 {
        repo.write(&format!("generated/{:02}/file{i}.txt", i % 50), format!("line one {i}\nline two\n"));
    }
    repo.commit("Generate three thousand files");
    for i in (0..3000).step_by(3) {
        repo.write(&format!("generated/{:02}/file{i}.txt", i % 50), format!("line one {i}\nchanged\nadded\n"));
    }
    repo.commit("Touch a thousand of them");
    repo
}

async fn stored_commits(stack: &Stack) -> BTreeMap<String, ExpectedCommit> {
    let db = stack.database.connect().await;
    commit::Entity::find()
        .all(&db)
        .await
        .expect("commits")
        .into_iter()
        .map(|c| {
            (
                c.sha,
                ExpectedCommit {
                    parent_count: c.parent_count,
                    author_name: c.author_name,
                    author_email: c.author_email,
                    summary: c.summary,
                    files_changed: c.files_changed,
                    insertions: c.insertions,
                    deletions: c.deletions,
                },
            )
        })
        .collect()
}

async fn index_and_compare(backend: Backend, repo: &GitRepo) -> Stack {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let output = stack.index(repo.path().to_str().expect("utf-8 path")).await;
    assert!(output.status.success(), "index failed: {}", String::from_utf8_lossy(&output.stderr));
    let stored = stored_commits(&stack).await;
    let expected = repo.truth();
    assert_eq!(stored.len(), expected.len(), "as many commits as git rev-list HEAD");
    for (sha, want) in &expected {
        assert_eq!(stored.get(sha), Some(want), "commit {sha} as git log shows it");
    }
    stack
}

async fn varied_history_is_indexed_exactly(backend: Backend) {
    let repo = varied_history();
    let stack = index_and_compare(backend, &repo).await;
    let db = stack.database.connect().await;
    let mut tags: Vec<(String, String)> =
        tag::Entity::find().all(&db).await.expect("tags").into_iter().map(|t| (t.name, t.sha)).collect();
    tags.sort();
    let expected_tags = vec![
        ("v1.0".to_owned(), repo.head()),
        ("v1.1".to_owned(), repo.git(["rev-parse", "HEAD~2"]).trim().to_owned()),
    ];
    assert_eq!(tags, expected_tags, "tags point at their commits, annotated ones peeled");
}

#[tokio::test]
async fn a_varied_history_is_indexed_exactly_on_sqlite() {
    varied_history_is_indexed_exactly(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_varied_history_is_indexed_exactly_on_postgres() {
    varied_history_is_indexed_exactly(Backend::Postgres).await;
}

#[tokio::test]
async fn non_utf8_authors_and_messages_are_stored_readably_on_sqlite() {
    index_and_compare(Backend::Sqlite, &non_utf8_history()).await;
}

#[tokio::test]
async fn non_utf8_authors_and_messages_are_stored_readably_on_postgres() {
    let repo = non_utf8_history();
    let stack = index_and_compare(Backend::Postgres, &repo).await;
    let stored = stored_commits(&stack).await;
    assert!(stored.values().any(|c| c.author_name == "Ren\u{fffd} Latin-1"), "invalid bytes become U+FFFD");
}

#[tokio::test]
async fn the_mailmap_merges_identities() {
    let repo = mailmap_history();
    let stack = index_and_compare(Backend::Sqlite, &repo).await;
    let stored = stored_commits(&stack).await;
    assert!(stored.values().all(|c| c.author_name == "New Name" && c.author_email == "new@example.org"));
    let db = stack.database.connect().await;
    let originals = commit::Entity::find()
        .filter(commit::Column::OriginalAuthorEmail.eq("old@example.org"))
        .all(&db)
        .await
        .expect("commits");
    assert_eq!(originals.len(), 1, "the recorded identity is kept beside the mapped one");
}

#[tokio::test]
async fn a_commit_touching_thousands_of_files_is_counted_exactly() {
    let repo = thousands_of_files();
    let stack = index_and_compare(Backend::Sqlite, &repo).await;
    let stored = stored_commits(&stack).await;
    let big = stored.values().find(|c| c.summary == "Generate three thousand files").expect("the big commit");
    assert_eq!((big.files_changed, big.insertions, big.deletions), (Some(3000), Some(6000), Some(0)));
}
