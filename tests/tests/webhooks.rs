//! Push webhooks: deliveries from GitHub, GitLab, Gitea, Forgejo and the generic form, with
//! their documented headers and payloads, are checked against the repository's secret and
//! request exactly the syncs they should; and a push to a repository served over HTTP shows
//! in the commits API without anyone asking for a sync.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    eventually,
    git_fixture::GitRepo,
    git_server::{Behaviour, GitHttpServer},
    processes::{Stack, Web},
};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn push(reference: &str) -> Vec<u8> {
    json!({ "ref": reference, "before": "0".repeat(40), "after": "1".repeat(40), "repository": { "name": "app" } })
        .to_string()
        .into_bytes()
}

/// POSTs a delivery with `headers`; returns the status and the message.
async fn deliver(web: &Web, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> (u16, String) {
    let mut request = web.client.post(url).header("content-type", "application/json").body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let answer = request.send().await.expect("delivered");
    let status = answer.status().as_u16();
    let body: Value = answer.json().await.unwrap_or_default();
    (status, body["message"].as_str().unwrap_or_default().to_owned())
}

async fn runs(stack: &Stack, repository: i64) -> i64 {
    use sea_orm::ConnectionTrait;
    let db = stack.database.connect().await;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM sync_runs WHERE repository_id = {repository}"),
        ))
        .await
        .expect("count")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

