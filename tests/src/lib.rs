//! Helpers for gitdash's end-to-end tests: Git repositories made on the spot, fresh SQLite
//! and PostgreSQL databases, the real `gitdash-web` and `gitdash-worker` binaries started as
//! processes, and a local smart-HTTP Git server.

pub mod chrome;
pub mod databases;
pub mod git_fixture;
pub mod git_server;
pub mod idp;
pub mod okta_standin;
pub mod own_redis;
pub mod processes;
pub mod ssh_server;

/// Polls `check` every 50 ms until it returns `Some`, or panics after `seconds`.
pub async fn eventually<T, F, Fut>(seconds: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {seconds} s waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
