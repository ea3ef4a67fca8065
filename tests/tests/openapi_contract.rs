//! The OpenAPI document is the contract: schemathesis (pinned in
//! `tests/schemathesis/requirements.txt`, installed by `.ci/run`) sends generated requests to
//! every operation — examples, boundaries, fuzzing and stateful sequences — with a real
//! access token, and every answer must be one the document allows.

use std::path::PathBuf;

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::generated_history,
    processes::Stack,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A program of one of `.ci/run`'s virtual environments under `target/`, else from `PATH`.
fn tool(venv: &str, program: &str) -> PathBuf {
    let path = root().join("target").join(venv).join("bin").join(program);
    if path.exists() { path } else { PathBuf::from(program) }
}

/// `st` from `SCHEMATHESIS` or `.ci/run`'s virtual environment, else from `PATH`.
fn schemathesis() -> PathBuf {
    if let Ok(path) = std::env::var("SCHEMATHESIS") {
        return PathBuf::from(path);
    }
    tool("schemathesis", "st")
}

#[tokio::test]
async fn every_answer_of_the_api_is_one_its_openapi_document_allows() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = generated_history(30);
    let (_, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let spec = web.request(reqwest::Method::GET, "/openapi.json").send().await.expect("spec");
    assert_eq!(spec.status(), 200);
    let dir = tempfile::tempdir().expect("temp dir");
    let spec_file = dir.path().join("openapi.json");
    std::fs::write(&spec_file, spec.bytes().await.expect("spec body")).expect("spec file");

    let token = web.token.clone().expect("token");
    let output = tokio::process::Command::new(schemathesis())
        .arg("--config-file")
        .arg(root().join("tests/schemathesis/schemathesis.toml"))
        .args(["--no-color", "run"])
        .arg(&spec_file)
        .args(["--url", &web.url("/api/v1")])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all", "--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", "40", "--workers", "1", "--seed", "1"])
        .args(["--request-timeout", "20"])
        .current_dir(dir.path())
        .output()
        .await
        .expect("schemathesis runs (pip install -r tests/schemathesis/requirements.txt)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A client generated from the document (openapi-python-client, pinned in
/// `tests/generated_client/requirements.txt`) works against the API unchanged:
/// `tests/generated_client/exercise.py` lists, reads, pages, asks for statistics and a sync.
#[tokio::test]
async fn a_client_generated_from_the_document_works_unchanged() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = generated_history(12);
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let spec = web.request(reqwest::Method::GET, "/openapi.json").send().await.expect("spec");
    let dir = tempfile::tempdir().expect("temp dir");
    let spec_file = dir.path().join("openapi.json");
    std::fs::write(&spec_file, spec.bytes().await.expect("spec body")).expect("spec file");

    let project = dir.path().join("client");
    let generated = tokio::process::Command::new(tool("generated-client", "openapi-python-client"))
        .arg("generate")
        .arg("--path")
        .arg(&spec_file)
        .arg("--output-path")
        .arg(&project)
        .arg("--config")
        .arg(root().join("tests/generated_client/config.yaml"))
        .output()
        .await
        .expect("openapi-python-client runs (pip install -r tests/generated_client/requirements.txt)");
    let report = String::from_utf8_lossy(&generated.stdout).into_owned() + &String::from_utf8_lossy(&generated.stderr);
    assert!(generated.status.success(), "generation failed:\n{report}");
    assert!(
        !report.contains("Warning") && !report.contains("Unable"),
        "parts of the document were left out:\n{report}"
    );

    let token = web.token.clone().expect("token");
    let used = tokio::process::Command::new(tool("generated-client", "python"))
        .arg(root().join("tests/generated_client/exercise.py"))
        .arg(&project)
        .arg(web.url("/api/v1"))
        .arg(&token)
        .arg(id.to_string())
        .output()
        .await
        .expect("python runs");
    assert!(
        used.status.success(),
        "the generated client failed:\n{}{}",
        String::from_utf8_lossy(&used.stdout),
        String::from_utf8_lossy(&used.stderr)
    );
}
