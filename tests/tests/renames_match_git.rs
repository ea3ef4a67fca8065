//! The index keeps the files each commit renamed, paired as `git log -M` pairs them (a
//! moved file, a renamed and edited one, a binary one; a deleted file and an unrelated new
//! one are no rename), on SQLite and PostgreSQL; they go with their commits after a force
//! push, and a repository indexed before renames were kept gets them at its next sync.

use std::collections::BTreeMap;

use gitdash_shared::entities::{commit, commit_rename, path, repository};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{GitRepo, git_renames, history_with_renames},
    processes::Stack,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

/// Every stored rename: (sha, former path, new path), sorted.
pub async fn stored_renames(db: &impl ConnectionTrait) -> Vec<(String, String, String)> {
    let paths: BTreeMap<i64, String> =
        path::Entity::find().all(db).await.expect("paths").into_iter().map(|p| (p.id, p.path)).collect();
    let shas: BTreeMap<i64, String> =
        commit::Entity::find().all(db).await.expect("commits").into_iter().map(|c| (c.id, c.sha)).collect();
    let mut renames: Vec<(String, String, String)> = commit_rename::Entity::find()
        .all(db)
        .await
        .expect("renames")
        .into_iter()
        .map(|r| (shas[&r.commit_id].clone(), paths[&r.from_path_id].clone(), paths[&r.to_path_id].clone()))
        .collect();
    renames.sort();
    renames
}

async fn index(stack: &Stack, repo: &GitRepo) {
    let output = stack.index(repo.path().to_str().expect("utf-8 path")).await;
    assert!(output.status.success(), "index failed: {}", String::from_utf8_lossy(&output.stderr));
}

async fn renames_equal_git_log_find_renames(backend: Backend) {
    let repo = history_with_renames();
    let stack = Stack::new(TestDatabase::new(backend).await);
    index(&stack, &repo).await;
    let db = stack.database.connect().await;
    let expected = git_renames(repo.path());
    let moves: Vec<(&str, &str)> = expected.iter().map(|(_, from, to)| (from.as_str(), to.as_str())).collect();
    assert_eq!(moves.len(), 3, "git itself finds the three renames: {moves:?}");
    assert_eq!(stored_renames(&db).await, expected, "every rename as git log -M --name-status pairs them");

    // A force push removes the commit that renamed the parser and the logo.
    repo.git(["reset", "-q", "--hard", "HEAD~3"]);
    repo.write("README.md", "instead\n");
    repo.commit("Instead of the renames");
    index(&stack, &repo).await;
    let left = stored_renames(&db).await;
    assert_eq!(left, git_renames(repo.path()), "the rewritten commits' renames went with them");
    assert_eq!(left.len(), 1, "the first move stays: {left:?}");
}

#[tokio::test]
async fn renames_equal_git_log_find_renames_on_sqlite() {
    renames_equal_git_log_find_renames(Backend::Sqlite).await;
}

#[tokio::test]
async fn renames_equal_git_log_find_renames_on_postgres() {
    renames_equal_git_log_find_renames(Backend::Postgres).await;
}

async fn a_repository_indexed_before_renames_gets_them_at_its_next_sync(backend: Backend) {
    let repo = history_with_renames();
    let stack = Stack::new(TestDatabase::new(backend).await);
    index(&stack, &repo).await;
    let db = stack.database.connect().await;
    // What the renames migration leaves behind on an older installation.
    commit_rename::Entity::delete_many().exec(&db).await.expect("delete renames");
    repository::Entity::update_many()
        .set(repository::ActiveModel { indexed_head: Set(None), renames_filled: Set(false), ..Default::default() })
        .exec(&db)
        .await
        .expect("mark the repository as older");

    index(&stack, &repo).await;
    assert_eq!(stored_renames(&db).await, git_renames(repo.path()), "the next sync filled every rename in");
    let filled = repository::Entity::find().one(&db).await.expect("query").expect("the repository");
    assert!(filled.renames_filled, "and says so, so the next sync does not read them again");
}

#[tokio::test]
async fn an_older_repository_gets_its_renames_at_its_next_sync_on_sqlite() {
    a_repository_indexed_before_renames_gets_them_at_its_next_sync(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_older_repository_gets_its_renames_at_its_next_sync_on_postgres() {
    a_repository_indexed_before_renames_gets_them_at_its_next_sync(Backend::Postgres).await;
}
