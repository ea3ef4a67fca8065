//! SSH deploy keys, used by the web process (to check a key when it is given) and by the
//! worker (to fetch with it). gitdash runs the machine's OpenSSH client with every setting
//! on its command line: no configuration file of the machine or of its user
//! (`-F /dev/null`), no agent, only the repository's own key, and only the host key pinned
//! when the key was given (strict checking against a known-hosts file of that one line).
//! The key and that file live in a private temporary folder for one connection and are
//! removed with it; nothing of them reaches a URL, an argument or the clone's config.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use base64::Engine;

use crate::credentials::Credential;

/// The name the pinned host key is filed under, whatever the server is called, so that no
/// other known-hosts entry of the machine can ever match.
const HOST_KEY_ALIAS: &str = "gitdash-pinned-host";

/// The host key types gitdash pins, the strongest first (the order `ssh-keyscan` results
/// are chosen in).
pub const HOST_KEY_TYPES: [&str; 5] =
    ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"];

/// Where an `ssh://` repository is: the account, host, port and path of the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshAddress {
    pub user: String,
    pub host: String,
    pub port: Option<u16>,
    pub path: String,
}

impl SshAddress {
    /// Reads a URL that [`crate::repo_url::RepoUrl`] accepted; `None` for other schemes.
    pub fn of(url: &str) -> Option<Self> {
        let url = url::Url::parse(url).ok().filter(|u| u.scheme() == "ssh")?;
        let user = url.username();
        Some(Self {
            user: if user.is_empty() { "git".to_owned() } else { user.to_owned() },
            host: url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port: url.port(),
            path: percent_decode(url.path()),
        })
    }

    /// The command the server runs for a fetch, quoted for its shell as Git quotes it.
    pub fn upload_pack(&self) -> String {
        format!("git-upload-pack '{}'", self.path.replace('\'', r"'\''"))
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

/// Reads a host key as `type base64`, written so or as a known-hosts or `ssh-keyscan` line
/// (`host type base64`). The key's own blob must name the same type.
pub fn parse_host_key(text: &str) -> Result<String, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some(pair) = words.windows(2).find(|pair| HOST_KEY_TYPES.contains(&pair[0])) else {
        return Err(format!(
            "the host key should read `type base64`, with a type among {} (as `ssh-keyscan` prints it)",
            HOST_KEY_TYPES.join(", ")
        ));
    };
    let (kind, key) = (pair[0], pair[1]);
    let blob = base64::engine::general_purpose::STANDARD
        .decode(key)
        .map_err(|_| "the host key's second part is not base64".to_owned())?;
    // The SSH wire format starts with the key type as a length-prefixed string.
    let named = blob
        .get(..4)
        .map(|len| u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize)
        .and_then(|len| blob.get(4..4 + len));
    if named != Some(kind.as_bytes()) {
        return Err(format!("the host key is not a {kind} key"));
    }
    Ok(format!("{kind} {key}"))
}

/// An OpenSSH private key as pasted (Windows line ends, spaces around it), in the form
/// `ssh` reads: Unix line ends and a final newline. Only its framing is checked here;
/// the web process has `ssh-keygen` read it before it is stored.
pub fn normalize_private_key(text: &str) -> Result<String, String> {
    let text = text.replace("\r\n", "\n");
    let text = text.trim();
    let framed = text.starts_with("-----BEGIN ") && text.ends_with("PRIVATE KEY-----");
    if !framed {
        return Err(
            "the deploy key should be a private key in OpenSSH form (-----BEGIN OPENSSH PRIVATE KEY-----)".into()
        );
    }
    Ok(format!("{text}\n"))
}

/// The files of one SSH connection (the private key and a known-hosts file holding the
/// pinned host key), in a folder only this process's user can read, removed when dropped.
pub struct SshSession {
    dir: tempfile::TempDir,
}

impl SshSession {
    pub fn new(credential: &Credential) -> Result<Self, String> {
        let host_key = credential.host_key.as_deref().ok_or("the deploy key has no pinned host key; set it again")?;
        let failed = |e: std::io::Error| format!("cannot write the SSH key's temporary files: {e}");
        let dir = tempfile::Builder::new().prefix("gitdash-ssh-").tempdir().map_err(failed)?;
        write_private(&dir.path().join("key"), &credential.secret).map_err(failed)?;
        write_private(&dir.path().join("known_hosts"), &format!("{HOST_KEY_ALIAS} {host_key}\n")).map_err(failed)?;
        Ok(Self { dir })
    }

    pub fn key_file(&self) -> PathBuf {
        self.dir.path().join("key")
    }

