//! Private repositories over SSH: a repository served by a real `sshd` is added with a
//! deploy key that gitdash checks at once, with the server's host key pinned on first use
//! (and shown), and fetched with that key alone: not the machine user's keys, agent or
//! configuration. A server showing another host key is refused at once, without retries.
//! The private key shows nowhere: not in the database's bytes, the clone, the logs, the API
//! or the pages.

use std::path::Path;

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{GitRepo, bare_clone},
    idp::signed_in,
    processes::Stack,
    ssh_server::{KeyPair, SshAgent, SshServer},
};
use sea_orm::ConnectionTrait;
use serde_json::json;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn three_commits() -> GitRepo {
    let repo = GitRepo::new();
    for i in 0..3 {
        repo.write("notes.txt", format!("{i}\n"));
        repo.commit(&format!("Private change {i}"));
    }
    repo
}

/// A line from the middle of the private key: text that appears in nothing but the key.
fn secret_part(key: &KeyPair) -> String {
    let lines: Vec<&str> = key.private.lines().collect();
    lines[lines.len() / 2].to_owned()
}

/// No file under `dir` holds `needle`.
fn nowhere_under(dir: &Path, needle: &str) {
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            nowhere_under(&path, needle);
        } else if let Ok(bytes) = std::fs::read(&path) {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "the key is in {}", path.display());
        }
    }
}

