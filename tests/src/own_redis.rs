//! A Redis server of the test's own, on a free port, that the test may stop and start again
//! without disturbing the shared one other tests use.

use std::process::{Child, Command, Stdio};

use crate::processes::free_port;

pub struct OwnRedis {
    pub port: u16,
    dir: tempfile::TempDir,
    server: Option<Child>,
}

impl OwnRedis {
    /// Starts `redis-server` (keeping nothing on disk) and waits until it answers.
    pub async fn start() -> Self {
        let mut redis = Self { port: free_port(), dir: tempfile::tempdir().expect("temp dir"), server: None };
        redis.start_again().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server on the same port after [`OwnRedis::stop`].
    pub async fn start_again(&mut self) {
        let port = self.port.to_string();
        let server = Command::new("redis-server")
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        self.server = Some(server);
        let url = self.url();
        crate::eventually(10, "the test's own Redis to answer", || {
            let url = url.clone();
            async move {
                let client = redis::Client::open(url).ok()?;
                let mut conn = client.get_multiplexed_async_connection().await.ok()?;
                redis::cmd("PING").query_async::<String>(&mut conn).await.ok()
            }
        })
        .await;
    }

    /// Kills the server, as a crash or a restart would.
    pub fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
