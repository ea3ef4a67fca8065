//! The command line of `gitdash-worker`.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use gitdash_shared::{
    Config,
    queries::{
        Caller, commits,
        repositories::{self, CreateOutcome},
        sync_runs::{self, Claim},
    },
    repo_url::RepoUrl,
};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use crate::{
    consumer,
    job::sync_with_lease,
    sync::{Progress, SyncContext},
};

#[derive(Debug, Parser)]
#[command(name = "gitdash-worker", version, about = "Takes repository-sync jobs from Redis and indexes Git histories")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Take sync jobs from the queue until stopped (the default).
    Run,
    /// Index one repository now, in the foreground, and exit. Adds it when new. Local paths
    /// and private addresses are allowed here: whoever runs this command is the operator.
    Index {
        /// A repository URL (https://, http://, git://) or a local path.
        target: String,
    },
    /// Check that the database and Redis answer, then exit (0 when healthy).
    Check,
    /// Seal every stored credential again under a new key: the current key in
    /// GITDASH_CREDENTIALS_KEY, the new one in GITDASH_NEW_CREDENTIALS_KEY (environment
    /// variables, so no key shows in the process list). Then make the new key
    /// GITDASH_CREDENTIALS_KEY everywhere. All or nothing.
    RotateCredentialsKey,
}

pub async fn main(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => consumer::run(config, shutdown_signal()).await,
        Command::Index { target } => index(config, &target).await,
        Command::Check => check(config).await,
        Command::RotateCredentialsKey => rotate_credentials_key(config).await,
    }
}

/// The new key for `rotate-credentials-key`.
const NEW_KEY_VARIABLE: &str = "GITDASH_NEW_CREDENTIALS_KEY";

async fn rotate_credentials_key(config: Config) -> anyhow::Result<()> {
    use gitdash_shared::credentials::{CredentialsKey, KEY_VARIABLE};
    let old = config.credentials_key.clone().with_context(|| format!("{KEY_VARIABLE}: set it to the current key"))?;
    let new = std::env::var(NEW_KEY_VARIABLE)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .with_context(|| format!("{NEW_KEY_VARIABLE}: set it to the new key (openssl rand -base64 32)"))?;
    let new = CredentialsKey::parse(&new).map_err(|message| anyhow::anyhow!("{NEW_KEY_VARIABLE}: {message}"))?;
    let db = gitdash_shared::db::connect(&config.database_url).await?;
    let txn = gitdash_shared::db::begin_write(&db).await?;
    match gitdash_shared::queries::credentials::reseal_all(&txn, &old, &new).await? {
        Ok(count) => {
            txn.commit().await?;
            println!("{count} credentials sealed under the new key; now set {KEY_VARIABLE} to it everywhere");
            Ok(())
        }
        Err((repository, err)) => {
            txn.rollback().await?;
            bail!("nothing changed: the credential of repository {repository} does not open: {err}")
        }
    }
}

async fn index(mut config: Config, target: &str) -> anyhow::Result<()> {
    config.allow_local_repos = true;
    config.allow_private_networks = true;
    let db = gitdash_shared::db::connect(&config.database_url).await?;
    let url = RepoUrl::parse(target, config.url_policy()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let repository = match repositories::create(&db, &url, &Caller::OPERATOR).await? {
        CreateOutcome::Created(r) | CreateOutcome::AlreadyExists(r) => r,
    };
    let (run, _) = sync_runs::request(&db, repository.id).await?;
    let worker = format!("cli-{}", consumer::unique_worker_name());
    let run = match sync_runs::claim(&db, run.id, &worker).await? {
        Claim::Claimed(run) => run,
        Claim::HeldElsewhere { .. } => {
            bail!("a worker is syncing {} right now; try again when it is done", repository.url)
        }
        Claim::Finished => bail!("the sync run ended before it could start"),
    };

    let started = Instant::now();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:20} [{bar:40}] {pos}/{len} commits ({per_sec}, eta {eta})")
            .context("progress bar template")?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let (progress_tx, mut progress_rx) = watch::channel(Progress::default());
    let bar_task = {
        let bar = bar.clone();
        tokio::spawn(async move {
            while progress_rx.changed().await.is_ok() {
                let p = progress_rx.borrow_and_update().clone();
                bar.set_message(p.phase.as_str());
                bar.set_length(p.total);
                bar.set_position(p.done);
            }
        })
    };
    let sync = SyncContext { db: db.clone(), config: std::sync::Arc::new(config), turns: Default::default() };
    let result = sync_with_lease(&sync, run.id, repository.id, &worker, &progress_tx, None).await;
    drop(progress_tx);
    let _ = bar_task.await;
    bar.finish_and_clear();
    match result {
        None => bail!("another worker took the sync over"),
        Some(Ok(outcome)) => {
            sync_runs::succeed(&db, run.id, &worker, outcome.commits_added as i64, outcome.commits_removed as i64)
                .await?;
            let total = commits::count(&db, repository.id).await?;
            println!(
                "{}: {total} commits indexed ({} new, {} removed) in {:.1} s",
                repository.url,
                outcome.commits_added,
                outcome.commits_removed,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some(Err(err)) => {
            sync_runs::fail(&db, run.id, Some(&worker), &err.to_string()).await?;
            bail!("{}: {err}", repository.url)
        }
    }
}

async fn check(config: Config) -> anyhow::Result<()> {
    gitdash_shared::db::connect(&config.database_url).await.context("database")?;
    let mut redis = gitdash_shared::jobs::connect_redis(&config.redis_url).await.context("redis")?;
    let _: String = redis::cmd("PING").query_async(&mut redis).await.context("redis")?;
    println!("database and Redis are reachable");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received; stopping"),
        () = terminate => tracing::info!("SIGTERM received; stopping"),
    }
}
