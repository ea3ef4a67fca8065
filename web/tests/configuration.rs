//! `gitdash-web` refuses to start on bad settings and says which one is wrong.

use std::process::Command;

/// Sign-in settings that are complete; the provider need not be reachable.
const SIGN_IN: [(&str, &str); 5] = [
    ("OIDC_ISSUER_URL", "http://127.0.0.1:9/oauth2/default"),
    ("OIDC_CLIENT_ID", "gitdash"),
    ("OIDC_CLIENT_SECRET", "not-a-real-secret"),
    ("GITDASH_PUBLIC_URL", "http://127.0.0.1:5000"),
    ("SECRET_KEY", "0123456789abcdef0123456789abcdef"),
];

fn web_with(variable: &str, value: &str) -> (bool, String) {
    let data = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_gitdash-web"))
        .env_clear()
        .env("GITDASH_DATA_DIR", data.path())
        .envs(SIGN_IN.iter().filter(|(name, _)| *name != variable).copied())
        .env(variable, value)
        .output()
        .expect("runs");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn missing_sign_in_settings_are_named() {
    for variable in ["OIDC_ISSUER_URL", "OIDC_CLIENT_SECRET", "GITDASH_PUBLIC_URL", "SECRET_KEY"] {
        let (ok, stderr) = web_with(variable, "");
        assert!(!ok, "{variable} is required");
        assert!(stderr.contains(variable), "{stderr}");
    }
}

/// Starts the web with one setting changed and returns what it writes while it waits for
/// Redis (until it says so, at most 30 s), then stops it.
fn web_waiting_with(variable: &str, value: &str) -> String {
    let data = tempfile::tempdir().expect("temp dir");
    let log = data.path().join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gitdash-web"))
        .env_clear()
        .env("GITDASH_DATA_DIR", data.path())
        .envs(SIGN_IN.iter().filter(|(name, _)| *name != variable).copied())
        .env(variable, value)
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("runs");
    let started = std::time::Instant::now();
    let mut written = String::new();
    while started.elapsed() < std::time::Duration::from_secs(30) && !written.contains("does not answer") {
        std::thread::sleep(std::time::Duration::from_millis(100));
        written = std::fs::read_to_string(&log).unwrap_or_default();
    }
    let still_running = child.try_wait().expect("status").is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(still_running, "it waits for Redis instead of exiting: {written}");
    written
}

#[test]
fn a_client_secret_never_reaches_the_output() {
    let stderr = web_waiting_with("REDIS_URL", "redis://127.0.0.1:1");
    assert!(!stderr.contains("not-a-real-secret") && !stderr.contains("0123456789abcdef0123"), "{stderr}");
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
fn an_unreachable_redis_is_named_while_the_web_waits_for_it() {
    let stderr = web_waiting_with("REDIS_URL", "redis://127.0.0.1:1");
    assert!(stderr.contains("Redis (REDIS_URL) does not answer"), "{stderr}");
}

#[test]
fn an_unparsable_redis_url_is_named() {
    let (ok, stderr) = web_with("REDIS_URL", "not a url");
    assert!(!ok);
    assert!(stderr.contains("REDIS_URL"), "{stderr}");
}
