//! No Docker engine runs here, so docker-compose.yml is checked by reading it: against the
//! Compose specification that `docker compose` (v2) follows (the `docker-compose-types`
//! parser, which refuses unknown keys), by Compose v1's own parser (`docker-compose config`,
//! Debian's 1.29, which many servers still run), and against gitdash itself — every variable it sets is one gitdash reads, and
//! `scripts/dev` sets the same sign-in settings.

use std::{collections::BTreeSet, path::PathBuf};

use docker_compose_types::{Compose, Environment, Service};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn compose() -> Compose {
    let text = std::fs::read_to_string(root().join("docker-compose.yml")).expect("docker-compose.yml");
    let mut value: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    // `<<: *anchor` merge keys, as Compose applies them.
    value.apply_merge().expect("merge keys");
    serde_yaml::from_value(value).expect("docker-compose.yml follows the Compose specification")
}

fn service<'a>(compose: &'a Compose, name: &str) -> &'a Service {
    compose.services.0.get(name).and_then(Option::as_ref).unwrap_or_else(|| panic!("service {name}"))
}

fn variables(service: &Service) -> BTreeSet<String> {
    match &service.environment {
        Environment::KvPair(map) => map.keys().cloned().collect(),
        Environment::List(list) => list.iter().map(|v| v.split('=').next().unwrap_or_default().to_owned()).collect(),
    }
}

/// Every string literal that looks like an environment variable name in gitdash's sources.
fn variables_gitdash_reads() -> String {
    let mut sources = String::new();
    for dir in ["shared/src", "web/src", "worker/src"] {
        let mut stack = vec![root().join(dir)];
        while let Some(path) = stack.pop() {
            for entry in std::fs::read_dir(&path).expect("source dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    sources.push_str(&std::fs::read_to_string(&path).expect("source"));
                }
            }
        }
    }
    sources
}

#[test]
fn the_compose_file_runs_every_part_of_gitdash() {
    let compose = compose();
    for name in ["redis", "postgres", "web", "worker", "idp"] {
        service(&compose, name);
    }
    for name in ["redis", "postgres", "web"] {
        assert!(service(&compose, name).healthcheck.is_some(), "{name} has a health check");
    }
    let volumes: Vec<&String> = compose.volumes.0.keys().collect();
    for name in ["postgres-data", "gitdash-data"] {
        assert!(volumes.iter().any(|v| *v == name), "named volume {name}");
    }
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains("-p gitdash-web -p gitdash-worker"), "the image holds both binaries");
    assert!(dockerfile.contains("USER gitdash"), "the image runs as a non-root user");
    assert!(root().join("tests/idp/Dockerfile").exists(), "the idp service has its image");
}

#[test]
fn compose_v1_accepts_the_file_as_it_is() {
    let output = std::process::Command::new("docker-compose")
        .args(["--file", "docker-compose.yml", "config", "--quiet"])
        .current_dir(root())
        .output()
        .expect("docker-compose (Compose v1; Debian's package docker-compose) is installed");
    assert!(
        output.status.success(),
        "docker-compose config refuses the file: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn only_the_worker_mounts_the_clones() {
    let compose = compose();
    let mounts = |name: &str| format!("{:?}", service(&compose, name).volumes);
    assert!(mounts("worker").contains("gitdash-data"), "the worker keeps its clones in a volume");
    assert!(!mounts("web").contains("gitdash-data"), "the web never touches the worker's clones");
}

#[test]
fn every_variable_the_compose_file_sets_is_one_gitdash_reads() {
    let compose = compose();
    let sources = variables_gitdash_reads();
    for name in ["web", "worker"] {
        for variable in variables(service(&compose, name)) {
            assert!(sources.contains(&format!("\"{variable}\"")), "{name} sets {variable}, which gitdash never reads");
        }
    }
    let idp = std::fs::read_to_string(root().join("tests/idp/server.js")).expect("server.js");
    for variable in variables(service(&compose, "idp")) {
        assert!(idp.contains(&format!("process.env.{variable}")), "idp sets {variable}, which server.js never reads");
    }
}

#[test]
fn scripts_dev_gives_the_same_sign_in_settings_as_the_compose_file() {
    let compose = compose();
    let script = std::fs::read_to_string(root().join("scripts/dev")).expect("scripts/dev");
    let web = variables(service(&compose, "web"));
    for variable in ["OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "GITDASH_PUBLIC_URL", "SECRET_KEY"] {
        assert!(web.contains(variable), "compose sets {variable}");
        assert!(script.contains(&format!("export {variable}")), "scripts/dev sets {variable}");
    }
}
