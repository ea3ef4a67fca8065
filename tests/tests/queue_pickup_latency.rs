//! A pushed sync starts within a second (apalis-redis, left to its defaults, picks a job up
//! only at its next heartbeat: about 27 s). Alone in its file so that no heavy test shares
//! the two cores while the latency is measured.

use std::time::Duration;

use chrono::{DateTime, Utc};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::Stack,
};

fn time(value: &serde_json::Value) -> DateTime<Utc> {
    value.as_str().and_then(|t| t.parse().ok()).expect("an RFC 3339 time")
}

#[tokio::test]
async fn a_job_starts_within_a_second_of_its_push() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    // Let the worker settle into its idle polling before the push.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let repo = GitRepo::with_one_commit();
    let (_, run_id) = web.add_repository(repo.path()).await;
    let run = web.wait_for_sync(run_id, 30).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let waited = time(&run["started_at"]) - time(&run["queued_at"]);
    assert!(waited < chrono::Duration::seconds(1), "the job waited {waited} in the queue");
}
