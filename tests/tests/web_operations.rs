//! What an operator sees of `gitdash-web`: readiness, request ids in answers and logs.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::{Idp, sign_in_env},
    processes::{Stack, free_port},
};

#[tokio::test]
async fn readyz_reports_each_dependency_and_turns_ready_when_the_provider_comes_up() {
    let idp_port = free_port();
    let web_port = free_port();
    let public = format!("http://127.0.0.1:{web_port}");
    let env = sign_in_env(&format!("http://127.0.0.1:{idp_port}"), &public);
    let stack = Stack::new(TestDatabase::new(Backend::Postgres).await);
    let web = stack.start_web_on(web_port, &env).await;

    let (status, body) = web.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"], serde_json::json!({ "database": "ok", "redis": "ok", "provider": "unavailable" }));
    assert_eq!(web.get("/healthz").await.0, 200, "alive all the same");

    let _idp = Idp::start_misbehaving_on(idp_port, &public).await;
    let body = gitdash_tests::eventually(60, "gitdash to become ready", || async {
        let (status, body) = web.get("/readyz").await;
        (status == 200).then_some(body)
    })
    .await;
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn every_answer_carries_a_request_id_that_its_log_lines_share() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let missing = web.request(reqwest::Method::GET, "/api/v1/repositories/999").send().await.expect("request");
    assert_eq!(missing.status().as_u16(), 404);
    let first = missing.headers()["x-request-id"].to_str().expect("ascii").to_owned();

    let repo = GitRepo::with_one_commit();
    let added = web
        .request(reqwest::Method::POST, "/api/v1/repositories")
        .json(&serde_json::json!({ "url": repo.path() }))
        .send()
        .await
        .expect("request");
    assert_eq!(added.status().as_u16(), 201);
    let second = added.headers()["x-request-id"].to_str().expect("ascii").to_owned();
    assert_ne!(first, second, "one id per request");
    let log = web.process.log();
    let line = log.lines().find(|l| l.contains("repository added")).expect("the handler logged");
    assert!(line.contains(&second), "the log line names the request: {line}");
}

#[tokio::test]
async fn on_sigterm_the_web_finishes_requests_in_flight_then_exits() {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let idp = Idp::start_misbehaving(&public).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let mut web = stack.start_web_on(port, &idp.gitdash_env(&public)).await;
    // The provider takes 3 s to answer the token request of this sign-in.
    idp.misbehave(serde_json::json!({ "tokenDelayMs": 3000 })).await;
    let browser = gitdash_tests::idp::Browser::new();
    let callback = browser.visit_until(&web.url("/login"), "anyone", &web.url("/oidc/callback")).await;
    let in_flight = tokio::spawn({
        let client = browser.client.clone();
        async move { client.get(callback).send().await.map(|r| r.status().as_u16()) }
    });
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let status = web.process.terminate().await;
    assert_eq!(in_flight.await.expect("task").expect("answered"), 303, "the sign-in in flight completed");
    assert!(status.success(), "a clean exit: {status:?}");
}

#[tokio::test]
async fn a_provider_that_never_answers_does_not_hold_up_the_start() {
    // Accepts connections and says nothing, for ever.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let issuer = format!("http://{}", silent.local_addr().expect("addr"));
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            connections.push(socket);
        }
    });
    let web_port = free_port();
    let env = sign_in_env(&issuer, &format!("http://127.0.0.1:{web_port}"));
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let started = std::time::Instant::now();
    let web = stack.start_web_on(web_port, &env).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "up in {:?}", started.elapsed());
    let login = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(web.url("/login"))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 503);
    held.abort();
}
