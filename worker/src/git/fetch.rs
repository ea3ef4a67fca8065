//! Keeping a bare clone of a repository up to date.
//!
//! One code path serves the first sync and every later one: open (or create) the bare
//! repository, then fetch all branches and tags into it with forced refspecs, so a force
//! push on the server is mirrored here. The clone is a cache: when it cannot be opened it is
//! deleted and fetched again from scratch.

use std::{path::Path, sync::atomic::AtomicBool};

use gitdash_shared::{credentials::Credential, ssh::SshSession};
use gix::{
    ObjectId,
    bstr::ByteSlice,
    credentials::helper::Action,
    protocol::handshake::Ref,
    remote::{Direction, fetch::Tags},
};

use super::GitError;

/// What the server's repository looked like at the fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteState {
    /// The default branch (`main`), when the server names one.
    pub default_branch: Option<String>,
    /// The commit the server's HEAD points to; `None` for an empty repository.
    pub head: Option<ObjectId>,
    /// Tag names (without `refs/tags/`) and the objects they point to, annotated tags peeled.
    pub tags: Vec<(String, ObjectId)>,
}

/// Who may be fetched from, checked again by gitoxide itself as a second line of defence.
#[derive(Debug, Clone, Copy)]
pub struct FetchPolicy {
    pub allow_file: bool,
    pub follow_redirects: bool,
}

/// Brings the bare clone at `dir` up to date with `url`, creating it when missing or broken,
/// with `credential` when the repository is private.
pub fn update_clone(
    url: &str,
    dir: &Path,
    policy: FetchPolicy,
    credential: Option<&Credential>,
    interrupt: &AtomicBool,
) -> Result<(gix::Repository, RemoteState), GitError> {
    match fetch_once(url, dir, policy, credential, interrupt) {
        // A clone that fails for reasons of its own (objects gone missing, a damaged pack)
        // is only a cache: start it again from nothing, once.
        Err(GitError::Corrupt(reason) | GitError::Other(reason)) if dir.exists() => {
            tracing::warn!(dir = %dir.display(), %reason, "fetching into the cached clone failed; cloning afresh");
            std::fs::remove_dir_all(dir)
                .map_err(|e| GitError::Other(format!("cannot remove {}: {e}", dir.display())))?;
            fetch_once(url, dir, policy, credential, interrupt)
        }
        other => other,
    }
}

fn fetch_once(
    url: &str,
    dir: &Path,
    policy: FetchPolicy,
    credential: Option<&Credential>,
    interrupt: &AtomicBool,
) -> Result<(gix::Repository, RemoteState), GitError> {
    let mut repo = open_or_init(dir, policy)?;
    if let Some(source) = url.strip_prefix("file://")
        && borrow_local_objects(&repo, Path::new(source))?
    {
        // Opened again so the object store sees the borrowed objects from the start.
        repo = open_or_init(dir, policy)?;
    }
    // Kept until the fetch is over: its files are removed when it is dropped.
    let ssh = use_deploy_key(&mut repo, url, credential)?;
    let state = fetch_into(&repo, url, credential, interrupt).map_err(|err| {
        // What ssh itself said names the failure better than the broken pipe gitoxide saw.
        let said = ssh.as_ref().map(SshSession::log).filter(|log| !log.trim().is_empty());
        match said.map(|log| GitError::classify(&log, None)) {
            Some(GitError::Other(_)) | None => err,
            Some(named) => named,
        }
    });
    let state = state.map_err(|err| match err {
        GitError::AuthenticationRequired if credential.is_some() => GitError::CredentialRefused,
        other => other,
    })?;
    Ok((repo, state))
}

/// For an `ssh://` URL: the deploy key's files, and the clone told, in memory only, to run
/// `ssh` with them and nothing else (see `gitdash_shared::ssh`).
fn use_deploy_key(
    repo: &mut gix::Repository,
    url: &str,
    credential: Option<&Credential>,
) -> Result<Option<SshSession>, GitError> {
    if !url.starts_with("ssh://") {
        return Ok(None);
    }
    let Some(credential) = credential.filter(|c| c.host_key.is_some()) else {
        return Err(GitError::AuthenticationRequired);
    };
    let session = SshSession::new(credential).map_err(GitError::Other)?;
    let settings = [
        format!("core.sshCommand={}", session.command_line()),
        "ssh.variant=ssh".into(),
        "protocol.ssh.allow=always".into(),
    ];
    let mut config = repo.config_snapshot_mut();
    config
        .append_config(settings.iter().map(String::as_str), gix::config::Source::Api)
        .map_err(|e| GitError::Other(e.to_string()))?;
    config.commit().map_err(|e| GitError::Other(e.to_string()))?;
    Ok(Some(session))
}

