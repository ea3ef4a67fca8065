//! `scripts/dev`, the README's command for running gitdash without Docker, starts what is
//! missing (here Redis), a gitdash one can sign in to, and Ctrl-C stops everything it
//! started; so does SIGTERM when it runs in the background of another shell.

use std::time::Duration;

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    eventually,
    idp::signed_in,
    processes::free_port,
};

/// How the script is run and stopped.
#[derive(Clone, Copy)]
enum Run {
    /// In the foreground, stopped with Ctrl-C (SIGINT).
    CtrlC,
    /// In the background of a non-interactive shell (`scripts/dev &`, where SIGINT is
    /// ignored), stopped with SIGTERM.
    BackgroundTerm,
}

#[tokio::test]
async fn scripts_dev_serves_a_gitdash_to_sign_in_to_and_ctrl_c_stops_it() {
    run_and_stop(Run::CtrlC).await;
}

#[tokio::test]
async fn scripts_dev_in_the_background_stops_everything_on_sigterm() {
    run_and_stop(Run::BackgroundTerm).await;
}

async fn run_and_stop(run: Run) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin_dir = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("target"))
        .join("debug");
    let data = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::new(Backend::Sqlite).await;
    let (web_port, idp_port, worker_port, redis_port) = (free_port(), free_port(), free_port(), free_port());
    let script_path = root.join("scripts/dev");
    let mut command = match run {
        // As from a terminal: SIGINT at its default action even when this test runs in the
        // background of a shell (where SIGINT starts ignored, and a shell can neither trap
        // nor reset a signal ignored at its start). `env` execs the script in its place.
        Run::CtrlC => {
            let mut script = tokio::process::Command::new("env");
            script.arg("--default-signal=INT").arg(&script_path);
            script
        }
        Run::BackgroundTerm => {
            let mut shell = tokio::process::Command::new("bash");
            shell.arg("-c").arg(format!("{} >/dev/null 2>&1 </dev/null & echo $!; wait", script_path.display()));
            shell
        }
    };
    let mut script = command
        .env("GITDASH_SKIP_BUILD", "1")
        .env("GITDASH_BIN_DIR", &bin_dir)
        .env("GITDASH_DATA_DIR", data.path())
        .env("DATABASE_URL", &database.url)
        // No Redis answers there: the script starts one, as it would on a fresh machine.
        .env("REDIS_URL", format!("redis://127.0.0.1:{redis_port}"))
        .env("GITDASH_QUEUE", format!("gitdash-test:dev:{web_port}"))
        .env("GITDASH_LISTEN", format!("127.0.0.1:{web_port}"))
        .env("GITDASH_WORKER_LISTEN", format!("127.0.0.1:{worker_port}"))
        .env("IDP_PORT", idp_port.to_string())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("scripts/dev runs");
    let base = format!("http://127.0.0.1:{web_port}");
    eventually(60, "gitdash from scripts/dev to be ready", || {
        let url = format!("{base}/readyz");
        async move { reqwest::get(url).await.ok().filter(|r| r.status().is_success()).map(|_| ()) }
    })
    .await;
    let browser = signed_in(&base, "alice").await;
    let page = browser.client.get(format!("{base}/repositories")).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let worker = reqwest::get(format!("http://127.0.0.1:{worker_port}/readyz")).await.expect("worker");
    assert_eq!(worker.status().as_u16(), 200, "the worker runs too");

    let (signal, pid) = match run {
        Run::CtrlC => ("-INT", script.id().expect("pid").to_string()),
        Run::BackgroundTerm => {
            // The shell printed the script's own pid.
            use tokio::io::AsyncBufReadExt;
            let stdout = script.stdout.take().expect("stdout");
            let mut line = String::new();
            tokio::io::BufReader::new(stdout).read_line(&mut line).await.expect("pid");
            ("-TERM", line.trim().to_owned())
        }
    };
    std::process::Command::new("kill").args([signal, &pid]).status().expect("kill");
    tokio::time::timeout(Duration::from_secs(40), script.wait()).await.expect("the script ends").expect("status");
    for port in [web_port, idp_port, worker_port, redis_port] {
        let gone = eventually(30, "everything it started to stop", || async move {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err().then_some(())
        });
        gone.await;
    }
}
