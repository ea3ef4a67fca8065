//! A deploy key is checked when it is given, like a token: `ssh-keygen` reads the key (a
//! key with a passphrase, or not a key at all, is refused), the server's host key is
//! pinned (the one the person gave, or the one `ssh-keyscan` finds, shown to them), and
//! the server is asked for the repository's references with the key and nothing else.

use std::{process::Stdio, time::Duration};

use gitdash_shared::{
    credentials::Credential,
    ssh::{HOST_KEY_TYPES, SshAddress, SshSession, failure_reason, parse_host_key},
};
use tokio::{io::AsyncWriteExt, process::Command};

const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether `ssh-keygen` can read the key without a passphrase.
pub async fn check_key(session: &SshSession) -> Result<(), String> {
    let output = run(Command::new("ssh-keygen").arg("-y").arg("-P").arg("").arg("-f").arg(session.key_file())).await?;
    if output.status.success() {
        Ok(())
    } else {
        Err("the deploy key could not be read: it should be an OpenSSH private key without a passphrase".into())
    }
}

/// The server's host key, the strongest kind it offers, as `type base64`.
pub async fn scan_host_key(address: &SshAddress) -> Result<String, String> {
    let mut command = Command::new("ssh-keyscan");
    command.args(["-T", "10", "-t", "ed25519,ecdsa,rsa"]);
    if let Some(port) = address.port {
        command.arg("-p").arg(port.to_string());
    }
    command.arg("--").arg(&address.host);
    let output = run(&mut command).await?;
    let text = String::from_utf8_lossy(&output.stdout);
    let keys: Vec<String> =
        text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| parse_host_key(l).ok()).collect();
    HOST_KEY_TYPES
        .iter()
        .find_map(|kind| keys.iter().find(|key| key.starts_with(&format!("{kind} "))))
        .cloned()
        .ok_or_else(|| format!("the SSH server {} did not show a host key (is it reachable?)", address.host))
}

/// Asks the server for the repository's references with the credential's key, trusting
/// only its pinned host key.
pub async fn check(address: &SshAddress, credential: &Credential) -> Result<(), String> {
    let session = SshSession::new(credential)?;
    check_key(&session).await?;
    let mut command = Command::new("ssh");
    command.args(session.options());
    if let Some(port) = address.port {
        command.arg("-p").arg(port.to_string());
    }
    command.arg("--").arg(format!("{}@{}", address.user, address.host)).arg(address.upload_pack());
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    command.env("LC_ALL", "C");
    let mut child = command.spawn().map_err(|e| format!("the SSH client could not be started: {e}"))?;
    // A flush packet: "no wants", so the server ends the conversation after its list.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"0000").await;
    }
    let output = tokio::time::timeout(CHECK_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| "the SSH server did not answer in time".to_owned())?
        .map_err(|e| format!("the SSH client failed: {e}"))?;
    let advertised = output.stdout.get(..4).is_some_and(|len| len.iter().all(u8::is_ascii_hexdigit));
    if advertised {
        return Ok(());
    }
    // ssh's own complaints are in its log, the server's on stderr.
    let stderr = format!("{}\n{}", session.log(), String::from_utf8_lossy(&output.stderr));
    Err(failure_reason(&stderr).map(str::to_owned).unwrap_or_else(|| {
        tracing::debug!(stderr = %stderr.trim(), "ssh check failed");
        "the SSH server did not list the repository's references".to_owned()
    }))
}

async fn run(command: &mut Command) -> Result<std::process::Output, String> {
    command.stdin(Stdio::null()).kill_on_drop(true);
    let program = command.as_std().get_program().to_string_lossy().into_owned();
    tokio::time::timeout(CHECK_TIMEOUT, command.output())
        .await
        .map_err(|_| format!("{program} did not finish in time"))?
        .map_err(|e| format!("{program} could not be started (is OpenSSH's client installed?): {e}"))
}
