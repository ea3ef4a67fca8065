//! `/metrics` of web and worker, in the Prometheus text format.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    eventually,
    git_fixture::generated_history,
    processes::{Stack, free_port},
};

fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test]
async fn web_and_worker_count_what_they_did() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let port = free_port();
    let _worker = stack.start_worker_with_env(&[("GITDASH_WORKER_LISTEN", &format!("127.0.0.1:{port}"))]);
    let repo = generated_history(25);
    let (_, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    for _ in 0..3 {
        assert_eq!(web.get("/api/v1/repositories/999").await.0, 404);
    }

    let text = reqwest::get(web.url("/metrics")).await.expect("web metrics").text().await.expect("text");
    let missing = r#"gitdash_http_requests_total{method="GET",route="/api/v1/repositories/{id}",status="404"}"#;
    assert_eq!(value(&text, missing), Some(3.0), "{text}");
    let created = r#"gitdash_http_requests_total{method="POST",route="/api/v1/repositories",status="201"}"#;
    assert_eq!(value(&text, created), Some(1.0), "{text}");
    assert!(text.contains("gitdash_http_request_duration_seconds_bucket"), "{text}");

    let worker = format!("http://127.0.0.1:{port}");
    let text = eventually(30, "the worker's metrics", || {
        let url = format!("{worker}/metrics");
        async move { reqwest::get(url).await.ok()?.text().await.ok() }
    })
    .await;
    assert_eq!(value(&text, "gitdash_worker_jobs_started_total"), Some(1.0), "{text}");
    assert_eq!(value(&text, "gitdash_worker_jobs_succeeded_total"), Some(1.0), "{text}");
    assert_eq!(value(&text, "gitdash_worker_commits_indexed_total"), Some(25.0), "{text}");
    assert_eq!(value(&text, "gitdash_worker_queue_depth"), Some(0.0), "{text}");
    assert_eq!(value(&text, "gitdash_worker_job_duration_seconds_count"), Some(1.0), "{text}");
    let ready = reqwest::get(format!("{worker}/readyz")).await.expect("readyz");
    assert_eq!(ready.status().as_u16(), 200);
}
