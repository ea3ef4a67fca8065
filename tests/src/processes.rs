//! The real binaries, started as processes with their own database, queue and data
//! directory, and stopped (or killed) by the tests.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use redis::Commands;

use crate::{databases::TestDatabase, eventually, idp::Idp};

/// `target/debug/<name>`. `cargo test --workspace` builds both binaries before it runs any
/// test (web and worker have integration tests of their own, which makes cargo build them).
pub fn binary(name: &str) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace.join("target"));
    let path = target.join("debug").join(name);
    assert!(path.exists(), "{} is missing: run the tests with `cargo test --workspace`", path.display());
    path
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The settings one gitdash installation under test runs with.
pub struct Stack {
    pub database: TestDatabase,
    pub data_dir: tempfile::TempDir,
    pub queue: String,
    pub extra_env: Vec<(String, String)>,
}

impl Stack {
    pub fn new(database: TestDatabase) -> Self {
        Self {
            database,
            data_dir: tempfile::tempdir().expect("temp dir"),
            queue: format!("gitdash-test:{}:{:08x}", std::process::id(), crate::databases::rand_suffix()),
            // Scheduled re-syncs would add runs to tests that count them; their own test turns
            // them on.
            extra_env: vec![
                ("GITDASH_ALLOW_LOCAL_REPOS".into(), "true".into()),
                ("GITDASH_RESYNC_INTERVAL".into(), "off".into()),
                // Several workers run side by side: each takes a free port for its endpoint.
                ("GITDASH_WORKER_LISTEN".into(), "127.0.0.1:0".into()),
            ],
        }
    }

    /// The stack under test talks to the tests' own servers on 127.0.0.1.
    pub fn allowing_private_networks(self) -> Self {
        self.with_env("GITDASH_ALLOW_PRIVATE_NETWORKS", "true")
    }

    pub fn with_env(mut self, name: &str, value: &str) -> Self {
        self.extra_env.retain(|(n, _)| n != name);
        self.extra_env.push((name.into(), value.into()));
        self
    }

    fn command(&self, binary_name: &str) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(binary(binary_name));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.data_dir.path())
            .env("DATABASE_URL", &self.database.url)
            .env("REDIS_URL", redis_url())
            .env("GITDASH_DATA_DIR", self.data_dir.path())
            .env("GITDASH_QUEUE", &self.queue)
            .env("RUST_LOG", "info,gitdash_worker=debug")
            .kill_on_drop(true);
        for (name, value) in &self.extra_env {
            command.env(name, value);
        }
        command
    }

    /// Starts `gitdash-web` with a real OpenID provider of its own, and waits until it
    /// answers. Its API helpers send a JWT access token from that provider.
    pub async fn start_web(&self) -> Web {
        let port = free_port();
        let public_url = format!("http://127.0.0.1:{port}");
        let idp = Idp::start(&[&public_url]).await;
        let env = idp.gitdash_env(&public_url);
        let mut web = self.start_web_on(port, &env).await;
        web.token = Some(idp.machine_token("gitdash-cli", "api://default").await);
        web.idp = Some(idp);
        web
    }

    /// Starts `gitdash-web` on `port` with `env` on top of the stack's settings (sign-in
    /// settings among them) and waits until it answers.
    pub async fn start_web_on(&self, port: u16, env: &[(String, String)]) -> Web {
        let process = self.spawn_web_on(port, env);
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        eventually(60, "gitdash-web to answer /healthz", || {
            let client = client.clone();
            let url = format!("{base}/healthz");
            async move { client.get(url).send().await.ok().filter(|r| r.status().is_success()).map(|_| ()) }
        })
        .await;
        Web { process, base, client, token: None, idp: None }
    }

    /// Starts `gitdash-web` on `port` with `env` on top of the stack's settings, without
    /// waiting for it to answer.
    pub fn spawn_web_on(&self, port: u16, env: &[(String, String)]) -> Process {
        let mut command = self.command("gitdash-web");
        command.env("GITDASH_LISTEN", format!("127.0.0.1:{port}"));
        command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Process::spawn(command, "gitdash-web", self.data_dir.path())
    }

    /// Starts a `gitdash-worker` consumer.
    pub fn start_worker(&self) -> Process {
        self.start_worker_with_env(&[])
    }

    /// Starts a `gitdash-worker` consumer with settings of its own on top of the stack's.
    pub fn start_worker_with_env(&self, env: &[(&str, &str)]) -> Process {
        let mut command = self.command("gitdash-worker");
        command.envs(env.iter().copied());
        Process::spawn(command, "gitdash-worker", self.data_dir.path())
    }

    /// Waits until `count` workers are registered on this stack's queue in Redis.
    pub async fn wait_for_workers(&self, count: usize) {
        let config = gitdash_shared::jobs::queue_config(&self.queue);
        let mut redis = gitdash_shared::jobs::connect_redis(&self.redis_url()).await.expect("redis");
        eventually(60, "the workers to register", || {
            let mut redis = redis.clone();
            let key = config.workers_set();
            async move {
                let registered: usize = redis::cmd("ZCARD").arg(&key).query_async(&mut redis).await.ok()?;
                (registered >= count).then_some(())
            }
        })
        .await;
        let _ = &mut redis;
    }

    /// The Redis the stack's processes use: the shared one unless the test set its own.
    pub fn redis_url(&self) -> String {
        self.extra_env.iter().find(|(name, _)| name == "REDIS_URL").map_or_else(redis_url, |(_, url)| url.clone())
    }

    /// The worker's cache of bare clones.
    pub fn clones_dir(&self) -> PathBuf {
        self.data_dir.path().join("clones")
    }

    /// Runs `gitdash-worker <args>` to completion.
    pub async fn run_worker_command(&self, args: &[&str]) -> std::process::Output {
        self.run_worker_command_with_env(args, &[]).await
    }

    /// Runs `gitdash-worker <args>` to completion with settings of its own.
    pub async fn run_worker_command_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut command = self.command("gitdash-worker");
        command.args(args).envs(env.iter().copied()).stdin(Stdio::null());
        command.output().await.expect("gitdash-worker runs")
    }

    /// Runs `gitdash-worker index <target>` to completion.
    pub async fn index(&self, target: &str) -> std::process::Output {
        let mut command = self.command("gitdash-worker");
        command.arg("index").arg(target).stdin(Stdio::null());
        command.output().await.expect("gitdash-worker index runs")
    }
}

