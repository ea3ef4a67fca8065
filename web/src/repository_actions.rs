//! What people do to repositories, for the API and the pages alike: add one (the URL is
//! checked against the configured policy, the repository recorded as the caller's, its
//! first sync queued), sync it now, delete it (its rows; the worker removes its clone).

use gitdash_shared::{
    credentials::{Credential, CredentialKind, KEY_VARIABLE},
    entities::repository,
    jobs,
    queries::{
        credentials::{self, CredentialInfo},
        repositories::{self, CreateOutcome, RepositoryDetail},
    },
    repo_url::RepoUrl,
    ssh::{self, SshAddress},
};

use crate::{auth::Identity, credential_check, error::ApiError, ssh_check, state::AppState};

/// A credential as a person gives it: a token (with the user name its host expects unless
/// one is given), a user name and password, or an SSH deploy key (with the server's host
/// key, found by a scan when not given).
pub struct GivenCredential {
    pub kind: CredentialKind,
    pub username: Option<String>,
    pub secret: String,
    pub host_key: Option<String>,
}

// Never prints the secret.
impl std::fmt::Debug for GivenCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GivenCredential({})", self.kind.as_str())
    }
}

/// The credential to store for `url`, checked against its server; the text says why not.
async fn checked_credential(state: &AppState, url: &RepoUrl, given: &GivenCredential) -> Result<Credential, String> {
    if state.config.credentials_key.is_none() {
        return Err(format!(
            "this gitdash cannot store credentials: {KEY_VARIABLE} is not set (the README says how to make one)"
        ));
    }
    if given.secret.trim().is_empty() {
        return Err("the credential is empty".into());
    }
    if url.is_ssh() != (given.kind == CredentialKind::SshKey) {
        return Err(if url.is_ssh() {
            "an SSH address takes a deploy key (kind ssh_key), not a token or password".into()
        } else {
            "a deploy key is used over SSH: give the ssh:// URL or the git@host:owner/repo address".into()
        });
    }
    let host = url::Url::parse(url.as_str()).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    let credential = match given.kind {
        CredentialKind::Token => Credential::token(&host, given.username.as_deref(), given.secret.trim()),
        CredentialKind::Password => match given.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(username) => {
                Credential { username: username.to_owned(), secret: given.secret.clone(), host_key: None }
            }
            None => return Err("a password needs its user name".into()),
        },
        CredentialKind::SshKey => return checked_deploy_key(url, given).await,
    };
    credential_check::check(url, &credential, state.config.allow_private_networks).await?;
    Ok(credential)
}

/// A deploy key with the host key it will trust: the one given, or the one the server
/// shows now (trust on first use, shown to the person afterwards).
async fn checked_deploy_key(url: &RepoUrl, given: &GivenCredential) -> Result<Credential, String> {
    let address = SshAddress::of(url.as_str()).ok_or("the SSH address is not valid")?;
    let host_key = match given.host_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(text) => ssh::parse_host_key(text)?,
        None => ssh_check::scan_host_key(&address).await?,
    };
    let credential = Credential {
        username: address.user.clone(),
        secret: ssh::normalize_private_key(&given.secret)?,
        host_key: Some(host_key),
    };
    ssh_check::check(&address, &credential).await?;
    Ok(credential)
}

pub enum Added {
    Created(Box<RepositoryDetail>),
    /// This URL (or its `.git` twin) was already added.
    AlreadyExists(repository::Model),
    /// The URL is refused; the text says why.
    Refused(String),
}

pub async fn add_repository(
    state: &AppState,
    identity: &Identity,
    url: &str,
    credential: Option<&GivenCredential>,
) -> Result<Added, ApiError> {
    let policy = state.config.url_policy();
    let url = match RepoUrl::parse(url, policy) {
        Ok(url) => url,
        Err(err) => return Ok(Added::Refused(err.to_string())),
    };
    if url.is_ssh() && credential.is_none() {
        return Ok(Added::Refused("an SSH address needs a deploy key (or give the repository's https:// URL)".into()));
    }
    if let Err(err) = url.check_network(policy).await {
        return Ok(Added::Refused(err.to_string()));
    }
    if let Some(existing) = repositories::find_by_url(&state.db, &url).await? {
        return Ok(Added::AlreadyExists(existing));
    }
    let credential = match credential {
        None => None,
        Some(given) => match checked_credential(state, &url, given).await {
            Ok(credential) => Some((given.kind, credential)),
            Err(reason) => return Ok(Added::Refused(reason)),
        },
    };
    // The repository and its credential are stored together or not at all.
    let txn = gitdash_shared::db::begin_write(&state.db).await.map_err(gitdash_shared::QueryError::from)?;
    let repository = match repositories::create(&txn, &url, &identity.caller).await? {
        CreateOutcome::Created(repository) => repository,
        CreateOutcome::AlreadyExists(existing) => return Ok(Added::AlreadyExists(existing)),
    };
    if let (Some((kind, credential)), Some(key)) = (&credential, &state.config.credentials_key) {
        credentials::set(&txn, key, repository.id, *kind, credential, &identity.caller).await?;
    }
    txn.commit().await.map_err(gitdash_shared::QueryError::from)?;
    tracing::info!(repository = repository.id, url = %repository.url, user = identity.user.id, "repository added");
    // A queue outage must not lose the repository: its first sync stays queued, and the
    // workers push it again once Redis answers.
    let _ = request_sync(state, repository.id).await;
    Ok(Added::Created(Box::new(repositories::detail(&state.db, repository.id).await?)))
}

