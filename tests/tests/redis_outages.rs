//! Redis restarted or gone under running processes: the next sync request still reaches
//! the queue, a signed-in person is told the service is unavailable, and a stop signal is
//! a clean stop either way. Processes started while Redis is down wait for it. Each test
//! runs its own Redis, so stopping it disturbs no other.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    eventually,
    git_fixture::GitRepo,
    idp::{Idp, signed_in},
    own_redis::OwnRedis,
    processes::{Process, Stack, free_port},
};

#[tokio::test]
async fn a_sync_asked_for_right_after_redis_restarts_completes() {
    let mut redis = OwnRedis::start().await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("REDIS_URL", &redis.url());
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    repo.commit("First");
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    redis.stop();
    redis.start_again().await;
    repo.commit("Second");
    let (status, run) = web.post(&format!("/api/v1/repositories/{id}/syncs")).await;
    assert_eq!(status, 202, "the first request after the restart is queued: {run}");
    let state = run["state"].as_str().unwrap_or_default();
    assert!(["queued", "running", "succeeded"].contains(&state), "taken, whether or not a worker has it yet: {run}");
    let run = web.wait_for_sync(id, 60).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["commits_added"], 1, "{run}");
    let ready = reqwest::get(web.url("/readyz")).await.expect("readyz");
    assert_eq!(ready.status(), 200, "ready on the connection the queue uses");
}

#[tokio::test]
async fn a_signed_in_person_is_told_the_service_is_unavailable_while_redis_is_down() {
    let mut redis = OwnRedis::start().await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("REDIS_URL", &redis.url());
    let web = stack.start_web().await;
    let browser = signed_in(&web.base, "alice").await;

    redis.stop();
    let page = browser.client.get(web.url("/")).send().await.expect("answered");
    assert_eq!(page.status(), 503, "not the visitors' landing page");
    let body = page.text().await.expect("body");
    assert!(body.contains("<html") && body.contains("Unavailable"), "a page saying so: {body}");

    // This Redis keeps nothing on disk: once it is back the session is gone, and the person
    // is a visitor again, invited to sign in.
    redis.start_again().await;
    eventually(30, "the landing page once Redis is back", || {
        let client = browser.client.clone();
        let url = web.url("/");
        async move { client.get(url).send().await.ok().filter(|r| r.status() == 200).map(|_| ()) }
    })
    .await;
}

#[tokio::test]
async fn web_and_worker_exit_cleanly_on_a_stop_signal_with_redis_up_and_with_redis_down() {
    let mut redis = OwnRedis::start().await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("REDIS_URL", &redis.url());

    let mut web = stack.start_web().await;
    let mut worker = stack.start_worker();
    says(&worker, TAKING_JOBS).await;
    assert_eq!(web.process.terminate().await.code(), Some(0), "web, Redis up: {}", web.process.log());
    assert_eq!(worker.terminate().await.code(), Some(0), "worker, Redis up: {}", worker.log());

    let mut web = stack.start_web().await;
    let mut worker = stack.start_worker();
    says(&worker, TAKING_JOBS).await;
    redis.stop();
    // Long enough for both to notice: the worker's consumer fails and restarts, the web's
    // connection drops.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(web.process.terminate().await.code(), Some(0), "web, Redis down: {}", web.process.log());
    assert_eq!(worker.terminate().await.code(), Some(0), "worker, Redis down: {}", worker.log());
}

#[tokio::test]
async fn web_and_worker_started_while_redis_is_down_say_so_and_a_stop_signal_is_a_clean_stop() {
    let mut redis = OwnRedis::start().await;
    redis.stop();
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("REDIS_URL", &redis.url());
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let idp = Idp::start(&[&public_url]).await;
    let mut web = stack.spawn_web_on(port, &idp.gitdash_env(&public_url));
    let mut worker = stack.start_worker();

    // The warning names the setting to check.
    says(&web, WAITING_FOR_REDIS).await;
    says(&worker, WAITING_FOR_REDIS).await;
    assert_eq!(web.terminate().await.code(), Some(0), "web: {}", web.log());
    assert_eq!(worker.terminate().await.code(), Some(0), "worker: {}", worker.log());
}

#[tokio::test]
async fn web_and_worker_started_while_redis_is_down_come_up_when_it_answers() {
    let mut redis = OwnRedis::start().await;
    redis.stop();
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("REDIS_URL", &redis.url());
    let worker = stack.start_worker();
    says(&worker, WAITING_FOR_REDIS).await;
    let comes_back = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        redis.start_again().await;
        redis
    });

    // Answers once Redis does.
    let web = stack.start_web().await;
    let _redis = comes_back.await.expect("Redis started again");
    assert!(web.process.log().contains("does not answer"), "it waited: {}", web.process.log());
    says(&worker, TAKING_JOBS).await;
    let repo = GitRepo::with_one_commit();
    let (_, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}\n{}", worker.log());
}

const WAITING_FOR_REDIS: &str = "Redis (REDIS_URL) does not answer";
const TAKING_JOBS: &str = "taking sync jobs";

/// Waits until the process's log has `text`.
async fn says(process: &Process, text: &str) {
    eventually(60, &format!("the process to log {text:?}"), || {
        let said = process.log().contains(text);
        async move { said.then_some(()) }
    })
    .await;
}
