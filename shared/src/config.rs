//! Typed configuration read from the environment once, at start-up. Every error names the
//! variable at fault, so a misconfigured deployment says what to fix.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

/// Settings both processes read. Secrets (database and Redis passwords inside URLs) are never
/// printed: use [`redact_url`] when a URL has to appear in a log line.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub redis_url: String,
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub allow_local_repos: bool,
    pub allow_private_networks: bool,
    /// The Redis queue name: separate gitdash instances sharing one Redis use different ones.
    pub queue_name: String,
    /// How many syncs one worker process runs at once.
    pub worker_concurrency: usize,
    /// How many threads one sync uses to read commits (default: the number of CPUs).
    pub index_threads: usize,
    /// How many times a sync run is started before it is given up as failed.
    pub sync_max_attempts: usize,
    /// The first retry's delay in seconds; each further retry waits four times longer.
    pub sync_retry_delay_seconds: usize,
    /// How often every repository is synced again; `None` when scheduled re-syncs are off.
    pub resync_interval: Option<std::time::Duration>,
    /// Where a worker serves `/healthz`, `/readyz` and `/metrics`; `None` when off.
    pub worker_listen: Option<SocketAddr>,
    /// Authors whose name or email matches are bots, left out of charts unless asked for.
    pub bot_pattern: crate::bots::BotPattern,
    /// Paths whose lines are counted apart as generated (lock files, bundles, vendored code).
    pub generated_paths: crate::generated::GeneratedPaths,
    /// Seals the credentials of private repositories; without it none can be stored or used.
    pub credentials_key: Option<crate::credentials::CredentialsKey>,
    /// Days without a commit after which a person's knowledge counts as at risk.
    pub inactive_after_days: usize,
}

/// The Redis queue name when `GITDASH_QUEUE` is not set; apalis derives its keys from it
/// (`gitdash:sync:active`, ...).
pub const DEFAULT_QUEUE: &str = "gitdash:sync";

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self { variable, message: message.into() }
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can pass a map instead of the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let data_dir = PathBuf::from(get("GITDASH_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => {
                if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err(ConfigError::new(
                        "DATABASE_URL",
                        "must start with sqlite:, postgres:// or postgresql://",
                    ));
                }
                url
            }
            None => default_sqlite_url(&data_dir),
        };
        let redis_url = get("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into());
        if !(redis_url.starts_with("redis://")
            || redis_url.starts_with("rediss://")
            || redis_url.starts_with("unix://"))
        {
            return Err(ConfigError::new("REDIS_URL", "must start with redis://, rediss:// or unix://"));
        }
        let listen_text = get("GITDASH_LISTEN").unwrap_or_else(|| "127.0.0.1:5000".into());
        let listen = listen_text.parse().map_err(|_| {
            ConfigError::new("GITDASH_LISTEN", format!("{listen_text:?} is not an address such as 127.0.0.1:5000"))
        })?;
        Ok(Self {
            database_url,
            redis_url,
            data_dir,
            listen,
            allow_local_repos: flag(&get, "GITDASH_ALLOW_LOCAL_REPOS")?,
            allow_private_networks: flag(&get, "GITDASH_ALLOW_PRIVATE_NETWORKS")?,
            queue_name: get("GITDASH_QUEUE").unwrap_or_else(|| DEFAULT_QUEUE.to_owned()),
            worker_concurrency: count(&get, "GITDASH_WORKER_CONCURRENCY", 2)?,
            index_threads: count(&get, "GITDASH_INDEX_THREADS", default_threads())?,
            sync_max_attempts: count(&get, "GITDASH_SYNC_MAX_ATTEMPTS", 5)?,
            sync_retry_delay_seconds: count(&get, "GITDASH_SYNC_RETRY_DELAY_SECONDS", 5)?,
            inactive_after_days: count(&get, "GITDASH_INACTIVE_AFTER_DAYS", 180)?,
            resync_interval: resync_interval(&get)?,
            worker_listen: match get("GITDASH_WORKER_LISTEN").unwrap_or_else(|| "127.0.0.1:5001".into()) {
                off if off.eq_ignore_ascii_case("off") => None,
                text => Some(text.parse().map_err(|_| {
                    ConfigError::new(
                        "GITDASH_WORKER_LISTEN",
                        format!("{text:?} is not an address such as 127.0.0.1:5001, or off"),
                    )
                })?),
            },
            credentials_key: match get(crate::credentials::KEY_VARIABLE) {
                None => None,
                Some(text) => Some(
                    crate::credentials::CredentialsKey::parse(&text)
                        .map_err(|message| ConfigError::new(crate::credentials::KEY_VARIABLE, message))?,
                ),
            },
            bot_pattern: match get("GITDASH_BOT_PATTERN") {
                None => crate::bots::BotPattern::default(),
                Some(pattern) => crate::bots::BotPattern::new(&pattern).map_err(|err| {
                    ConfigError::new("GITDASH_BOT_PATTERN", format!("not a regular expression: {err}"))
                })?,
            },
            // Set but empty means none: every line counts.
            generated_paths: match lookup("GITDASH_GENERATED_PATHS") {
                None => crate::generated::GeneratedPaths::default(),
                Some(globs) => crate::generated::GeneratedPaths::parse(&globs).map_err(|err| {
                    ConfigError::new("GITDASH_GENERATED_PATHS", format!("not a comma-separated list of globs: {err}"))
                })?,
            },
        })
    }

    /// Where the worker keeps its bare clones: a cache, rebuilt from the URL when missing.
    pub fn clones_dir(&self) -> PathBuf {
        self.data_dir.join("clones")
    }

    /// The bare clone of repository `id` at `url`, e.g. `clones/12-github.com-pallets-flask.git`.
    /// The URL in the name keeps a reused id from ever meeting another repository's clone,
    /// and tells an operator whose clone it is.
    pub fn clone_dir(&self, id: i64, url: &str) -> PathBuf {
        let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let mut slug: String =
            without_scheme.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' }).collect();
        slug = slug.trim_matches(|c| c == '-' || c == '.').to_owned();
        let slug = slug.strip_suffix(".git").unwrap_or(&slug);
        let slug: String = slug.chars().rev().take(80).collect::<Vec<_>>().into_iter().rev().collect();
        self.clones_dir().join(format!("{id}-{slug}.git"))
    }

    /// The policy a repository URL is checked against.
    pub fn url_policy(&self) -> crate::repo_url::UrlPolicy {
        crate::repo_url::UrlPolicy {
            allow_local: self.allow_local_repos,
            allow_private_networks: self.allow_private_networks,
        }
    }
}

fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("gitdash.db").display())
}

fn flag(get: &impl Fn(&str) -> Option<String>, variable: &'static str) -> Result<bool, ConfigError> {
    match get(variable).map(|v| v.to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(ConfigError::new(variable, format!("{v:?} is not one of true, false, 1, 0, yes, no, on, off"))),
    }
}

fn count(get: &impl Fn(&str) -> Option<String>, variable: &'static str, default: usize) -> Result<usize, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=256).contains(&n) => Ok(n),
            _ => Err(ConfigError::new(variable, format!("{v:?} is not a whole number from 1 to 256"))),
        },
    }
}

/// `GITDASH_RESYNC_INTERVAL`: a duration such as `1h` or `15m` (at least 1 s), or `off`.
fn resync_interval(get: &impl Fn(&str) -> Option<String>) -> Result<Option<std::time::Duration>, ConfigError> {
    let text = get("GITDASH_RESYNC_INTERVAL").unwrap_or_else(|| "1h".into());
    if ["off", "0", "false", "never"].contains(&text.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    match humantime::parse_duration(&text) {
        Ok(d) if d >= std::time::Duration::from_secs(1) => Ok(Some(d)),
        _ => Err(ConfigError::new(
            "GITDASH_RESYNC_INTERVAL",
            format!("{text:?} is not a duration such as 1h or 15m, or off"),
        )),
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// The URL with any password replaced, fit for a log line.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_a_sqlite_file_in_the_data_dir_and_local_redis_on_port_5000() {
        let config = config(&[]).expect("defaults are valid");
        assert_eq!(config.database_url, "sqlite://./data/gitdash.db?mode=rwc");
        assert_eq!(config.redis_url, "redis://127.0.0.1:6379");
        assert_eq!(config.listen.to_string(), "127.0.0.1:5000");
        assert!(!config.allow_local_repos && !config.allow_private_networks);
        assert_eq!(config.resync_interval, Some(std::time::Duration::from_secs(3600)), "hourly re-syncs");
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let error = config(&[("GITDASH_LISTEN", "localhost")]).expect_err("not a socket address");
        assert_eq!(error.variable, "GITDASH_LISTEN");
        let error = config(&[("GITDASH_ALLOW_LOCAL_REPOS", "maybe")]).expect_err("not a boolean");
        assert_eq!(error.variable, "GITDASH_ALLOW_LOCAL_REPOS");
        let error = config(&[("GITDASH_WORKER_CONCURRENCY", "0")]).expect_err("zero workers");
        assert_eq!(error.variable, "GITDASH_WORKER_CONCURRENCY");
        let error = config(&[("GITDASH_RESYNC_INTERVAL", "sometimes")]).expect_err("not a duration");
        assert_eq!(error.variable, "GITDASH_RESYNC_INTERVAL");
        let error = config(&[("GITDASH_BOT_PATTERN", "(unclosed")]).expect_err("not a pattern");
        assert_eq!(error.variable, "GITDASH_BOT_PATTERN");
        let error = config(&[("GITDASH_CREDENTIALS_KEY", "hunter2")]).expect_err("not 32 bytes");
        assert_eq!(error.variable, "GITDASH_CREDENTIALS_KEY");
        assert!(!error.to_string().contains("hunter2"), "the value is not echoed");
        let error = config(&[("DATABASE_URL", "mysql://x")]).expect_err("unsupported database");
        assert_eq!(error.variable, "DATABASE_URL");
        assert!(error.to_string().starts_with("DATABASE_URL: "));
    }

    #[test]
    fn clone_directories_are_named_after_the_id_and_url() {
        let config = config(&[("GITDASH_DATA_DIR", "/srv/gitdash")]).expect("valid");
        assert_eq!(
            config.clone_dir(12, "https://github.com/pallets/flask.git"),
            PathBuf::from("/srv/gitdash/clones/12-github.com-pallets-flask.git")
        );
        assert_eq!(config.clone_dir(3, "file:///tmp/x/../y"), PathBuf::from("/srv/gitdash/clones/3-tmp-x-..-y.git"));
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redact_url("postgres://me:secret@db/x"), "postgres://me:***@db/x");
        assert_eq!(redact_url("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
