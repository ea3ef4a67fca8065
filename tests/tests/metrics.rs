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

/// Unique paths and made-up methods from people who never signed in must not grow the
/// metrics: each becomes one of a few series fixed by the code.
#[tokio::test]
async fn a_thousand_unknown_paths_and_methods_add_a_handful_of_series() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let client = reqwest::Client::new();
    let series = |text: &str| text.lines().filter(|l| l.starts_with("gitdash_http_requests_total{")).count();
    let before = series(&reqwest::get(web.url("/metrics")).await.expect("metrics").text().await.expect("text"));
    for i in 0..1000 {
        let (method, path) = match i % 4 {
            0 => ("GET", format!("/api/v1/x{i}")),
            1 => ("GET", format!("/no/such/page{i}")),
            2 => ("POST", format!("/api/v1/repositories/{i}/nothing")),
            _ => ("X", format!("/repositories/{i}")),
        };
        let method = if method == "X" {
            reqwest::Method::from_bytes(format!("M{i}").as_bytes()).expect("method")
        } else {
            method.parse().expect("method")
        };
        client.request(method, web.url(&path)).send().await.expect("answered");
    }
    let text = reqwest::get(web.url("/metrics")).await.expect("metrics").text().await.expect("text");
    let after = series(&text);
    assert!(after - before <= 8, "{} new series for 1,000 unique requests:\n{text}", after - before);
    assert!(!text.contains("/api/v1/x") && !text.contains("/no/such/page"), "no raw path is a label");
    assert!(text.contains(r#"route="unmatched""#) && text.contains(r#"method="OTHER""#), "{text}");
}
