//! Syncs in the less happy cases: servers that want credentials or serve web pages, the
//! git protocol, a clone cache that vanished or broke, a `.mailmap` that changed, repeated
//! sync requests, and deletion.

use std::process::Stdio;

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{GitRepo, bare_clone, git_command},
    git_server::GitHttpServer,
    processes::{Stack, free_port},
};
use serde_json::json;

/// The one bare clone in the stack's cache.
fn only_clone(stack: &Stack) -> std::path::PathBuf {
    let clones: Vec<_> =
        std::fs::read_dir(stack.clones_dir()).expect("clones dir").flatten().map(|e| e.path()).collect();
    assert_eq!(clones.len(), 1, "{clones:?}");
    clones[0].clone()
}

#[tokio::test]
async fn servers_that_want_credentials_or_serve_web_pages_fail_at_once_with_the_reason() {
    let served = tempfile::tempdir().expect("temp dir");
    let server = GitHttpServer::start(served.path().to_path_buf()).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = stack.start_web().await;
    let _worker = stack.start_worker();

    let (_, run) = web.add_and_sync(&server.url("private/secret.git")).await;
    assert_eq!((run["state"].as_str(), run["attempt"].as_i64()), (Some("failed"), Some(1)), "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("credentials"), "{run}");

    let (_, run) = web.add_and_sync(&server.url("html/page")).await;
    assert_eq!((run["state"].as_str(), run["attempt"].as_i64()), (Some("failed"), Some(1)), "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("Git repository"), "{run}");
}

#[tokio::test]
async fn repositories_are_fetched_over_the_git_protocol() {
    let repo = GitRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("Over git://");
    let served = tempfile::tempdir().expect("temp dir");
    bare_clone(&repo, &served.path().join("daemon.git"));
    let port = free_port();
    let mut daemon = tokio::process::Command::from(git_command())
        .arg("daemon")
        .arg("--reuseaddr")
        .arg("--export-all")
        .arg(format!("--base-path={}", served.path().display()))
        .arg("--listen=127.0.0.1")
        .arg(format!("--port={port}"))
        .arg(served.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("git daemon runs");
    gitdash_tests::eventually(20, "git daemon to listen", || async move {
        tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok().map(|_| ())
    })
    .await;

    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (_, run) = web.add_and_sync(&format!("git://127.0.0.1:{port}/daemon.git")).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["commits_added"], 1);
    let _ = daemon.kill().await;
}

#[tokio::test]
async fn a_lost_or_broken_clone_is_fetched_again() {
    let repo = GitRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("First");
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(repo.path().to_str().expect("utf-8")).await;
    assert_eq!(run["state"], "succeeded");
    let clone = only_clone(&stack);
    assert!(clone.is_dir(), "the worker keeps a bare clone");

    std::fs::remove_dir_all(&clone).expect("remove clone");
    repo.write("a.txt", "b\n");
    repo.commit("Second");
    let run = web.sync_and_wait(id).await;
    assert_eq!((run["state"].as_str(), run["commits_added"].as_i64()), (Some("succeeded"), Some(1)), "{run}");

    std::fs::remove_dir_all(&clone).expect("remove clone");
    std::fs::create_dir_all(&clone).expect("mkdir");
    std::fs::write(clone.join("HEAD"), "garbage").expect("corrupt");
    let run = web.sync_and_wait(id).await;
    assert_eq!((run["state"].as_str(), run["commits_added"].as_i64()), (Some("succeeded"), Some(0)), "{run}");
    let (_, repository) = web.get(&format!("/api/v1/repositories/{id}")).await;
    assert_eq!(repository["commit_count"], 2);
}

#[tokio::test]
async fn a_new_mailmap_is_applied_to_commits_already_indexed() {
    let repo = GitRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit_as(b"Jo", b"jo@old.example", b"As Jo");
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, _) = web.add_and_sync(repo.path().to_str().expect("utf-8")).await;

    repo.write(".mailmap", "Joanna Doe <joanna@example.org> <jo@old.example>\n");
    repo.commit_as(b"Joanna Doe", b"joanna@example.org", b"Add a mailmap");
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded");
    let (_, page) = web.get(&format!("/api/v1/repositories/{id}/commits")).await;
    for commit in page["commits"].as_array().expect("commits") {
        assert_eq!(commit["author_name"], "Joanna Doe", "{commit}");
        assert_eq!(commit["author_email"], "joanna@example.org", "{commit}");
    }
}

#[tokio::test]
async fn concurrent_sync_requests_share_one_pending_sync() {
    let repo = GitRepo::new();
    repo.commit("Only");
    let stack = Stack::new(TestDatabase::new(Backend::Postgres).await);
    let web = stack.start_web().await;
    let mut worker = stack.start_worker();
    let (id, run) = web.add_and_sync(repo.path().to_str().expect("utf-8")).await;
    assert_eq!(run["state"], "succeeded");
    // With no worker, a new sync stays queued while five requests race for it.
    worker.terminate().await;
    let path = format!("/api/v1/repositories/{id}/syncs");
    let requests: Vec<_> = (0..5)
        .map(|_| {
            let request = web.request(reqwest::Method::POST, &path);
            tokio::spawn(async move {
                let response = request.send().await.expect("request");
                (response.status().as_u16(), response.json::<serde_json::Value>().await.expect("JSON"))
            })
        })
        .collect();
    let mut ids = Vec::new();
    for request in requests {
        let (status, run) = request.await.expect("request task");
        assert_eq!(status, 202, "{run}");
        assert_eq!(run["state"], "queued");
        ids.push(run["id"].as_i64().expect("id"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one sync run for all five requests: {ids:?}");
    assert_ne!(Some(ids[0]), run["id"].as_i64(), "a new run, since the first had ended");
}

#[tokio::test]
async fn deleting_a_repository_removes_its_rows_and_the_worker_removes_its_clone() {
    let repo = GitRepo::new();
    repo.commit("Only");
    let stack = Stack::new(TestDatabase::new(Backend::Postgres).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(repo.path().to_str().expect("utf-8")).await;
    assert_eq!(run["state"], "succeeded");
    let clone = only_clone(&stack);
    assert!(clone.exists());
    assert_eq!(web.delete(&format!("/api/v1/repositories/{id}")).await, 204);
    gitdash_tests::eventually(10, "the clone to be removed", || {
        let gone = !clone.exists();
        async move { gone.then_some(()) }
    })
    .await;
    let (status, _) = web.get(&format!("/api/v1/syncs/{}", run["id"])).await;
    assert_eq!(status, 404, "its sync runs went with it");
    // The worker owns the clones: one that no repository names, left by a deleted
    // repository on another worker's watch, goes too; other files stay.
    let stray = stack.clones_dir().join("4242-example.org-gone.git");
    std::fs::create_dir_all(stray.join("objects")).expect("stray clone");
    let note = stack.clones_dir().join("README");
    std::fs::write(&note, "not a clone").expect("note");
    gitdash_tests::eventually(10, "the stray clone to be removed", || {
        let gone = !stray.exists();
        async move { gone.then_some(()) }
    })
    .await;
    assert!(note.exists(), "only clones are removed");
    let (status, body) = web.post_json("/api/v1/repositories", json!({ "url": repo.path() })).await;
    assert_eq!(status, 201, "it can be added again: {body}");
}

#[tokio::test]
async fn a_local_source_rewritten_and_garbage_collected_is_synced_again() {
    let repo = GitRepo::new();
    for i in 0..4 {
        repo.write("a.txt", format!("{i}\n"));
        repo.commit(&format!("Commit {i}"));
    }
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(repo.path().to_str().expect("utf-8")).await;
    assert_eq!(run["state"], "succeeded");

    // The clone borrows the source's objects; rewriting and pruning the source removes the
    // objects the clone's old references point to.
    repo.git(["reset", "-q", "--hard", "HEAD~3"]);
    repo.write("b.txt", "new\n");
    repo.commit("A new line of history");
    repo.git(["reflog", "expire", "--expire=now", "--all"]);
    repo.git(["gc", "-q", "--prune=now"]);

    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!((run["commits_added"].as_i64(), run["commits_removed"].as_i64()), (Some(1), Some(3)));
    let (_, page) = web.get(&format!("/api/v1/repositories/{id}/commits")).await;
    let listed: Vec<&str> =
        page["commits"].as_array().expect("commits").iter().filter_map(|c| c["sha"].as_str()).collect();
    let expected = repo.git(["rev-list", "HEAD"]);
    assert_eq!(listed, expected.lines().collect::<Vec<_>>());
}
