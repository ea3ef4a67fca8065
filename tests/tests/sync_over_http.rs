//! Repositories fetched over Git's smart HTTP protocol, served locally by the real
//! `git http-backend`: a first sync, a force push that rewrites history, a repository that
//! does not exist, a server that is down for a while, and the private-network guard.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{GitRepo, bare_clone, git_command},
    git_server::GitHttpServer,
    processes::{Stack, Web, free_port},
};
use serde_json::json;

async fn indexed_shas(web: &Web, id: i64) -> Vec<String> {
    let (_, page) = web.get(&format!("/api/v1/repositories/{id}/commits?limit=500")).await;
    let mut shas: Vec<String> = page["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["sha"].as_str().unwrap_or_default().to_owned())
        .collect();
    shas.sort();
    shas
}

fn rev_list(bare: &std::path::Path) -> Vec<String> {
    let output = git_command().arg("--git-dir").arg(bare).args(["rev-list", "HEAD"]).output().expect("git");
    let mut shas: Vec<String> = String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect();
    shas.sort();
    shas
}

#[tokio::test]
async fn a_force_push_over_http_leaves_exactly_the_reachable_commits() {
    let repo = GitRepo::new();
    for i in 0..6 {
        repo.write("file.txt", format!("version {i}\n"));
        repo.commit(&format!("Version {i}"));
    }
    let served = tempfile::tempdir().expect("temp dir");
    let bare = bare_clone(&repo, &served.path().join("project.git"));
    let server = GitHttpServer::start(served.path().to_path_buf()).await;

    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(&server.url("project.git")).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(indexed_shas(&web, id).await, rev_list(&bare));

    // Rewrite the last two commits and force-push the result.
    repo.git(["reset", "-q", "--hard", "HEAD~2"]);
    repo.write("file.txt", "rewritten\n");
    repo.commit("Rewritten history");
    let push = git_command()
        .current_dir(repo.path())
        .arg("push")
        .arg("-q")
        .arg("--force")
        .arg(&bare)
        .arg("main")
        .status()
        .expect("push");
    assert!(push.success());

    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!((run["commits_added"].as_i64(), run["commits_removed"].as_i64()), (Some(1), Some(2)));
    assert_eq!(indexed_shas(&web, id).await, rev_list(&bare), "the indexed set equals git rev-list HEAD");
}

#[tokio::test]
async fn a_missing_repository_fails_at_once_with_a_reason() {
    let served = tempfile::tempdir().expect("temp dir");
    let server = GitHttpServer::start(served.path().to_path_buf()).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (_, run) = web.add_and_sync(&server.url("nothing-here.git")).await;
    assert_eq!(run["state"], "failed");
    assert_eq!(run["attempt"], 1, "a permanent failure is not retried");
    assert!(run["error"].as_str().unwrap_or_default().contains("not found"), "{run}");
}

#[tokio::test]
async fn a_server_that_is_down_is_retried_until_it_answers() {
    let repo = GitRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("First");
    let served = tempfile::tempdir().expect("temp dir");
    bare_clone(&repo, &served.path().join("later.git"));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/later.git");

    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (status, repository) = web.post_json("/api/v1/repositories", json!({ "url": url })).await;
    assert_eq!(status, 201, "{repository}");
    let run_id = repository["latest_sync"]["id"].as_i64().expect("run");
    // The first attempt meets a closed port and goes back to the queue with the reason.
    let waiting = gitdash_tests::eventually(30, "the first attempt to fail", || async {
        let (_, run) = web.get(&format!("/api/v1/syncs/{run_id}")).await;
        (run["state"] == "queued" && run["attempt"] == 1 && run["error"].is_string()).then_some(run)
    })
    .await;
    assert!(waiting["error"].as_str().unwrap_or_default().contains("network"), "{waiting}");

    let _server = GitHttpServer::start_on(served.path().to_path_buf(), port).await;
    let run = web.wait_for_sync(run_id, 60).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["attempt"], 2);
    assert_eq!(run["commits_added"], 1);
}

#[tokio::test]
async fn loopback_servers_are_refused_unless_private_networks_are_allowed() {
    let served = tempfile::tempdir().expect("temp dir");
    let server = GitHttpServer::start(served.path().to_path_buf()).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let (status, body) = web.post_json("/api/v1/repositories", json!({ "url": server.url("x.git") })).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap_or_default().contains("GITDASH_ALLOW_PRIVATE_NETWORKS"), "{body}");
}

#[tokio::test]
async fn the_worker_checks_the_address_again_where_it_connects() {
    // The web accepted the URL under a lenient setting; the worker, which makes the
    // connection, runs under the default one and refuses it.
    let served = tempfile::tempdir().expect("temp dir");
    let server = GitHttpServer::start(served.path().to_path_buf()).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = stack.start_web().await;
    let _worker = stack.start_worker_with_env(&[("GITDASH_ALLOW_PRIVATE_NETWORKS", "false")]);
    let (_, run) = web.add_and_sync(server.url("x.git")).await;
    assert_eq!((run["state"].as_str(), run["attempt"].as_i64()), (Some("failed"), Some(1)), "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("refused"), "{run}");
}
