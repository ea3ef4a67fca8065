//! The index keeps the files each commit changed: one row per path of every non-merge
//! commit, with the lines `git log --numstat --no-renames` reports (binary files with none),
//! on SQLite and PostgreSQL; rows go with their commits after a force push, and a
//! repository indexed before file rows existed gets them at its next sync.

use std::collections::BTreeMap;

use gitdash_shared::entities::{commit, commit_file, path, repository};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{GitRepo, git_files},
    processes::Stack,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

type Files = BTreeMap<String, BTreeMap<String, Option<(i64, i64)>>>;

/// Renames, binary files, a file moved between folders, vendored and generated paths, a
/// mode-only change, a symbolic link, a submodule and a name git would quote.
fn history_of_files() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("README.md", "# Title\n\nSome text.\n");
    repo.write("src/main.rs", "use std::io;\n\nfn main() {\n    println!(\"hi\");\n}\n");
    repo.write("src/util/strings.rs", "pub fn a() {}\n");
    repo.commit("Initial commit");

    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR binary bytes");
    repo.write("node_modules/left-pad/index.js", "module.exports = 1;\n");
    repo.write("Cargo.lock", "# generated\nversion = 3\n");
    repo.write("docs/naïve notes.txt", "quoted by git\n");
    repo.commit("Add a binary file, vendored code, a lock file and an odd name");

    repo.git(["rm", "-q", "src/util/strings.rs"]);
    repo.write("lib/strings.rs", "pub fn a() {}\npub fn b() {}\n");
    repo.commit("Move a file to another folder and change it");

    repo.git(["mv", "README.md", "GUIDE.md"]);
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR other bytes");
    repo.commit("Rename a file and change the binary one");

    repo.git(["update-index", "--chmod=+x", "src/main.rs"]);
    repo.commit("Make a file executable");

    std::os::unix::fs::symlink("GUIDE.md", repo.path().join("link")).expect("symlink");
    repo.commit("Add a symbolic link");

    repo.git(["checkout", "-q", "-b", "feature"]);
    repo.write("feature.txt", "feature work\n");
    repo.commit("Feature work");
    repo.git(["checkout", "-q", "main"]);
    repo.write("src/main.rs", "use std::io;\n\nfn main() {\n    println!(\"hello\");\n}\n");
    repo.commit("Main work");
    repo.merge("feature");

    let gitlink = repo.git(["rev-parse", "HEAD~1"]);
    repo.git(["update-index", "--add", "--cacheinfo", &format!("160000,{},vendor/sub", gitlink.trim())]);
    repo.commit("Add a submodule entry");
    repo
}

/// Every stored commit's files, as `git_files` lists them (commits without rows included,
/// with none).
async fn stored_files(db: &impl ConnectionTrait) -> Files {
    let paths: BTreeMap<i64, String> =
        path::Entity::find().all(db).await.expect("paths").into_iter().map(|p| (p.id, p.path)).collect();
    let mut files: Files = commit::Entity::find()
        .filter(commit::Column::ParentCount.lte(1))
        .all(db)
        .await
        .expect("commits")
        .into_iter()
        .map(|c| (c.id.to_string(), BTreeMap::new()))
        .collect();
    for row in commit_file::Entity::find().all(db).await.expect("file rows") {
        let lines = row.insertions.zip(row.deletions);
        files.entry(row.commit_id.to_string()).or_default().insert(paths[&row.path_id].clone(), lines);
    }
    let shas: BTreeMap<String, String> =
        commit::Entity::find().all(db).await.expect("commits").into_iter().map(|c| (c.id.to_string(), c.sha)).collect();
    files.into_iter().map(|(id, files)| (shas[&id].clone(), files)).collect()
}

async fn index(stack: &Stack, repo: &GitRepo) {
    let output = stack.index(repo.path().to_str().expect("utf-8 path")).await;
    assert!(output.status.success(), "index failed: {}", String::from_utf8_lossy(&output.stderr));
}

async fn file_rows_equal_git_log_numstat(backend: Backend) {
    let repo = history_of_files();
    let stack = Stack::new(TestDatabase::new(backend).await);
    index(&stack, &repo).await;
    let db = stack.database.connect().await;
    let expected = git_files(repo.path());
    assert_eq!(stored_files(&db).await, expected, "every commit's files as git log --numstat shows them");

    let kinds: BTreeMap<String, (Option<String>, bool)> = path::Entity::find()
        .all(&db)
        .await
        .expect("paths")
        .into_iter()
        .map(|p| (p.path, (p.language, p.vendored)))
        .collect();
    assert_eq!(kinds["src/main.rs"], (Some("Rust".into()), false));
    assert_eq!(kinds["GUIDE.md"], (Some("Markdown".into()), false));
    assert_eq!(kinds["node_modules/left-pad/index.js"], (Some("JavaScript".into()), true), "vendored");
    assert!(kinds["Cargo.lock"].1, "a lock file is generated");
    let moved = path::Entity::find().filter(path::Column::Path.eq("lib/strings.rs")).one(&db).await.expect("query");
    let moved = moved.expect("the moved file has a path row");
    assert_eq!(
        (moved.folder.as_str(), moved.top_folder.as_str(), moved.extension.as_deref()),
        ("lib", "lib", Some("rs"))
    );

    // A force push: the last two commits are replaced by another one.
    repo.git(["reset", "-q", "--hard", "HEAD~2"]);
    repo.write("other.txt", "instead\n");
    repo.commit("Instead of the merge");
    index(&stack, &repo).await;
    assert_eq!(stored_files(&db).await, git_files(repo.path()), "the rewritten commits' files went with them");
}

#[tokio::test]
async fn file_rows_equal_git_log_numstat_on_sqlite() {
    file_rows_equal_git_log_numstat(Backend::Sqlite).await;
}

#[tokio::test]
async fn file_rows_equal_git_log_numstat_on_postgres() {
    file_rows_equal_git_log_numstat(Backend::Postgres).await;
}

async fn a_repository_indexed_before_file_rows_gets_them_at_its_next_sync(backend: Backend) {
    let repo = history_of_files();
    let stack = Stack::new(TestDatabase::new(backend).await);
    index(&stack, &repo).await;
    let db = stack.database.connect().await;
    // What the file-rows migration leaves behind on an older installation: commits without
    // file rows, and no indexed head.
    commit_file::Entity::delete_many().exec(&db).await.expect("delete file rows");
    path::Entity::delete_many().exec(&db).await.expect("delete paths");
    repository::Entity::update_many()
        .set(repository::ActiveModel { indexed_head: Set(None), ..Default::default() })
        .exec(&db)
        .await
        .expect("clear the indexed head");

    index(&stack, &repo).await;
    assert_eq!(stored_files(&db).await, git_files(repo.path()), "the next sync filled every commit's files in");
}

#[tokio::test]
async fn an_older_repository_gets_its_file_rows_at_its_next_sync_on_sqlite() {
    a_repository_indexed_before_file_rows_gets_them_at_its_next_sync(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_older_repository_gets_its_file_rows_at_its_next_sync_on_postgres() {
    a_repository_indexed_before_file_rows_gets_them_at_its_next_sync(Backend::Postgres).await;
}