async fn deploy_key_round_trip(backend: Backend) {
    let root = tempfile::tempdir().expect("server root");
    let source = three_commits();
    let served = bare_clone(&source, &root.path().join("app.git"));
    let deploy = KeyPair::generate("deploy");
    let stranger = KeyPair::generate("stranger");
    let server = SshServer::start(&deploy).await;
    let url = server.url(&served);
    // An agent holding the right key, as in a logged-in session: a refused deploy key must
    // stay refused.
    let agent = SshAgent::holding(&deploy).await;
    let stack = Stack::new(TestDatabase::new(backend).await)
        .allowing_private_networks()
        .with_env("GITDASH_CREDENTIALS_KEY", KEY)
        .with_env("SSH_AUTH_SOCK", agent.socket.to_str().expect("utf-8"))
        .with_env("RUST_LOG", "debug");
    let web = stack.start_web().await;
    let mut worker = stack.start_worker();

    let (status, body) = web.post_json("/api/v1/repositories", json!({ "url": url })).await;
    assert_eq!(status, 422, "an SSH address without a deploy key: {body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("needs a deploy key"), "{body}");
    let wrong = json!({ "url": url, "credential": { "kind": "ssh_key", "secret": stranger.private } });
    let (status, body) = web.post_json("/api/v1/repositories", wrong).await;
    assert_eq!(status, 422, "a key the server does not know is refused when given: {body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("deploy key was refused"), "{body}");
    let not_a_key = json!({ "url": url, "credential": { "kind": "ssh_key", "secret": "ghp_not_a_key" } });
    let (status, body) = web.post_json("/api/v1/repositories", not_a_key).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("OpenSSH"), "{body}");
    assert_eq!(web.get("/api/v1/repositories").await.1, json!([]), "nothing was added");

    let right = json!({ "url": url, "credential": { "kind": "ssh_key", "secret": deploy.private } });
    let (status, added) = web.post_json("/api/v1/repositories", right).await;
    assert_eq!(status, 201, "{added}");
    let id = added["id"].as_i64().expect("id");
    assert_eq!(added["credential"]["kind"], "ssh_key", "{added}");
    assert_eq!(added["credential"]["host_key"], server.host_key.as_str(), "the host key seen now is pinned and shown");
    let first = added["latest_sync"]["id"].as_i64().expect("first sync");
    let run = web.wait_for_sync(first, 60).await;
    assert_eq!(run["state"], "succeeded", "{run}\n{}", worker.log());
    assert_eq!(run["commits_added"], 3, "{run}");
    let (_, commits) = web.get(&format!("/api/v1/repositories/{id}/commits?limit=1")).await;
    assert_eq!(commits["commits"][0]["sha"], source.head().as_str(), "{commits}");

    // Replacing the key with a host key that is not the server's is refused when given.
    let pinned_elsewhere = json!({ "kind": "ssh_key", "secret": deploy.private, "host_key": stranger.host_key() });
    let (status, body) = web.put_json(&format!("/api/v1/repositories/{id}/credential"), pinned_elsewhere).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("host key"), "{body}");

    // The server comes back with another host key: the sync fails at once, saying so.
    let port = server.port;
    server.stop();
    let impostor = SshServer::start_on(port, &deploy, &KeyPair::generate("other host")).await;
    let run = web.sync_and_wait(id).await;
    assert_eq!((run["state"].as_str(), run["attempt"].as_i64()), (Some("failed"), Some(1)), "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("host key"), "{run}");
    drop(impostor);

    let needle = secret_part(&deploy);
    let browser = signed_in(&web.base, "alice").await;
    for path in ["/repositories", &format!("/repositories/{id}"), &format!("/repositories/{id}/credential")] {
        let page = browser.client.get(web.url(path)).send().await.expect("page").text().await.expect("text");
        assert!(!page.contains(&needle), "{path} shows the key");
    }
    let (_, list) = web.get("/api/v1/repositories").await;
    assert!(!list.to_string().contains(&needle), "the API shows the key");
    nowhere_under(&stack.clones_dir(), &needle);
    worker.terminate().await;
    assert!(!worker.log().contains(&needle) && !web.process.log().contains(&needle), "a log holds the key");
    if matches!(backend, Backend::Postgres) {
        let db = stack.database.connect().await;
        let sql = "SELECT sealed FROM repository_credentials";
        let rows =
            db.query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await.expect("query");
        assert_eq!(rows.len(), 1, "one stored credential");
        let sealed: Vec<u8> = rows[0].try_get("", "sealed").expect("sealed bytes");
        assert!(!sealed.windows(needle.len()).any(|w| w == needle.as_bytes()), "stored in the clear");
    }
    // The SQLite file (and everything else of this installation) holds no plain key.
    nowhere_under(stack.data_dir.path(), &needle);
}

#[tokio::test]
async fn a_repository_over_ssh_syncs_with_its_deploy_key_on_sqlite_and_trusts_only_the_pinned_host() {
    deploy_key_round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_repository_over_ssh_syncs_with_its_deploy_key_on_postgresql_and_trusts_only_the_pinned_host() {
    deploy_key_round_trip(Backend::Postgres).await;
}

#[tokio::test]
async fn a_deploy_key_pasted_into_the_add_form_is_pinned_and_its_host_key_shown_on_the_access_page() {
    let root = tempfile::tempdir().expect("server root");
    let served = bare_clone(&three_commits(), &root.path().join("app.git"));
    let deploy = KeyPair::generate("deploy");
    let server = SshServer::start(&deploy).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await)
        .allowing_private_networks()
        .with_env("GITDASH_CREDENTIALS_KEY", KEY);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let alice = signed_in(&web.base, "alice").await;
    let token = alice.csrf_token(&web.base).await;
    // Pasted from a Windows machine: CRLF line ends and a trailing space.
    let pasted = format!("{} ", deploy.private.replace('\n', "\r\n"));
    let url = server.url(&served);
    let form =
        [("csrf_token", token.as_str()), ("url", url.as_str()), ("deploy_key", pasted.as_str()), ("host_key", "")];
    let added = alice.client.post(web.url("/repositories")).form(&form).send().await.expect("add");
    assert_eq!(added.status().as_u16(), 303, "{}", added.text().await.unwrap_or_default());

    let (_, list) = web.get("/api/v1/repositories").await;
    let id = list[0]["id"].as_i64().expect("id");
    let run = web.wait_for_sync(list[0]["latest_sync"]["id"].as_i64().expect("sync"), 60).await;
    assert_eq!((run["state"].as_str(), run["commits_added"].as_i64()), (Some("succeeded"), Some(3)), "{run}");
    let access = alice.client.get(web.url(&format!("/repositories/{id}/credential"))).send().await.expect("page");
    let access = access.text().await.expect("html");
    assert!(access.contains("deploy key (SSH)") && access.contains(&server.host_key), "{access}");
    assert!(access.contains(r#"name="deploy_key""#) && !access.contains(r#"name="token""#), "asks for a key: {access}");
    assert!(!access.contains(&secret_part(&deploy)), "the key is never shown");
}
