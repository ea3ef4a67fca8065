//! The schema is created by whichever process starts first, and processes starting at the
//! same moment on an empty database do not trip over each other.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    processes::Stack,
};

async fn processes_started_together_all_come_up(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let checks = (0..4).map(|_| stack.run_worker_command(&["check"]));
    let (web, outputs) = tokio::join!(stack.start_web(), futures::future::join_all(checks));
    for output in outputs {
        assert!(output.status.success(), "gitdash-worker check: {}", String::from_utf8_lossy(&output.stderr));
    }
    let (status, repositories) = web.get("/api/v1/repositories").await;
    assert_eq!((status, repositories), (200, serde_json::json!([])));
}

#[tokio::test]
async fn processes_started_together_on_an_empty_postgres_database_all_come_up() {
    processes_started_together_all_come_up(Backend::Postgres).await;
}

#[tokio::test]
async fn processes_started_together_on_a_new_sqlite_file_all_come_up() {
    processes_started_together_all_come_up(Backend::Sqlite).await;
}