/// Returns the repository's active sync run, queueing a new one (and its job) if needed.
pub async fn request_sync(
    state: &AppState,
    repository_id: i64,
) -> Result<gitdash_shared::entities::sync_run::Model, ApiError> {
    jobs::request_sync(&state.db, &state.queue, repository_id).await.map_err(|err| match err {
        jobs::RequestSyncError::Query(err) => err.into(),
        jobs::RequestSyncError::QueueUnavailable(_) => {
            ApiError::unavailable("the job queue is unavailable; the sync stays queued and starts once it is back")
        }
    })
}

/// Deletes a repository the caller may delete (they added it, or they are an admin). Its
/// clone is the worker's: the worker removes clones whose repository is gone.
pub async fn delete_repository(state: &AppState, identity: &Identity, id: i64) -> Result<repository::Model, ApiError> {
    let repository = repositories::delete(&state.db, id, &identity.caller).await?;
    tracing::info!(repository = repository.id, url = %repository.url, user = identity.user.id, "repository deleted");
    Ok(repository)
}

/// Replaces (or sets) the repository's credential after checking it against its server.
/// `Ok(Err(reason))` when the credential is refused.
pub async fn set_credential(
    state: &AppState,
    identity: &Identity,
    id: i64,
    given: &GivenCredential,
) -> Result<Result<CredentialInfo, String>, ApiError> {
    // Checked before the credential is tried against the server: nobody else may probe it.
    let repository = gitdash_shared::queries::managed_repository(&state.db, id, &identity.caller, "credential").await?;
    let url = match RepoUrl::parse(&repository.url, state.config.url_policy()) {
        Ok(url) => url,
        Err(err) => return Ok(Err(err.to_string())),
    };
    let credential = match checked_credential(state, &url, given).await {
        Ok(credential) => credential,
        Err(reason) => return Ok(Err(reason)),
    };
    let Some(key) = &state.config.credentials_key else {
        return Ok(Err(format!("{KEY_VARIABLE} is not set")));
    };
    let info = credentials::set(&state.db, key, id, given.kind, &credential, &identity.caller).await?;
    tracing::info!(repository = id, user = identity.user.id, kind = given.kind.as_str(), "credential set");
    Ok(Ok(info))
}

/// Removes the repository's credential: it is fetched anonymously again.
pub async fn remove_credential(state: &AppState, identity: &Identity, id: i64) -> Result<(), ApiError> {
    if credentials::remove(&state.db, id, &identity.caller).await? {
        tracing::info!(repository = id, user = identity.user.id, "credential removed");
    }
    Ok(())
}

/// Issues the repository's webhook secret (a new one replaces the last): its URL and the
/// secret, which is shown this once.
pub async fn issue_webhook(state: &AppState, identity: &Identity, id: i64) -> Result<IssuedWebhook, ApiError> {
    let hook = gitdash_shared::queries::webhooks::issue(&state.db, id, &identity.caller).await?;
    tracing::info!(repository = id, user = identity.user.id, "webhook secret issued");
    Ok(IssuedWebhook {
        url: webhook_url(state, id),
        secret: crate::hooks::secret::derive(state.auth.config.secret_key.expose(), id, hook.generation),
        created_at: hook.created_at,
    })
}

/// Where hosts deliver the repository's pushes.
pub fn webhook_url(state: &AppState, id: i64) -> String {
    format!("{}/hooks/{id}", state.auth.config.public_url.as_str().trim_end_matches('/'))
}

pub struct IssuedWebhook {
    pub url: String,
    pub secret: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

// Never prints the secret.
impl std::fmt::Debug for IssuedWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedWebhook").field("url", &self.url).finish_non_exhaustive()
    }
}
