//! Git failures sorted into the ones worth retrying and the ones a person has to fix.

/// A failure while fetching or reading a repository, with a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitError {
    #[error("the repository was not found at this URL (or it is private)")]
    NotFound,
    #[error("the server asks for credentials: gitdash fetches public repositories anonymously")]
    AuthenticationRequired,
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
        let lower = text.to_ascii_lowercase();
        let short = shorten(text);
        if lower.contains("interrupt") {
            return GitError::Interrupted;
        }
        if lower.contains("401")
            || lower.contains("403")
            || lower.contains("authentication")
            || lower.contains("credentials")
        {
            return GitError::AuthenticationRequired;
        }
        if lower.contains("valid git directory") || lower.contains("not a git repository") {
            return GitError::NotARepository(short);
        }
        if lower.contains("404")
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
        if [
            "timed out",
            "timeout",
            "connection",
            "dns",
            "resolve",
            "network",
            "tls",
            "eof",
            "500",
            "502",
            "503",
            "504",
            "reset",
        ]
        .iter()
        .any(|needle| lower.contains(needle))
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

/// Keeps messages readable on a page: one line, bounded length.
fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 300 { one_line.chars().take(300).chain("…".chars()).collect() } else { one_line }
}
