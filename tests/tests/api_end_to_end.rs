//! The whole pipeline as a user drives it: `gitdash-web` and `gitdash-worker` running as
//! processes, a repository added through the API, its sync followed to the end, its commits
//! read back; then one new commit, and a second sync that adds exactly that one.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::{Stack, Web},
};
use serde_json::json;

/// Reads every commit of a repository through the API, following the cursor.
async fn all_commit_shas(web: &Web, repository: i64) -> Vec<String> {
    let mut shas = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/repositories/{repository}/commits?limit=2&cursor={c}"),
            None => format!("/api/v1/repositories/{repository}/commits?limit=2"),
        };
        let (status, page) = web.get(&path).await;
        assert_eq!(status, 200, "{page}");
        for commit in page["commits"].as_array().expect("commits") {
            shas.push(commit["sha"].as_str().expect("sha").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return shas,
        }
    }
}

async fn add_sync_read_then_sync_one_more(backend: Backend) {
    let repo = GitRepo::new();
    for i in 0..5 {
        repo.write("notes.txt", format!("{i}\n"));
        repo.commit(&format!("Note {i}"));
    }
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();

    let (status, repository) = web.post_json("/api/v1/repositories", json!({ "url": repo.path() })).await;
    assert_eq!(status, 201, "{repository}");
    let id = repository["id"].as_i64().expect("id");
    // A worker may claim the run before the answer is written.
    let state = repository["latest_sync"]["state"].as_str().unwrap_or_default();
    assert!(["queued", "running", "succeeded"].contains(&state), "a sync is asked for: {repository}");
    let run = web.wait_for_sync(repository["latest_sync"]["id"].as_i64().expect("run id"), 60).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["commits_added"], 5);

    let (_, repository) = web.get(&format!("/api/v1/repositories/{id}")).await;
    assert_eq!(repository["commit_count"], 5);
    assert_eq!(repository["head_sha"], repo.head().as_str());
    assert_eq!(repository["default_branch"], "main");
    let listed = all_commit_shas(&web, id).await;
    let expected: Vec<String> = repo.git(["rev-list", "HEAD"]).lines().map(str::to_owned).collect();
    assert_eq!(listed, expected, "newest first, every commit once, across pages");

    repo.write("notes.txt", "one more\n");
    let new_sha = repo.commit("One more note");
    let (status, run) = web.post("/api/v1/repositories/{id}/syncs".replace("{id}", &id.to_string()).as_str()).await;
    assert_eq!(status, 202, "{run}");
    let run = web.wait_for_sync(run["id"].as_i64().expect("run id"), 60).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["commits_added"], 1, "only the new commit is indexed");
    let (_, page) = web.get(&format!("/api/v1/repositories/{id}/commits?limit=1")).await;
    assert_eq!(page["commits"][0]["sha"], new_sha.as_str());
    assert_eq!(page["commits"][0]["insertions"], 1);
    assert_eq!(page["commits"][0]["deletions"], 1);
}

