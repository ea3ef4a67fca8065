//! The Repositories page's actions: sync now, delete after a confirmation (only for the
//! person who added the repository or an admin), and the live progress script it loads.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    eventually,
    git_fixture::GitRepo,
    idp::{Browser, signed_in},
    processes::{Stack, Web},
};

async fn page(browser: &Browser, web: &Web, path: &str) -> (u16, String) {
    let response = browser.client.get(web.url(path)).send().await.expect("page");
    (response.status().as_u16(), response.text().await.expect("html"))
}

async fn post(browser: &Browser, web: &Web, path: &str, token: &str) -> u16 {
    let response = browser.client.post(web.url(path)).form(&[("csrf_token", token)]).send().await.expect("post");
    response.status().as_u16()
}

async fn commit_count(browser: &Browser, web: &Web, id: i64) -> i64 {
    let response = browser.client.get(web.url(&format!("/api/v1/repositories/{id}"))).send().await.expect("api");
    let repository: serde_json::Value = response.json().await.expect("json");
    if repository["latest_sync"]["state"] == "succeeded" {
        repository["commit_count"].as_i64().unwrap_or(-1)
    } else {
        -1
    }
}

#[tokio::test]
async fn sync_now_fetches_new_commits_and_only_the_owner_may_delete() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::with_one_commit();
    let alice = signed_in(&web.base, "alice").await;
    let alice_token = alice.csrf_token(&web.base).await;
    let path = repo.path().to_str().expect("utf-8").to_owned();
    let added = alice
        .client
        .post(web.url("/repositories"))
        .form(&[("csrf_token", alice_token.as_str()), ("url", path.as_str())])
        .send()
        .await
        .expect("add");
    assert_eq!(added.status().as_u16(), 303);
    let (_, listed) = page(&alice, &web, "/repositories").await;
    let id: i64 = listed
        .split("data-repository=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|id| id.parse().ok())
        .expect("a row with the repository's id");
    assert!(listed.contains("<script src=\"/static/live.js\""), "the page loads the live progress script");
    eventually(60, "the first sync", || async { (commit_count(&alice, &web, id).await == 1).then_some(()) }).await;

    repo.write("b.txt", "b\n");
    repo.commit("Second");
    assert_eq!(post(&alice, &web, &format!("/repositories/{id}/sync"), &alice_token).await, 303);
    eventually(60, "the sync asked for", || async { (commit_count(&alice, &web, id).await == 2).then_some(()) }).await;
    let (_, listed) = page(&alice, &web, "/repositories").await;
    assert!(listed.contains("<td class=\"num\" data-field=\"commits\">2</td>"), "{listed}");
    assert!(listed.contains("synced: +1 −0 commits"), "{listed}");
    assert_eq!(post(&alice, &web, &format!("/repositories/{id}/sync"), "forged").await, 403, "CSRF-protected");

    let bob = signed_in(&web.base, "bob").await;
    let bob_token = bob.csrf_token(&web.base).await;
    let (_, bobs_view) = page(&bob, &web, "/repositories").await;
    assert!(bobs_view.contains("Sync now") && !bobs_view.contains("Delete…"), "Bob may sync, not delete");
    assert_eq!(page(&bob, &web, &format!("/repositories/{id}/delete")).await.0, 403);
    assert_eq!(post(&bob, &web, &format!("/repositories/{id}/delete"), &bob_token).await, 403);

    let (status, confirm) = page(&alice, &web, &format!("/repositories/{id}/delete")).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("its 2 indexed commits"), "the page says what goes: {confirm}");
    assert_eq!(post(&alice, &web, &format!("/repositories/{id}/delete"), "forged").await, 403);
    assert_eq!(post(&alice, &web, &format!("/repositories/{id}/delete"), &alice_token).await, 303);
    assert!(page(&alice, &web, "/repositories").await.1.contains("Add your first one now"));
    assert_eq!(page(&alice, &web, &format!("/repositories/{id}")).await.0, 404);
}

#[tokio::test]
async fn the_live_progress_script_is_a_file_under_a_policy_that_forbids_inline_script() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let response = reqwest::get(web.url("/static/live.js")).await.expect("script");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("ascii").to_owned();
    assert!(content_type.starts_with("text/javascript"), "{content_type}");
    let script = response.text().await.expect("text");
    assert!(script.contains("/api/v1/repositories") && script.contains("textContent"), "it polls the API, writes text");
    assert!(!script.contains("innerHTML"), "never HTML from the server");

    let alice = signed_in(&web.base, "alice").await;
    let response = alice.client.get(web.url("/repositories")).send().await.expect("page");
    let policy = response.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{policy}");
    let html = response.text().await.expect("html");
    assert!(!html.contains("<script>"), "no inline script on the page");
}
