//! A credential is checked when it is given, not at the first sync: gitdash asks the server
//! for the repository's references over Git's smart HTTP protocol (`info/refs`), with the
//! credential, and says at once whether it was refused or the repository is not there.
//! Redirects are followed only within the repository's origin, so the credential never
//! reaches another host.

use std::time::Duration;

use gitdash_shared::{credentials::Credential, repo_url::RepoUrl};
use reqwest::{StatusCode, redirect};

/// Why a credential cannot be used with a repository, in words for the person giving it.
pub async fn check(url: &RepoUrl, credential: &Credential, allow_plain_http: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url.as_str()).map_err(|e| format!("the repository URL is not valid: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_plain_http => {}
        "http" => {
            return Err("credentials are only sent over https:// (plain http:// would show them to the network)".into());
        }
        other => return Err(format!("credentials are used over https:// only, not {other}://")),
    }
    let origin = parsed.origin();
    let client = reqwest::Client::builder()
        .redirect(redirect::Policy::custom(move |attempt| {
            if attempt.url().origin() == origin && attempt.previous().len() < 5 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .timeout(Duration::from_secs(20))
        .user_agent(concat!("git/2 (gitdash ", env!("CARGO_PKG_VERSION"), ")"))
        .build()
        .map_err(|_| "the credential could not be checked".to_owned())?;
    let refs = format!("{}/info/refs?service=git-upload-pack", url.as_str().trim_end_matches('/'));
    let answer = client
        .get(&refs)
        .basic_auth(&credential.username, Some(&credential.secret))
        .send()
        .await
        .map_err(|e| format!("the server could not be reached to check the credential: {}", without_url(&e)))?;
    let status = answer.status();
    let git = answer
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-git-upload-pack-advertisement"));
    match status {
        StatusCode::OK if git => Ok(()),
        StatusCode::OK => Err("this URL does not serve a Git repository over HTTP".into()),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            Err("the credential was refused (expired or revoked, or without read access?)".into())
        }
        StatusCode::NOT_FOUND => {
            Err("the repository was not found at this URL (or the credential cannot see it)".into())
        }
        status if status.is_redirection() => {
            Err("the server sent the check to another host; the credential was not sent there".into())
        }
        status => Err(format!("the server answered {} to the credential check", status.as_u16())),
    }
}

/// reqwest's error text names the URL; the reason alone is enough here.
fn without_url(err: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(err);
    let mut last = None;
    while let Some(cause) = source {
        last = Some(cause.to_string());
        source = cause.source();
    }
    last.unwrap_or_else(|| if err.is_timeout() { "timed out".into() } else { "connection failed".into() })
}
