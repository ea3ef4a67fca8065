//! Private repositories: a repository served by `git http-backend` behind HTTP basic auth is
//! added with an access token that gitdash checks at once, stores sealed, hands to the fetch
//! for that host only, and shows to nobody — not in the database's bytes, the clone, the
//! logs, the API, the pages or the metrics.

use std::path::Path;

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    git_server::{Behaviour, GitHttpServer},
    idp::signed_in,
    processes::Stack,
};
use sea_orm::ConnectionTrait;
use serde_json::json;

const TOKEN: &str = "glpat-S3cr3tT0k3nThatMustNeverShow";
const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// A bare repository with three commits under `root/name`, as a server would hold it.
fn served_repository(root: &Path, name: &str) -> GitRepo {
    let repo = GitRepo::new();
    for i in 0..3 {
        repo.write("notes.txt", format!("{i}\n"));
        repo.commit(&format!("Private change {i}"));
    }
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(repo.path())
        .arg(root.join(name))
        .status()
        .expect("git clone");
    assert!(status.success());
    repo
}

/// The first sync run of a repository the API just added.
fn first_sync(added: &serde_json::Value) -> i64 {
    added["latest_sync"]["id"].as_i64().unwrap_or_else(|| panic!("no first sync in {added}"))
}

fn stack(database: TestDatabase) -> Stack {
    Stack::new(database)
        .allowing_private_networks()
        .with_env("GITDASH_CREDENTIALS_KEY", KEY)
        .with_env("RUST_LOG", "debug")
}

/// Every file under `dir`, read as bytes, holds no `needle`.
fn nowhere_under(dir: &Path, needle: &str) {
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            nowhere_under(&path, needle);
        } else if let Ok(bytes) = std::fs::read(&path) {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "the token is in {}", path.display());
        }
    }
}