#[tokio::test]
async fn a_repository_added_through_the_api_is_synced_and_resynced_on_sqlite() {
    add_sync_read_then_sync_one_more(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_repository_added_through_the_api_is_synced_and_resynced_on_postgres() {
    add_sync_read_then_sync_one_more(Backend::Postgres).await;
}

#[tokio::test]
async fn commits_can_be_searched_by_message_sha_prefix_author_and_date() {
    let repo = GitRepo::new();
    repo.write("a", "1\n");
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"Fix the compiler");
    repo.write("a", "2\n");
    let target = repo.commit_as(b"Alan Turing", b"alan@example.org", b"Add a machine");
    repo.write("a", "3\n");
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"fix 100% of the bugs");
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let output = stack.index(repo.path().to_str().expect("utf-8")).await;
    assert!(output.status.success());
    let web = stack.start_web().await;

    let summaries = |page: &serde_json::Value| -> Vec<String> {
        page["commits"]
            .as_array()
            .expect("commits")
            .iter()
            .map(|c| c["summary"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let (_, page) = web.get("/api/v1/repositories/1/commits?q=FIX").await;
    assert_eq!(summaries(&page), ["fix 100% of the bugs", "Fix the compiler"], "case-insensitive message search");
    let (_, page) = web.get("/api/v1/repositories/1/commits?q=100%25").await;
    assert_eq!(summaries(&page), ["fix 100% of the bugs"], "% is matched literally");
    let (_, page) = web.get(&format!("/api/v1/repositories/1/commits?q={}", &target[..7])).await;
    assert_eq!(summaries(&page), ["Add a machine"], "sha prefix");
    let (_, page) = web.get("/api/v1/repositories/1/commits?author=alan@").await;
    assert_eq!(summaries(&page), ["Add a machine"]);
    // The fixture's commits are one minute apart: 22:14:20, 22:15:20 and 22:16:20 UTC.
    let (_, page) =
        web.get("/api/v1/repositories/1/commits?since=2023-11-14T22:15:00Z&until=2023-11-14T22:15:30Z").await;
    assert_eq!(summaries(&page), ["Add a machine"], "date range on commit time");
}

#[tokio::test]
async fn bad_requests_get_json_errors_and_never_a_500() {
    let repo = GitRepo::new();
    repo.commit("Only commit");
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;

    let (status, body) = web.post_json("/api/v1/repositories", json!({ "url": repo.path() })).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().expect("id");
    let with_slash = format!("{}/", repo.path().display());
    let (status, body) = web.post_json("/api/v1/repositories", json!({ "url": with_slash })).await;
    assert_eq!((status, body["id"].as_i64()), (409, Some(id)), "the same repository, written differently");

    for (url, reason) in [
        ("ext::sh -c touch% /tmp/owned", "transport"),
        ("ssh://git@example.org/repo.git", "needs a deploy key"),
        ("http://169.254.169.254/latest/meta-data", "private networks"),
        ("https://user:secret@example.org/repo.git", "credentials"),
        ("not a url", "spaces"),
    ] {
        let (status, body) = web.post_json("/api/v1/repositories", json!({ "url": url })).await;
        assert_eq!(status, 422, "{url}: {body}");
        assert!(body["message"].as_str().unwrap_or_default().contains(reason), "{url}: {body}");
        assert!(!body["message"].as_str().unwrap_or_default().contains("secret"), "credentials are not echoed");
    }

    let malformed = web
        .request(reqwest::Method::POST, "/api/v1/repositories")
        .header("content-type", "application/json")
        .body("{\"url\":")
        .send()
        .await
        .expect("request");
    assert_eq!(malformed.status().as_u16(), 400);
    let body: serde_json::Value = malformed.json().await.expect("JSON error body");
    assert!(body["message"].is_string());

    for (path, expected) in [
        ("/api/v1/repositories/999", 404),
        ("/api/v1/syncs/999", 404),
        ("/api/v1/repositories/999/commits", 404),
        ("/api/v1/repositories/abc", 400),
        ("/api/v1/nowhere", 404),
        // The document bounds `limit` to 1..=500, so a value outside fails the schema: 400.
        (&format!("/api/v1/repositories/{id}/commits?limit=0"), 400),
        (&format!("/api/v1/repositories/{id}/commits?limit=100000"), 400),
        (&format!("/api/v1/repositories/{id}/commits?cursor=forged"), 422),
        (&format!("/api/v1/repositories/{id}/commits?since=yesterday"), 400),
        (&format!("/api/v1/repositories/{id}/commits?since=2024-02-01T00:00:00Z&until=2024-01-01T00:00:00Z"), 422),
    ] {
        let (status, body) = web.get(path).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(body["message"].is_string(), "{path} answers JSON with a message: {body}");
    }
    assert_eq!(web.delete("/api/v1/repositories/999").await, 404);
    assert_eq!(web.delete(&format!("/api/v1/repositories/{id}")).await, 204);
    let (status, _) = web.get(&format!("/api/v1/repositories/{id}")).await;
    assert_eq!(status, 404, "deleted");

    let (status, spec) = web.get("/openapi.json").await;
    assert_eq!(status, 200);
    assert!(spec["paths"]["/repositories/{id}/commits"]["get"].is_object(), "the spec documents the commits endpoint");
    assert_eq!(spec["servers"][0]["url"], "/api/v1");
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object(), "the spec documents Bearer tokens");
}

async fn the_list_shows_each_repositorys_commit_count_and_latest_sync(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (three, five) =
        (gitdash_tests::git_fixture::generated_history(3), gitdash_tests::git_fixture::generated_history(5));
    let (three_id, _) = web.add_and_sync(three.path()).await;
    let (five_id, first) = web.add_and_sync(five.path()).await;
    let second = web.sync_and_wait(five_id).await;
    assert_ne!(first["id"], second["id"]);

    let (status, list) = web.get("/api/v1/repositories").await;
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    let find = |id: i64| list.iter().find(|r| r["id"] == id).expect("listed");
    assert_eq!(find(three_id)["commit_count"], 3);
    assert_eq!(find(five_id)["commit_count"], 5);
    assert_eq!(find(five_id)["latest_sync"]["id"], second["id"], "the latest of its two syncs");
    assert_eq!(find(three_id)["latest_sync"]["state"], "succeeded");
}

#[tokio::test]
async fn the_list_shows_counts_and_latest_syncs_on_sqlite() {
    the_list_shows_each_repositorys_commit_count_and_latest_sync(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_list_shows_counts_and_latest_syncs_on_postgres() {
    the_list_shows_each_repositorys_commit_count_and_latest_sync(Backend::Postgres).await;
}