/// Lets the clone of a local repository read the source's objects in place, as
/// `git clone --shared` does, so a fetch from it transfers only references instead of
/// copying every pack. The source is the truth anyway: if it is repacked, the clone reads
/// the new packs; if it disappears, the sync fails and the clone is rebuilt next time.
/// Returns whether the clone's alternates changed.
fn borrow_local_objects(repo: &gix::Repository, source: &Path) -> Result<bool, GitError> {
    let source =
        gix::open_opts(source, gix::open::Options::isolated()).map_err(|e| GitError::classify(&e.to_string(), None))?;
    let objects = source.objects.store_ref().path().to_path_buf();
    let alternates = repo.objects.store_ref().path().join("info").join("alternates");
    let line = format!("{}\n", objects.display());
    if std::fs::read_to_string(&alternates).ok().as_deref() != Some(line.as_str()) {
        std::fs::create_dir_all(alternates.parent().unwrap_or(Path::new(".")))
            .and_then(|()| std::fs::write(&alternates, line))
            .map_err(|e| GitError::Other(format!("cannot write {}: {e}", alternates.display())))?;
        return Ok(true);
    }
    Ok(false)
}

fn config_overrides(policy: FetchPolicy) -> Vec<String> {
    // Only the transports gitdash supports may be used, whatever the URL turns into.
    let mut values = vec![
        "protocol.allow=never".to_owned(),
        "protocol.https.allow=always".to_owned(),
        "protocol.http.allow=always".to_owned(),
        "protocol.git.allow=always".to_owned(),
        format!("protocol.file.allow={}", if policy.allow_file { "always" } else { "never" }),
        format!("http.followRedirects={}", if policy.follow_redirects { "true" } else { "false" }),
        "credential.helper=".to_owned(),
        // Per reading thread. On git/git 16 MiB is 5 % faster than 8 MiB, and 32 MiB adds
        // 30 MiB of peak memory for 1 % more (scripts/bench-index).
        "core.deltaBaseCacheLimit=16m".to_owned(),
    ];
    values.push("core.askPass=".to_owned());
    values
}

fn open_options(policy: FetchPolicy) -> gix::open::Options {
    gix::open::Options::isolated().config_overrides(config_overrides(policy))
}

/// Opens an existing clone for reading.
pub fn open_clone(dir: &Path, policy: FetchPolicy) -> Result<gix::Repository, GitError> {
    gix::open_opts(dir, open_options(policy))
        .map_err(|e| GitError::Corrupt(format!("cannot open {}: {e}", dir.display())))
}

/// Opens the clone; a clone that is missing or cannot be opened is (re)created.
pub fn open_or_init(dir: &Path, policy: FetchPolicy) -> Result<gix::Repository, GitError> {
    if dir.exists() {
        match gix::open_opts(dir, open_options(policy)) {
            Ok(repo) => return Ok(repo),
            Err(err) => {
                tracing::warn!(dir = %dir.display(), %err, "the cached clone is unusable; fetching it again");
                std::fs::remove_dir_all(dir)
                    .map_err(|e| GitError::Other(format!("cannot remove {}: {e}", dir.display())))?;
            }
        }
    }
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| GitError::Other(format!("cannot create {}: {e}", parent.display())))?;
    }
    gix::init_bare(dir)
        .map_err(|e| GitError::Other(format!("cannot create a repository in {}: {e}", dir.display())))?;
    gix::open_opts(dir, open_options(policy))
        .map_err(|e| GitError::Other(format!("cannot open {}: {e}", dir.display())))
}

/// The scheme, host and port of a URL: what a credential is bound to.
fn origin_of(url: &str) -> Option<(String, String, u16)> {
    let url = url::Url::parse(url).ok()?;
    Some((url.scheme().to_owned(), url.host_str()?.to_ascii_lowercase(), url.port_or_known_default()?))
}