async fn private_repository_round_trip(backend: Backend) {
    let root = tempfile::tempdir().expect("server root");
    served_repository(root.path(), "team/app.git");
    let behaviour = Behaviour::requiring("git", TOKEN);
    let server = GitHttpServer::start_with(root.path().to_path_buf(), 0, behaviour.clone()).await;
    let url = server.url("team/app.git");
    let stack = stack(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let mut worker = stack.start_worker();

    let wrong = json!({ "url": url, "credential": { "kind": "token", "secret": "glpat-wrong" } });
    let (status, body) = web.post_json("/api/v1/repositories", wrong).await;
    assert_eq!(status, 422, "a wrong token is refused when given: {body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("credential was refused"), "{body}");
    assert_eq!(web.get("/api/v1/repositories").await.1, json!([]), "nothing was added");

    let (status, body) = web.post_json("/api/v1/repositories", json!({ "url": url })).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().expect("id");
    let run = web.wait_for_sync(first_sync(&body), 60).await;
    assert_eq!((run["state"].as_str(), run["attempt"].as_i64()), (Some("failed"), Some(1)), "at once: {run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("needs a credential"), "{run}");

    let token = json!({ "kind": "token", "secret": TOKEN });
    let (status, credential) = web.put_json(&format!("/api/v1/repositories/{id}/credential"), token).await;
    assert_eq!(status, 200, "{credential}");
    assert_eq!(credential["kind"], "token");
    assert!(credential["set_at"].is_string() && credential["secret"].is_null(), "{credential}");
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["commits_added"], 3, "{run}");
    let (_, repository) = web.get(&format!("/api/v1/repositories/{id}")).await;
    assert_eq!(repository["credential"]["kind"], "token", "{repository}");

    // The server revokes the token: the next sync fails at once, saying so, without retries.
    behaviour.require("git", "a-new-token");
    let run = web.sync_and_wait(id).await;
    assert_eq!((run["state"].as_str(), run["attempt"].as_i64()), (Some("failed"), Some(1)), "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("credential was refused"), "{run}");

    // Where the token must not be.
    let browser = signed_in(&web.base, "alice").await;
    for path in ["/repositories", &format!("/repositories/{id}"), "/commits", "/metrics"] {
        let page = browser.client.get(web.url(path)).send().await.expect("page").text().await.expect("text");
        assert!(!page.contains(TOKEN), "{path} shows the token");
    }
    let (_, list) = web.get("/api/v1/repositories").await;
    assert!(!list.to_string().contains(TOKEN), "the API shows the token");
    nowhere_under(&stack.clones_dir(), TOKEN);
    worker.terminate().await;
    assert!(!worker.log().contains(TOKEN) && !web.process.log().contains(TOKEN), "a log holds the token");
    match backend {
        Backend::Sqlite => nowhere_under(stack.data_dir.path(), TOKEN),
        Backend::Postgres => {
            let db = stack.database.connect().await;
            let rows = db
                .query_all_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    "SELECT sealed FROM repository_credentials",
                ))
                .await
                .expect("query");
            assert_eq!(rows.len(), 1, "one stored credential");
            for row in rows {
                let sealed: Vec<u8> = row.try_get("", "sealed").expect("sealed bytes");
                assert!(sealed.len() > TOKEN.len(), "sealed");
                assert!(!sealed.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "stored in the clear");
            }
        }
    }
}

#[tokio::test]
async fn a_private_repository_syncs_with_its_token_on_sqlite_and_the_token_shows_nowhere() {
    private_repository_round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_private_repository_syncs_with_its_token_on_postgresql_and_the_token_shows_nowhere() {
    private_repository_round_trip(Backend::Postgres).await;
}

#[tokio::test]
async fn the_token_is_never_sent_to_another_host() {
    let root = tempfile::tempdir().expect("server root");
    served_repository(root.path(), "app.git");
    let behaviour = Behaviour::requiring("git", TOKEN);
    let server = GitHttpServer::start_with(root.path().to_path_buf(), 0, behaviour.clone()).await;
    let elsewhere = Behaviour::requiring("git", "anything");
    let other = GitHttpServer::start_with(root.path().to_path_buf(), 0, elsewhere.clone()).await;
    let stack = stack(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();

    // At the check: the server sends the check elsewhere; it is refused there and then.
    behaviour.redirect(&format!("http://{}", other.addr));
    let token = json!({ "url": server.url("app.git"), "credential": { "kind": "token", "secret": TOKEN } });
    let (status, body) = web.post_json("/api/v1/repositories", token.clone()).await;
    assert_eq!(status, 422, "{body}");

    // At a sync: added while the server behaved, then it redirects every request.
    *behaviour.redirect_to.lock().expect("lock") = None;
    let (status, body) = web.post_json("/api/v1/repositories", token).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().expect("id");
    assert_eq!(web.wait_for_sync(first_sync(&body), 60).await["state"], "succeeded");
    behaviour.redirect(&format!("http://{}", other.addr));
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    let reached = elsewhere.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!(reached > 0, "the redirects reached the other host (else this test would prove nothing)");
    assert_eq!(elsewhere.authorizations(), Vec::<String>::new(), "the other host received a credential");
}

#[tokio::test]
async fn credentials_need_the_key_and_a_wrong_key_is_named_while_public_repositories_keep_syncing() {
    let root = tempfile::tempdir().expect("server root");
    served_repository(root.path(), "app.git");
    let server = GitHttpServer::start_with(root.path().to_path_buf(), 0, Behaviour::requiring("git", TOKEN)).await;
    let public = GitRepo::new();
    public.commit("Public");

    let keyless = Stack::new(TestDatabase::new(Backend::Sqlite).await).allowing_private_networks();
    let web = keyless.start_web().await;
    let token = json!({ "url": server.url("app.git"), "credential": { "kind": "token", "secret": TOKEN } });
    let (status, body) = web.post_json("/api/v1/repositories", token.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("GITDASH_CREDENTIALS_KEY"), "{body}");
    drop(web);

    let stack = stack(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let (status, body) = web.post_json("/api/v1/repositories", token).await;
    assert_eq!(status, 201, "{body}");
    let _worker = stack.start_worker_with_env(&[("GITDASH_CREDENTIALS_KEY", &"ab".repeat(32))]);
    let run = web.wait_for_sync(first_sync(&body), 60).await;
    assert_eq!(run["state"], "failed", "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("GITDASH_CREDENTIALS_KEY"), "{run}");
    let (id, run) = web.add_and_sync(public.path()).await;
    assert_eq!(run["state"], "succeeded", "public repository {id} still syncs: {run}");
}

#[tokio::test]
async fn a_credential_copied_onto_another_repository_does_not_open_and_rotation_keeps_them_working() {
    let root = tempfile::tempdir().expect("server root");
    served_repository(root.path(), "one.git");
    served_repository(root.path(), "two.git");
    let server = GitHttpServer::start_with(root.path().to_path_buf(), 0, Behaviour::requiring("git", TOKEN)).await;
    let stack = stack(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let mut ids = Vec::new();
    for name in ["one.git", "two.git"] {
        let body = json!({ "url": server.url(name), "credential": { "kind": "token", "secret": TOKEN } });
        let (status, body) = web.post_json("/api/v1/repositories", body).await;
        assert_eq!(status, 201, "{body}");
        ids.push((body["id"].as_i64().expect("id"), first_sync(&body)));
    }

    // Rotation first: every credential sealed again under a new key, and used with it.
    let new_key = "cd".repeat(32);
    let rotated = stack
        .run_worker_command_with_env(&["rotate-credentials-key"], &[("GITDASH_NEW_CREDENTIALS_KEY", &new_key)])
        .await;
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    let mut worker = stack.start_worker_with_env(&[("GITDASH_CREDENTIALS_KEY", &new_key)]);
    for (id, run) in &ids {
        assert_eq!(web.wait_for_sync(*run, 60).await["state"], "succeeded", "repository {id} after rotation");
    }
    let ids: Vec<i64> = ids.iter().map(|(id, _)| *id).collect();
    worker.terminate().await;

    // Then repository one's sealed credential copied over repository two's.
    let db = stack.database.connect().await;
    let copy = format!(
        "UPDATE repository_credentials SET sealed = (SELECT sealed FROM repository_credentials WHERE repository_id = {}) \
         WHERE repository_id = {}",
        ids[0], ids[1]
    );
    db.execute_unprepared(&copy).await.expect("copy");
    let _worker = stack.start_worker_with_env(&[("GITDASH_CREDENTIALS_KEY", &new_key)]);
    let run = web.sync_and_wait(ids[1]).await;
    assert_eq!(run["state"], "failed", "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("does not open"), "{run}");
    assert_eq!(web.sync_and_wait(ids[0]).await["state"], "succeeded", "the original still opens");
}

#[tokio::test]
async fn the_pages_add_replace_and_remove_a_credential() {
    let root = tempfile::tempdir().expect("server root");
    served_repository(root.path(), "app.git");
    let server = GitHttpServer::start_with(root.path().to_path_buf(), 0, Behaviour::requiring("git", TOKEN)).await;
    let stack = stack(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let alice = signed_in(&web.base, "alice").await;
    let csrf = alice.csrf_token(&web.base).await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let client = alice.client.clone();
        let url = web.url(&path);
        async move { client.post(url).form(&form).send().await.expect("post") }
    };

    let url = server.url("app.git");
    let refused = post(
        "/repositories".into(),
        vec![("csrf_token", csrf.clone()), ("url", url.clone()), ("token", "wrong".into())],
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("page").contains("credential was refused"));
    let added =
        post("/repositories".into(), vec![("csrf_token", csrf.clone()), ("url", url.clone()), ("token", TOKEN.into())])
            .await;
    assert_eq!(added.status(), 303, "back to the list");
    let list = alice.client.get(web.url("/repositories")).send().await.expect("list").text().await.expect("page");
    assert!(list.contains("private") && !list.contains(TOKEN), "marked private, token hidden");
    let (_, repositories) = web.get("/api/v1/repositories").await;
    let id = repositories[0]["id"].as_i64().expect("id");

    let page = alice.client.get(web.url(&format!("/repositories/{id}/credential"))).send().await.expect("page");
    let page = page.text().await.expect("page");
    assert!(page.contains("token set on") && !page.contains(TOKEN), "{page}");
    let wrong =
        post(format!("/repositories/{id}/credential"), vec![("csrf_token", csrf.clone()), ("token", "nope".into())])
            .await;
    assert_eq!(wrong.status(), 422, "a wrong replacement is refused, the old one kept");
    let forged = post(format!("/repositories/{id}/credential/remove"), vec![("csrf_token", "forged".into())]).await;
    assert_eq!(forged.status(), 403);
    let bob = signed_in(&web.base, "bob").await;
    let bob_csrf = bob.csrf_token(&web.base).await;
    let not_his = bob
        .client
        .post(web.url(&format!("/repositories/{id}/credential/remove")))
        .form(&[("csrf_token", bob_csrf)])
        .send()
        .await
        .expect("post");
    assert_eq!(not_his.status(), 403, "only the adder or an admin");
    let removed = post(format!("/repositories/{id}/credential/remove"), vec![("csrf_token", csrf)]).await;
    assert_eq!(removed.status(), 303);
    let (_, repository) = web.get(&format!("/api/v1/repositories/{id}")).await;
    assert!(repository["credential"].is_null(), "{repository}");
}
