//! `gitdash-web` refuses to start on bad settings and says which one is wrong.

use std::process::Command;

fn web_with(variable: &str, value: &str) -> (bool, String) {
    let data = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_gitdash-web"))
        .env_clear()
        .env("GITDASH_DATA_DIR", data.path())
        .env(variable, value)
        .output()
        .expect("runs");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn an_unparsable_listen_address_is_named() {
    let (ok, stderr) = web_with("GITDASH_LISTEN", "localhost");
    assert!(!ok);
    assert!(stderr.contains("GITDASH_LISTEN"), "{stderr}");
}

#[test]
fn an_unsupported_database_is_named() {
    let (ok, stderr) = web_with("DATABASE_URL", "mysql://localhost/gitdash");
    assert!(!ok);
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[test]
fn an_unreachable_redis_is_named() {
    let (ok, stderr) = web_with("REDIS_URL", "redis://127.0.0.1:1");
    assert!(!ok);
    assert!(stderr.contains("REDIS_URL"), "{stderr}");
}