/// Answers gitoxide's requests for credentials: the repository's credential for its own
/// origin (scheme, host and port) and for nothing else, so a redirect to another host never
/// receives it. Without a credential every request is refused: no prompt, no helper, no
/// agent of the machine's user is ever asked.
fn credentials_for(
    url: &str,
    credential: Option<&Credential>,
) -> impl FnMut(Action) -> gix::Result<Option<gix::credentials::protocol::Outcome>> + use<> {
    let origin = origin_of(url);
    let credential = credential.cloned();
    move |action| match action {
        Action::Get(context) => {
            let Some(credential) = &credential else {
                return Err(gix::error::message("authentication required").into());
            };
            let asked = match context.url.as_ref() {
                Some(url) => origin_of(&url.to_string()),
                None => context
                    .protocol
                    .as_ref()
                    .zip(context.host.as_ref())
                    .and_then(|(protocol, host)| origin_of(&format!("{protocol}://{host}/"))),
            };
            if asked.is_none() || asked != origin {
                tracing::warn!("a server asked for the credential from another host; it was not given");
                return Err(gix::error::message("authentication required by another host").into());
            }
            Ok(Some(gix::credentials::protocol::Outcome {
                identity: gix::sec::identity::Account {
                    username: credential.username.clone(),
                    password: credential.secret.clone(),
                    oauth_refresh_token: None,
                },
                next: context.into(),
            }))
        }
        Action::Store(_) | Action::Erase(_) => Ok(None),
    }
}

fn fetch_into(
    repo: &gix::Repository,
    url: &str,
    credential: Option<&Credential>,
    interrupt: &AtomicBool,
) -> Result<RemoteState, GitError> {
    let remote = repo
        .remote_at(url)
        .map_err(|e| GitError::Refused(e.to_string()))?
        .with_fetch_tags(Tags::None)
        .with_refspecs(["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], Direction::Fetch)
        .map_err(|e| GitError::Other(e.to_string()))?;
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| GitError::from_fetch(&e))?
        .with_credentials(credentials_for(url, credential));
    let head_spec = gix::refspec::parse("HEAD".into(), gix::refspec::parse::Operation::Fetch)
        .map_err(|e| GitError::Other(e.to_string()))?
        .to_owned();
    let options = gix::remote::ref_map::Options { extra_refspecs: vec![head_spec], ..Default::default() };
    let prepare = connection.prepare_fetch(gix::progress::Discard, options).map_err(|e| GitError::from_fetch(&e))?;
    let remote_refs = prepare.ref_map().remote_refs.clone();
    let has_refs = remote_refs.iter().any(|r| !matches!(r, Ref::Unborn { .. }));
    if has_refs {
        prepare.receive(gix::progress::Discard, interrupt).map_err(|e| GitError::from_fetch(&e))?;
    }
    remote_state(repo, &remote_refs)
}

fn remote_state(repo: &gix::Repository, refs: &[Ref]) -> Result<RemoteState, GitError> {
    let mut head = None;
    let mut default_branch = None;
    let mut tags = Vec::new();
    let mut branches = Vec::new();
    for r in refs {
        match r {
            Ref::Symbolic { full_ref_name, target, object, .. } if full_ref_name == "HEAD" => {
                head = Some(*object);
                default_branch = target.to_str().ok().and_then(|t| t.strip_prefix("refs/heads/")).map(str::to_owned);
            }
            Ref::Direct { full_ref_name, object } if full_ref_name == "HEAD" => head = Some(*object),
            Ref::Direct { full_ref_name, object } | Ref::Peeled { full_ref_name, object, .. } => {
                let name = full_ref_name.to_str_lossy();
                if let Some(tag) = name.strip_prefix("refs/tags/") {
                    tags.push((tag.to_owned(), *object));
                } else if let Some(branch) = name.strip_prefix("refs/heads/") {
                    branches.push((branch.to_owned(), *object));
                }
            }
            _ => {}
        }
    }
    // A server that does not name its default branch: take the branch HEAD points at,
    // preferring the usual names when several do.
    if default_branch.is_none()
        && let Some(head) = head
    {
        let mut candidates: Vec<_> = branches.iter().filter(|(_, id)| *id == head).map(|(n, _)| n.clone()).collect();
        candidates.sort_by_key(|n| (n != "main", n != "master", n.clone()));
        default_branch = candidates.into_iter().next();
    }
    // Tags advertised without their peeled commit point at tag objects: peel them here.
    let mut peeled = Vec::with_capacity(tags.len());
    for (name, id) in tags {
        if let Ok(object) = repo.find_object(id)
            && let Ok(target) = object.peel_tags_to_end()
            && target.kind == gix::object::Kind::Commit
        {
            peeled.push((name, target.id));
        }
    }
    peeled.sort();
    Ok(RemoteState { default_branch, head, tags: peeled })
}