    /// `ssh`'s options, before the destination.
    pub fn options(&self) -> Vec<String> {
        let dir = self.dir.path();
        // ssh's own messages (a changed host key, a refused key) go to a file read by
        // `Self::log`: gitoxide does not pass them on.
        let mut args =
            vec!["-F".to_owned(), "/dev/null".to_owned(), "-E".to_owned(), dir.join("ssh.log").display().to_string()];
        let options = [
            "BatchMode=yes".to_owned(),
            "IdentitiesOnly=yes".to_owned(),
            "IdentityAgent=none".to_owned(),
            format!("IdentityFile={}", dir.join("key").display()),
            format!("UserKnownHostsFile={}", dir.join("known_hosts").display()),
            "GlobalKnownHostsFile=/dev/null".to_owned(),
            "StrictHostKeyChecking=yes".to_owned(),
            format!("HostKeyAlias={HOST_KEY_ALIAS}"),
            "UpdateHostKeys=no".to_owned(),
            "CheckHostIP=no".to_owned(),
            "PasswordAuthentication=no".to_owned(),
            "KbdInteractiveAuthentication=no".to_owned(),
            "ForwardAgent=no".to_owned(),
            "ForwardX11=no".to_owned(),
            "ClearAllForwardings=yes".to_owned(),
            "ControlPath=none".to_owned(),
            "ConnectTimeout=20".to_owned(),
            "ServerAliveInterval=15".to_owned(),
            "ServerAliveCountMax=4".to_owned(),
            "LogLevel=ERROR".to_owned(),
        ];
        for option in options {
            args.push("-o".to_owned());
            args.push(option);
        }
        args
    }

    /// What `ssh` said about its connections so far (errors only).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ssh.log")).unwrap_or_default()
    }

    /// `ssh` with [`Self::options`] as one shell command line (gitoxide's `core.sshCommand`).
    pub fn command_line(&self) -> String {
        let quoted: Vec<String> =
            self.options().iter().map(|arg| format!("'{}'", arg.replace('\'', r"'\''"))).collect();
        format!("ssh {}", quoted.join(" "))
    }
}

/// Creates `path` readable and writable by its owner only, as `ssh` demands of a key.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())
}

/// Why `ssh` (or the server behind it) failed, from its error output, in words for the
/// person who gave the key. `None` when the output says nothing recognisable.
pub fn failure_reason(stderr: &str) -> Option<&'static str> {
    let said = |text: &str| stderr.contains(text);
    if said("Host key verification failed") || said("REMOTE HOST IDENTIFICATION HAS CHANGED") {
        Some(
            "the server's host key is not the pinned one (the server changed, or it is not the server it claims to be)",
        )
    } else if said("Permission denied") {
        Some("the deploy key was refused (is it added to the repository, with read access?)")
    } else if said("does not appear to be a git repository") || said("not found") || said("does not exist") {
        Some("the repository was not found at this address (or the deploy key cannot see it)")
    } else if said("Could not resolve hostname") {
        Some("the SSH server's name could not be resolved")
    } else if said("Connection refused") || said("timed out") || said("No route to host") {
        Some("the SSH server could not be reached")
    } else if said("load key") || said("invalid format") || said("passphrase") {
        Some("the deploy key could not be read (a key with a passphrase cannot be used)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIEGWFvKDoHm3xw+/qhol8XEWmdD3znSfqp4UQV+De/gD";

    #[test]
    fn host_keys_are_read_from_keyscan_lines_and_must_name_their_own_type() {
        let key = format!("ssh-ed25519 {ED25519}");
        assert_eq!(parse_host_key(&key), Ok(key.clone()));
        assert_eq!(parse_host_key(&format!("[127.0.0.1]:2222 ssh-ed25519 {ED25519}\n")), Ok(key.clone()));
        assert!(parse_host_key(&format!("ssh-rsa {ED25519}")).is_err(), "an ed25519 blob called rsa");
        assert!(parse_host_key("ssh-ed25519 not*base64").is_err());
        assert!(parse_host_key("ssh-dss AAAA").is_err());
    }

    #[test]
    fn addresses_default_to_the_git_account_and_quote_the_path_for_the_server_shell() {
        let address = SshAddress::of("ssh://example.org:2222/srv/it's.git").expect("ssh");
        assert_eq!((address.user.as_str(), address.host.as_str(), address.port), ("git", "example.org", Some(2222)));
        assert_eq!(address.upload_pack(), r"git-upload-pack '/srv/it'\''s.git'");
        assert_eq!(SshAddress::of("https://example.org/a"), None);
    }

    #[test]
    fn a_session_keeps_the_key_private_and_trusts_only_the_pinned_host_key() {
        let credential = Credential {
            username: "git".into(),
            secret: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n".into(),
            host_key: Some(format!("ssh-ed25519 {ED25519}")),
        };
        let session = SshSession::new(&credential).expect("session");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(session.key_file()).expect("key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let options = session.options().join(" ");
        for expected in ["-F /dev/null", "IdentityAgent=none", "StrictHostKeyChecking=yes", "BatchMode=yes"] {
            assert!(options.contains(expected), "{expected} in {options}");
        }
        assert!(!session.command_line().contains("PRIVATE KEY"), "the key is passed as a file");
        let dir = session.key_file().parent().map(Path::to_path_buf).expect("dir");
        drop(session);
        assert!(!dir.exists(), "removed with the session");
    }
}
