//! `gitdash-worker` as a person meets it on the command line.

use std::process::Command;

fn worker() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gitdash-worker"));
    command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

#[test]
fn help_lists_the_commands() {
    let output = worker().arg("--help").output().expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for command in ["run", "index", "check"] {
        assert!(help.contains(command), "help mentions {command}: {help}");
    }
}

#[test]
fn a_bad_setting_stops_it_with_the_variable_named() {
    let output = worker().arg("check").env("GITDASH_WORKER_CONCURRENCY", "lots").output().expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GITDASH_WORKER_CONCURRENCY"), "{stderr}");
}

#[test]
fn indexing_a_path_that_is_not_a_repository_fails_with_a_message() {
    let data = tempfile::tempdir().expect("temp dir");
    let not_a_repo = tempfile::tempdir().expect("temp dir");
    let output =
        worker().arg("index").arg(not_a_repo.path()).env("GITDASH_DATA_DIR", data.path()).output().expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not found") || stderr.contains("not a") || stderr.contains("Git repository"), "{stderr}");
}
