//! What the API sends and receives. Field names follow the database columns.

use chrono::{DateTime, Utc};
use gitdash_shared::{
    credentials,
    entities::{commit, sync_run},
    queries::{credentials::CredentialInfo, repositories::RepositoryDetail},
};

use crate::repository_actions::GivenCredential;
use poem_openapi::{Enum, Object};

#[derive(Debug, Object)]
pub struct NewRepository {
    /// An https://, http:// or git:// URL, an ssh:// URL or git@host:owner/repo address
    /// (with a deploy key), or a local path where the server allows them.
    pub url: String,
    /// For a private repository: checked against the server before the repository is
    /// added, then stored encrypted and never shown again.
    pub credential: Option<NewCredential>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CredentialKind {
    /// An access token (GitHub, GitLab, Gitea/Forgejo, Bitbucket; personal, fine-grained,
    /// project or deploy), read-only is enough.
    Token,
    /// A user name and password.
    Password,
    /// An SSH deploy key: an OpenSSH private key without a passphrase (ed25519 is best),
    /// for ssh:// URLs and git@host:owner/repo addresses.
    #[oai(rename = "ssh_key")]
    SshKey,
}

impl From<CredentialKind> for credentials::CredentialKind {
    fn from(kind: CredentialKind) -> Self {
        match kind {
            CredentialKind::Token => credentials::CredentialKind::Token,
            CredentialKind::Password => credentials::CredentialKind::Password,
            CredentialKind::SshKey => credentials::CredentialKind::SshKey,
        }
    }
}

/// A credential as it is given; it is never sent back.
#[derive(Object)]
pub struct NewCredential {
    pub kind: CredentialKind,
    /// For a token, the user name its host expects by default (GitHub `x-access-token`,
    /// GitLab `oauth2`, Bitbucket `x-token-auth`, elsewhere `git`); for a password, required.
    pub username: Option<String>,
    /// The token, the password or the private key.
    #[oai(write_only, validator(min_length = 1, max_length = 16384))]
    pub secret: String,
    /// For a deploy key, the server's host key to trust (`ssh-ed25519 AAAA...`, or a line of
    /// `ssh-keyscan`); when left out, the key the server shows now is pinned and shown in
    /// the answer.
    #[oai(validator(max_length = 16384))]
    pub host_key: Option<String>,
}

// Written by hand so that the secret never reaches a log line.
impl std::fmt::Debug for NewCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCredential").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl NewCredential {
    pub fn given(&self) -> GivenCredential {
        GivenCredential {
            kind: self.kind.into(),
            username: self.username.clone(),
            secret: self.secret.clone(),
            host_key: self.host_key.clone(),
        }
    }
}

/// What anyone may know of a repository's credential.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CredentialSummary {
    /// `token`, `password` or `ssh_key`.
    pub kind: String,
    pub set_at: DateTime<Utc>,
    /// The id of the user who set it.
    pub set_by: Option<i64>,
    /// For a deploy key, the server's host key it trusts (public).
    pub host_key: Option<String>,
}

