//! A real OpenSSH server (the machine's `sshd`) for the deploy-key tests: started on a free
//! port of 127.0.0.1 with a configuration of its own (its own host key, one authorized key,
//! no passwords, no PAM), letting whoever holds that key run `git-upload-pack` on the
//! machine's repositories as the user running the tests.

use std::{path::Path, process::Stdio, time::Duration};

/// An ed25519 key pair made by `ssh-keygen`.
pub struct KeyPair {
    /// The OpenSSH private key file's text.
    pub private: String,
    /// `ssh-ed25519 AAAA... comment`
    pub public: String,
}

impl KeyPair {
    pub fn generate(comment: &str) -> Self {
        let dir = tempfile::tempdir().expect("key folder");
        let file = dir.path().join("key");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
            .arg(&file)
            .status()
            .expect("ssh-keygen runs (apt-get install openssh-client)");
        assert!(status.success(), "ssh-keygen failed");
        let read = |path: &Path| std::fs::read_to_string(path).expect("key file");
        Self { private: read(&file), public: read(&file.with_extension("pub")).trim().to_owned() }
    }

    /// The public key as a host key is pinned: `type base64`, without the comment.
    pub fn host_key(&self) -> String {
        self.public.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    }
}

/// A running `ssh-agent` holding a key: what a machine user's session would offer any
/// `ssh` started with its `SSH_AUTH_SOCK`.
pub struct SshAgent {
    child: std::process::Child,
    _dir: tempfile::TempDir,
    pub socket: std::path::PathBuf,
}

impl SshAgent {
    pub async fn holding(key: &KeyPair) -> Self {
        let dir = tempfile::tempdir().expect("agent folder");
        let socket = dir.path().join("agent.sock");
        let child = std::process::Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent starts");
        for _ in 0..100 {
            if socket.exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let file = dir.path().join("key");
        {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let mut out =
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&file).expect("key file");
            out.write_all(key.private.as_bytes()).expect("write");
        }
        let status = std::process::Command::new("ssh-add")
            .arg("-q")
            .arg(&file)
            .env("SSH_AUTH_SOCK", &socket)
            .status()
            .expect("ssh-add runs");
        assert!(status.success(), "ssh-add failed");
        Self { child, _dir: dir, socket }
    }
}

impl Drop for SshAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `sshd`; it stops when dropped.
pub struct SshServer {
    child: std::process::Child,
    dir: tempfile::TempDir,
    pub port: u16,
    /// The server's host key, `type base64`.
    pub host_key: String,
}

impl SshServer {
    /// Starts a server on a free port that lets `authorized` in.
    pub async fn start(authorized: &KeyPair) -> Self {
        Self::start_on(crate::processes::free_port(), authorized, &KeyPair::generate("host")).await
    }

    /// Starts a server on `port` with `host` as its host key.
    pub async fn start_on(port: u16, authorized: &KeyPair, host: &KeyPair) -> Self {
        let dir = tempfile::tempdir().expect("sshd folder");
        let write = |name: &str, text: &str| {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(dir.path().join(name))
                .expect("sshd file");
            file.write_all(text.as_bytes()).expect("write");
        };
        write("host_key", &host.private);
        write("authorized_keys", &format!("{}\n", authorized.public));
        let at = |name: &str| dir.path().join(name).display().to_string();
        write(
            "sshd_config",
            &format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile none\n\
                 StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nAllowTcpForwarding no\n\
                 X11Forwarding no\nLogLevel VERBOSE\n",
                at("host_key"),
                at("authorized_keys")
            ),
        );
        // sshd started as root wants its privilege-separation folder.
        let _ = std::fs::create_dir_all("/run/sshd");
        let log = std::fs::File::create(dir.path().join("sshd.log")).expect("log");
        let child = std::process::Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(dir.path().join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("sshd starts (apt-get install openssh-server)");
        let server = Self { child, dir, port, host_key: host.host_key() };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("sshd did not start:\n{}", server.log());
    }

    /// `ssh://<the test user>@127.0.0.1:<port><path>` for a repository at `path`.
    pub fn url(&self, path: &Path) -> String {
        format!("ssh://{}@127.0.0.1:{}{}", current_user(), self.port, path.display())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// Stops the server and waits until its port is free again.
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("----- sshd log -----\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The account the tests run as: sshd lets the key in as that user.
fn current_user() -> String {
    let output = std::process::Command::new("id").arg("-un").output().expect("id runs");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