/// The sync run a delivery queued ("sync run 7 is queued"), waited for.
async fn wait_for_queued(web: &Web, message: &str) {
    let id: i64 = message
        .split_whitespace()
        .find_map(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no sync run in {message:?}"));
    assert_eq!(web.wait_for_sync(id, 60).await["state"], "succeeded");
}

async fn every_provider(backend: Backend) {
    let repo = GitRepo::new();
    repo.commit("First");
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded");
    let (status, issued) = web.post(&format!("/api/v1/repositories/{id}/webhook")).await;
    assert_eq!(status, 200, "{issued}");
    let (url, secret) =
        (issued["url"].as_str().expect("url").to_owned(), issued["secret"].as_str().expect("secret").to_owned());
    assert!(url.ends_with(&format!("/hooks/{id}")), "{url}");
    let (_, repository) = web.get(&format!("/api/v1/repositories/{id}")).await;
    assert!(!repository.to_string().contains(&secret), "the secret is shown once");
    let url = web.url(&format!("/hooks/{id}"));
    let before = runs(&stack, id).await;
    let mut expected = 0;

    let github = |event: &str, delivery: &str, body: &[u8], secret: &str| {
        vec![
            ("x-github-event", event.to_owned()),
            ("x-github-delivery", delivery.to_owned()),
            ("x-hub-signature-256", format!("sha256={}", sign(secret, body))),
        ]
    };
    let ping = br#"{"zen":"Keep it logically awesome.","hook_id":1}"#.to_vec();
    assert_eq!(deliver(&web, &url, &github("ping", "d-0", &ping, &secret), ping.clone()).await.0, 200, "ping");

    let main = push("refs/heads/main");
    let (status, message) = deliver(&web, &url, &github("push", "d-1", &main, &secret), main.clone()).await;
    assert_eq!(status, 202, "{message}");
    wait_for_queued(&web, &message).await;
    expected += 1;
    let (status, message) = deliver(&web, &url, &github("push", "d-1", &main, &secret), main.clone()).await;
    assert_eq!((status, message.contains("already received")), (200, true), "a redelivery: {message}");

    let wrong = github("push", "d-2", &main, "not-the-secret");
    assert_eq!(deliver(&web, &url, &wrong, main.clone()).await.0, 401, "wrong signature");
    let unsigned = vec![("x-github-event", "push".to_owned())];
    assert_eq!(deliver(&web, &url, &unsigned, main.clone()).await.0, 401, "no signature");

    let feature = push("refs/heads/feature");
    let (status, message) = deliver(&web, &url, &github("push", "d-3", &feature, &secret), feature.clone()).await;
    assert_eq!(status, 202);
    assert!(message.contains("another branch"), "{message}");

    let tag = push("refs/tags/v1.0");
    let (status, message) = deliver(&web, &url, &github("push", "d-4", &tag, &secret), tag.clone()).await;
    assert_eq!(status, 202, "a tag push: {message}");
    wait_for_queued(&web, &message).await;
    expected += 1;

    let gitlab = vec![
        ("x-gitlab-event", "Push Hook".to_owned()),
        ("x-gitlab-token", secret.clone()),
        ("x-gitlab-event-uuid", "g-1".to_owned()),
    ];
    let (status, message) = deliver(&web, &url, &gitlab, main.clone()).await;
    assert_eq!(status, 202, "GitLab: {message}");
    wait_for_queued(&web, &message).await;
    expected += 1;
    let gitlab_wrong = vec![("x-gitlab-event", "Push Hook".to_owned()), ("x-gitlab-token", "guess".to_owned())];
    assert_eq!(deliver(&web, &url, &gitlab_wrong, main.clone()).await.0, 401, "GitLab, wrong token");

    for (event, signature, delivery) in [
        ("x-gitea-event", "x-gitea-signature", "x-gitea-delivery"),
        ("x-forgejo-event", "x-forgejo-signature", "x-forgejo-delivery"),
    ] {
        let headers = vec![
            (event, "push".to_owned()),
            (signature, sign(&secret, &main)),
            (delivery, format!("{event}-1")),
            // Gitea and Forgejo send GitHub's event header too.
            ("x-github-event", "push".to_owned()),
        ];
        let (status, message) = deliver(&web, &url, &headers, main.clone()).await;
        assert_eq!(status, 202, "{event}: {message}");
        wait_for_queued(&web, &message).await;
        expected += 1;
    }

    let generic = vec![("x-gitdash-signature", format!("sha256={}", sign(&secret, &main)))];
    let (status, message) = deliver(&web, &url, &generic, main.clone()).await;
    assert_eq!(status, 202, "generic: {message}");
    wait_for_queued(&web, &message).await;
    expected += 1;

    let huge = vec![b' '; 1024 * 1024 + 1];
    assert_eq!(deliver(&web, &url, &github("push", "d-5", &huge, &secret), huge).await.0, 413, "oversized");

    let (_, renewed) = web.post(&format!("/api/v1/repositories/{id}/webhook")).await;
    assert_ne!(renewed["secret"], issued["secret"]);
    assert_eq!(
        deliver(&web, &url, &github("push", "d-6", &main, &secret), main.clone()).await.0,
        401,
        "the old secret"
    );

    assert_eq!(runs(&stack, id).await - before, expected, "exactly one sync per accepted push");
}

#[tokio::test]
async fn deliveries_of_every_provider_request_exactly_the_syncs_they_should_on_sqlite() {
    every_provider(Backend::Sqlite).await;
}

#[tokio::test]
async fn deliveries_of_every_provider_request_exactly_the_syncs_they_should_on_postgresql() {
    every_provider(Backend::Postgres).await;
}

#[tokio::test]
async fn a_push_shows_in_the_commits_api_after_its_webhook_without_a_manual_sync() {
    let root = tempfile::tempdir().expect("server root");
    let work = GitRepo::new();
    work.commit("Before the push");
    let bare = root.path().join("app.git");
    let status = std::process::Command::new("git").args(["clone", "-q", "--bare"]).arg(work.path()).arg(&bare).status();
    assert!(status.expect("git").success());
    let server = GitHttpServer::start_with(root.path().to_path_buf(), 0, Behaviour::default()).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(server.url("app.git")).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let (_, issued) = web.post(&format!("/api/v1/repositories/{id}/webhook")).await;
    let secret = issued["secret"].as_str().expect("secret").to_owned();

    let pushed = work.commit("Pushed and announced");
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(work.path())
        .args(["push", "-q"])
        .arg(&bare)
        .arg("main")
        .status();
    assert!(status.expect("git push").success());
    let body = push("refs/heads/main");
    let headers = vec![
        ("x-github-event", "push".to_owned()),
        ("x-github-delivery", "e2e-1".to_owned()),
        ("x-hub-signature-256", format!("sha256={}", sign(&secret, &body))),
    ];
    let (status, message) = deliver(&web, &web.url(&format!("/hooks/{id}")), &headers, body).await;
    assert_eq!(status, 202, "{message}");
    eventually(60, "the pushed commit in the commits API", || async {
        let (_, page) = web.get(&format!("/api/v1/repositories/{id}/commits?limit=1")).await;
        (page["commits"][0]["sha"] == pushed.as_str()).then_some(())
    })
    .await;
}
