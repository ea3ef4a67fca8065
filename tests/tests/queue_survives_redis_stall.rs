//! A Redis that stops answering for longer than the client's response timeout ends the
//! apalis worker's stream (apalis-redis issue #76). The worker process must notice and
//! take jobs again once Redis answers, not idle for ever. Alone in its file because
//! `CLIENT PAUSE` stalls every client of the server.

use std::time::Duration;

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::{Stack, redis_url},
};
use serde_json::json;

#[tokio::test]
async fn the_worker_takes_jobs_again_after_redis_stalls() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let mut worker = stack.start_worker();
    stack.wait_for_workers(1).await;

    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    // Longer than the 10 s response timeout gitdash gives its Redis connections.
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(13_000).arg("ALL").query_async(&mut conn).await.expect("pause");
    tokio::time::sleep(Duration::from_secs(14)).await;

    let repo = GitRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("After the stall");
    let (status, repository) = web.post_json("/api/v1/repositories", json!({ "url": repo.path() })).await;
    assert_eq!(status, 201, "{repository}");
    let run = web.wait_for_sync(repository["latest_sync"]["id"].as_i64().expect("run"), 60).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert!(worker.try_wait().is_none(), "the worker process kept running");
}