impl From<CredentialInfo> for CredentialSummary {
    fn from(info: CredentialInfo) -> Self {
        Self { kind: info.kind, set_at: info.set_at, set_by: info.set_by, host_key: info.host_key }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Repository {
    pub id: i64,
    /// The URL in normalized form.
    pub url: String,
    pub name: String,
    pub default_branch: Option<String>,
    /// The commit the default branch pointed to at the last successful sync.
    pub head_sha: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub commit_count: u64,
    pub latest_sync: Option<SyncRun>,
    /// Present when the repository is fetched with a credential.
    pub credential: Option<CredentialSummary>,
}

impl From<RepositoryDetail> for Repository {
    fn from(detail: RepositoryDetail) -> Self {
        let r = detail.repository;
        Self {
            id: r.id,
            url: r.url,
            name: r.name,
            default_branch: r.default_branch,
            head_sha: r.head_sha,
            created_at: r.created_at,
            last_synced_at: r.last_synced_at,
            commit_count: detail.commit_count,
            latest_sync: detail.latest_sync.map(SyncRun::from),
            credential: detail.credential.map(CredentialSummary::from),
        }
    }
}

#[derive(Debug, Object)]
pub struct RepositoryConflict {
    pub message: String,
    /// The repository already added under this URL.
    pub id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SyncState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl From<sync_run::SyncState> for SyncState {
    fn from(state: sync_run::SyncState) -> Self {
        match state {
            sync_run::SyncState::Queued => SyncState::Queued,
            sync_run::SyncState::Running => SyncState::Running,
            sync_run::SyncState::Succeeded => SyncState::Succeeded,
            sync_run::SyncState::Failed => SyncState::Failed,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SyncRun {
    pub id: i64,
    pub repository_id: i64,
    pub state: SyncState,
    /// What the run is doing now, in words.
    pub phase: Option<String>,
    /// Percent done.
    pub progress: i32,
    pub commits_added: i64,
    pub commits_removed: i64,
    /// Why the run failed (or, while queued again, why the last attempt did).
    pub error: Option<String>,
    pub attempt: i32,
    pub queued_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<sync_run::Model> for SyncRun {
    fn from(run: sync_run::Model) -> Self {
        Self {
            id: run.id,
            repository_id: run.repository_id,
            state: run.state.into(),
            phase: run.phase,
            progress: run.progress,
            commits_added: run.commits_added,
            commits_removed: run.commits_removed,
            error: run.error,
            attempt: run.attempt,
            queued_at: run.queued_at,
            started_at: run.started_at,
            finished_at: run.finished_at,
        }
    }
}

/// A commit as one line of a list: what the commits export's CSV holds, one row a commit.
#[derive(Debug, Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct CommitLine {
    pub sha: String,
    pub committed_at: DateTime<Utc>,
    /// After the repository's .mailmap.
    pub author_name: String,
    pub author_email: String,
    pub summary: String,
    /// Absent for merge commits (as are `insertions` and `deletions`).
    pub files_changed: Option<i32>,
    pub insertions: Option<i64>,
    pub deletions: Option<i64>,
}

/// A commit as the API and the JSON export give it: its line, and the rest of its record.
#[derive(Debug, Object, serde::Serialize)]
pub struct Commit {
    #[oai(flatten)]
    #[serde(flatten)]
    pub line: CommitLine,
    pub parent_count: i32,
    pub authored_at: DateTime<Utc>,
    /// The author's time zone, in minutes east of UTC.
    pub author_utc_offset_minutes: i32,
    pub committer_name: String,
    pub committer_email: String,
    pub message: String,
}

impl From<commit::Model> for Commit {
    fn from(c: commit::Model) -> Self {
        Self {
            line: CommitLine {
                sha: c.sha,
                committed_at: c.committed_at,
                author_name: c.author_name,
                author_email: c.author_email,
                summary: c.summary,
                files_changed: c.files_changed,
                insertions: c.insertions,
                deletions: c.deletions,
            },
            parent_count: c.parent_count,
            authored_at: c.authored_at,
            author_utc_offset_minutes: c.author_utc_offset_minutes,
            committer_name: c.committer_name,
            committer_email: c.committer_email,
            message: c.message,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CommitPage {
    /// Newest first.
    pub commits: Vec<Commit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A repository's webhook: where hosts deliver pushes, and the secret they sign them with.
/// The secret is shown in this answer only; ask again for a new one.
#[derive(Debug, Object)]
pub struct WebhookSecret {
    /// Paste as the webhook's URL (payload URL) at the host.
    pub url: String,
    /// Paste as the webhook's secret (GitHub, Gitea, Forgejo: secret; GitLab: secret token).
    pub secret: String,
    pub created_at: DateTime<Utc>,
}