impl Drop for Stack {
    /// Removes this stack's queue from Redis, so test runs leave nothing behind.
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(redis_url()) else { return };
        let Ok(mut conn) = client.get_connection() else { return };
        let keys: Vec<String> = match conn.scan_match(format!("{}:*", self.queue)) {
            Ok(iter) => iter.filter_map(Result::ok).collect(),
            Err(_) => return,
        };
        for chunk in keys.chunks(1000) {
            let _: Result<(), _> = redis::cmd("DEL").arg(chunk).query(&mut conn);
        }
    }
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A child process whose output goes to a log file, printed if the test fails.
pub struct Process {
    child: tokio::process::Child,
    log: PathBuf,
    name: String,
}

impl Process {
    fn spawn(mut command: tokio::process::Command, name: &str, dir: &Path) -> Self {
        let log = dir.join(format!("{name}-{}.log", crate::databases::rand_suffix()));
        let file = std::fs::File::create(&log).expect("log file");
        command.stdout(file.try_clone().expect("log file")).stderr(file).stdin(Stdio::null());
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Self { child, log, name: name.into() }
    }

    pub fn id(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }

    /// `Some` once the process has exited.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: the process gets no chance to clean up.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// SIGTERM, then waits for the exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = std::process::Command::new("kill").args(["-TERM", &self.id().to_string()]).status();
        self.child.wait().await.expect("wait")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("----- {} log -----\n{}", self.name, self.log());
        }
        let _ = self.child.start_kill();
    }
}

/// A running `gitdash-web`, an HTTP client for it, and the provider it trusts.
pub struct Web {
    pub process: Process,
    pub base: String,
    pub client: reqwest::Client,
    /// Sent as `Authorization: Bearer` by the API helpers below.
    pub token: Option<String>,
    pub idp: Option<Idp>,
}

impl Web {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path` with the access token, if there is one.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.url(path));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        read(self.request(reqwest::Method::POST, path).json(&body).send().await.expect("request")).await
    }

    pub async fn put_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        read(self.request(reqwest::Method::PUT, path).json(&body).send().await.expect("request")).await
    }

    pub async fn post(&self, path: &str) -> (u16, serde_json::Value) {
        read(self.request(reqwest::Method::POST, path).send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        read(self.request(reqwest::Method::GET, path).send().await.expect("request")).await
    }

    pub async fn delete(&self, path: &str) -> u16 {
        self.request(reqwest::Method::DELETE, path).send().await.expect("request").status().as_u16()
    }

    /// The same server seen with another access token (another person, a forged token...).
    pub fn with_token(&self, token: Option<String>) -> WebClient<'_> {
        WebClient { web: self, token }
    }

    /// Adds the repository at `url` and returns its id and its first sync run's id.
    pub async fn add_repository(&self, url: impl serde::Serialize) -> (i64, i64) {
        let (status, repository) = self.post_json("/api/v1/repositories", serde_json::json!({ "url": url })).await;
        assert_eq!(status, 201, "{repository}");
        (repository["id"].as_i64().expect("id"), repository["latest_sync"]["id"].as_i64().expect("run id"))
    }

    /// Adds the repository at `url`, waits for its first sync and returns the id and the run.
    pub async fn add_and_sync(&self, url: impl serde::Serialize) -> (i64, serde_json::Value) {
        let (id, run_id) = self.add_repository(url).await;
        (id, self.wait_for_sync(run_id, 90).await)
    }

    /// Asks for a sync of repository `id` and waits for it to end.
    pub async fn sync_and_wait(&self, id: i64) -> serde_json::Value {
        let (status, run) = self.post(&format!("/api/v1/repositories/{id}/syncs")).await;
        assert_eq!(status, 202, "{run}");
        self.wait_for_sync(run["id"].as_i64().expect("run id"), 90).await
    }

    /// Waits until sync run `id` has ended and returns it.
    pub async fn wait_for_sync(&self, id: i64, seconds: u64) -> serde_json::Value {
        eventually(seconds, "the sync to finish", || async move {
            let (_, run) = self.get(&format!("/api/v1/syncs/{id}")).await;
            matches!(run["state"].as_str(), Some("succeeded" | "failed")).then_some(run)
        })
        .await
    }
}

/// A [`Web`] with a different access token.
pub struct WebClient<'a> {
    pub web: &'a Web,
    pub token: Option<String>,
}

impl WebClient<'_> {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.web.client.request(method, self.web.url(path));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        read(self.request(reqwest::Method::GET, path).send().await.expect("request")).await
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        read(self.request(reqwest::Method::POST, path).json(&body).send().await.expect("request")).await
    }

    pub async fn delete(&self, path: &str) -> (u16, serde_json::Value) {
        read(self.request(reqwest::Method::DELETE, path).send().await.expect("request")).await
    }
}

pub async fn read(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, json)
}
