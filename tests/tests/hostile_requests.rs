//! Requests no honest client sends: oversized bodies, declared or streamed; addresses a
//! page cannot read; ranges no chart can hold. Each gets a clear refusal of its own kind,
//! and signed-in answers are never kept in a browser's cache.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    idp::signed_in,
    processes::Stack,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn bodies_past_the_bound_are_refused_with_413_before_they_are_read() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let token = web.token.clone().expect("token");
    let address = web.base.trim_start_matches("http://").to_owned();
    let head = |framing: &str| {
        format!(
            "POST /api/v1/repositories HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n"
        )
    };

    // A declared 10 MB body is refused from its headers alone: nothing of it is sent.
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
    stream.write_all(head("Content-Length: 10485760").as_bytes()).await.expect("head");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "a declared 10 MB body: {answer}");

    // The same without a declared length: chunked, as a streaming client sends it.
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
    stream.write_all(head("Transfer-Encoding: chunked").as_bytes()).await.expect("head");
    let chunk = vec![b'x'; 16 * 1024];
    for _ in 0..8 {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        if stream.write_all(&frame).await.is_err() {
            break; // The server may answer and close before reading it all.
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "a streamed 128 KiB body: {answer}");

    let (status, body) = web.post_json("/api/v1/repositories", serde_json::json!({ "url": "/nowhere" })).await;
    assert_eq!(status, 422, "a small body still reaches the handler: {body}");
}

#[tokio::test]
async fn signed_in_answers_are_never_stored_and_pages_answer_as_pages() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let browser = signed_in(&web.base, "alice").await;
    for path in ["/", "/commits", "/committers/export.csv", "/repositories"] {
        let answer = browser.client.get(web.url(path)).send().await.expect("answered");
        assert_eq!(answer.status(), 200, "{path}");
        assert_eq!(answer.headers()["cache-control"], "no-store", "{path}");
    }
    let api = web.request(reqwest::Method::GET, "/api/v1/repositories").send().await.expect("answered");
    assert_eq!(api.headers()["cache-control"], "no-store", "API answers");
    let style = reqwest::get(web.url("/static/style.css")).await.expect("answered");
    assert!(style.headers()["cache-control"].to_str().expect("ascii").starts_with("public"), "static files");

    let page = browser.client.get(web.url("/repositories/abc")).send().await.expect("answered");
    assert_eq!(page.status(), 400);
    assert!(page.headers()["content-type"].to_str().expect("ascii").starts_with("text/html"));
    let body = page.text().await.expect("body");
    assert!(body.contains("<html") && body.contains("not understood"), "{body}");
    let missing = browser.client.get(web.url("/repositories/424242")).send().await.expect("answered");
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.expect("body").contains("There is no repository with this number"));
}

#[tokio::test]
async fn a_range_no_chart_can_hold_is_refused_not_cut() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    for path in [
        "/api/v1/activity?since=0001-01-01&until=9999-12-31",
        "/api/v1/activity?since=0001-01-01&until=9999-12-31&bucket=month",
        "/api/v1/stats?since=0001-01-01&until=9999-12-31",
    ] {
        let (status, body) = web.get(path).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("at most 10000")), "{path}: {body}");
    }
    let (status, body) = web.get("/api/v1/activity?since=2000-01-01&until=2020-12-31&bucket=month").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["points"].as_array().map(Vec::len), Some(21 * 12), "every month of the range");
}
