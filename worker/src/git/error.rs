//! Git failures sorted into the ones worth retrying and the ones a person has to fix.

/// A failure while fetching or reading a repository, with a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitError {
    #[error("the repository was not found at this URL (or it is private)")]
    NotFound,
    #[error(
        "this repository needs a credential (the server asks for credentials): add an access token or deploy key to it in gitdash"
    )]
    AuthenticationRequired,
    #[error(
        "the SSH server's host key is not the one pinned for this repository (the server changed, or it is not the server it claims to be): check it, then set the deploy key again to pin the new one"
    )]
    HostKeyChanged,
    #[error("the credential was refused (expired or revoked?): replace it with a working one")]
    CredentialRefused,
    #[error("this URL does not serve a Git repository: {0}")]
    NotARepository(String),
    #[error("the URL is refused: {0}")]
    Refused(String),
    #[error("the network failed while talking to the server: {0}")]
    Network(String),
    #[error("the repository data is damaged: {0}")]
    Corrupt(String),
    #[error("the sync was interrupted")]
    Interrupted,
    #[error("git error: {0}")]
    Other(String),
}

impl GitError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, GitError::Network(_) | GitError::Interrupted | GitError::Other(_))
    }

    /// Sorts a gitoxide fetch error by what its chain of causes says.
    pub fn from_fetch(err: &gix::Error) -> Self {
        let mut text = String::new();
        let mut io_kind = None;
        for cause in err.iter_errors() {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause.to_string());
            if io_kind.is_none() {
                io_kind = cause.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
            }
        }
        if text.is_empty() {
            text = err.to_string();
        }
        Self::classify(&text, io_kind)
    }

    pub fn classify(text: &str, io_kind: Option<std::io::ErrorKind>) -> Self {
        use std::io::ErrorKind::*;
        // URLs and addresses are taken out first: a port such as 38403 or a path such as
        // /404/ must not read as an HTTP status.
        let lower = without_addresses(&text.to_ascii_lowercase());
        let short = shorten(text);
        if lower.contains("interrupt") {
            return GitError::Interrupted;
        }
        if lower.contains("host key verification failed") || lower.contains("remote host identification has changed") {
            return GitError::HostKeyChanged;
        }
        if io_kind == Some(PermissionDenied)
            || mentions_status(&lower, "401")
            || mentions_status(&lower, "403")
            || lower.contains("authentication")
            || lower.contains("credentials")
            || lower.contains("permission denied")
        {
            return GitError::AuthenticationRequired;
        }
        if lower.contains("valid git directory") || lower.contains("not a git repository") {
            return GitError::NotARepository(short);
        }
        if mentions_status(&lower, "404")
            || lower.contains("not found")
            || lower.contains("does not appear to be a git repository")
            || lower.contains("does not exist")
            || lower.contains("no such file or directory")
        {
            return GitError::NotFound;
        }
        if let Some(kind) = io_kind
            && matches!(
                kind,
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | TimedOut
                    | BrokenPipe
                    | UnexpectedEof
                    | NotConnected
                    | HostUnreachable
                    | NetworkUnreachable
            )
        {
            return GitError::Network(short);
        }
        if ["timed out", "timeout", "connection", "dns", "resolve", "network", "tls", "eof", "reset"]
            .iter()
            .any(|needle| lower.contains(needle))
            || ["500", "502", "503", "504"].iter().any(|code| mentions_status(&lower, code))
        {
            return GitError::Network(short);
        }
        if ["protocol", "packet line", "pkt-line", "content-type", "unexpected", "invalid", "service", "handshake"]
            .iter()
            .any(|needle| lower.contains(needle))
        {
            return GitError::NotARepository(short);
        }
        GitError::Other(short)
    }
}

/// The text with every URL and `host:port` replaced by `<address>`.
fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| "()[]<>'\"`,;".contains(c));
            let is_address = bare.contains("://")
                || bare.rsplit_once(':').is_some_and(|(host, port)| {
                    !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                });
            if is_address { "<address>" } else { word }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `code` appears as a number of its own, not inside a longer one.
fn mentions_status(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == ':' || c == '/')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '/')
    })
}

/// Keeps messages readable on a page: one line, bounded length.
fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 300 { one_line.chars().take(300).chain("…".chars()).collect() } else { one_line }
}

#[cfg(test)]
mod tests {
    use super::GitError;

    #[test]
    fn a_not_found_answer_from_a_port_that_contains_403_is_still_not_found() {
        let text = "Received HTTP status 404: HTTP status client error (404 Not Found) for url \
                    (http://127.0.0.1:38403/nothing-here.git/info/refs?service=git-upload-pack)";
        assert_eq!(GitError::classify(text, None), GitError::NotFound);
    }

    #[test]
    fn numbers_in_a_path_are_not_statuses() {
        let text = "Received HTTP status 404 for url (https://example.org/401/500/repo.git)";
        assert_eq!(GitError::classify(text, None), GitError::NotFound);
    }

    #[test]
    fn a_401_or_permission_denied_asks_for_credentials() {
        assert_eq!(GitError::classify("Received HTTP status 401", None), GitError::AuthenticationRequired);
        assert_eq!(
            GitError::classify("authentication required", Some(std::io::ErrorKind::PermissionDenied)),
            GitError::AuthenticationRequired
        );
    }

    #[test]
    fn server_errors_and_refused_connections_are_worth_retrying() {
        assert!(GitError::classify("Received HTTP status 503", None).is_transient());
        assert!(
            GitError::classify("tcp connect to 127.0.0.1:404 failed", Some(std::io::ErrorKind::ConnectionRefused))
                .is_transient()
        );
    }
}
