//! Okta's Users API (`GET /api/v1/users/{id}` with `Authorization: SSWS <token>`): asked once
//! per sign-in, answers cached for a few minutes, 429 honoured through `X-Rate-Limit-Reset`.
//! The original app asked on every request; a session needs it only when it starts.
//! The API token is sent in a header only and never appears in errors or logs.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use gitdash_shared::auth_config::OktaConfig;
use serde::Deserialize;

use super::http;

const CACHE_FOR: Duration = Duration::from_secs(300);
/// A rate limit that resets within this long is waited out once; a longer one fails the
/// sign-in with "try again in N seconds".
const WAIT_AT_MOST: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Deserialize)]
pub struct OktaUser {
    pub status: String,
    #[serde(default)]
    pub profile: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum OktaError {
    #[error("Okta has no such user")]
    NotFound,
    #[error("Okta's rate limit is reached; try again in {0} s")]
    RateLimited(u64),
    #[error("Okta's Users API failed: {0}")]
    Failed(String),
}

pub struct Okta {
    config: OktaConfig,
    http: reqwest::Client,
    cache: Mutex<HashMap<String, (Instant, OktaUser)>>,
}

impl Okta {
    pub fn new(config: OktaConfig) -> Self {
        Self { config, http: http::client(), cache: Mutex::new(HashMap::new()) }
    }

    pub async fn user(&self, id: &str) -> Result<OktaUser, OktaError> {
        if let Some(user) = self.cached(id) {
            return Ok(user);
        }
        let user = match self.fetch(id).await {
            Err(OktaError::RateLimited(wait)) if Duration::from_secs(wait) <= WAIT_AT_MOST => {
                tracing::info!(wait_s = wait, "Okta rate limit reached; waiting for its reset");
                tokio::time::sleep(Duration::from_secs(wait)).await;
                self.fetch(id).await?
            }
            other => other?,
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|_, (at, _)| at.elapsed() < CACHE_FOR);
            cache.insert(id.to_owned(), (Instant::now(), user.clone()));
        }
        Ok(user)
    }

    fn cached(&self, id: &str) -> Option<OktaUser> {
        let cache = self.cache.lock().ok()?;
        cache.get(id).filter(|(at, _)| at.elapsed() < CACHE_FOR).map(|(_, user)| user.clone())
    }

    async fn fetch(&self, id: &str) -> Result<OktaUser, OktaError> {
        let mut url = self.config.org_url.clone();
        url.path_segments_mut()
            .map_err(|()| OktaError::Failed("OKTA_ORG_URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(["api", "v1", "users", id]);
        let response = self
            .http
            .get(url)
            .header("Authorization", format!("SSWS {}", self.config.api_token.expose()))
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|err| OktaError::Failed(err.without_url().to_string()))?;
        match response.status().as_u16() {
            200 => {
                let body = http::read_capped(response).await.map_err(|e| OktaError::Failed(e.to_string()))?;
                serde_json::from_slice(&body).map_err(|e| OktaError::Failed(format!("unexpected answer: {e}")))
            }
            404 => Err(OktaError::NotFound),
            429 => {
                let reset = response
                    .headers()
                    .get("X-Rate-Limit-Reset")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<i64>().ok());
                let now = chrono::Utc::now().timestamp();
                Err(OktaError::RateLimited(reset.map_or(60, |at| (at - now).clamp(1, 3600) as u64)))
            }
            status => Err(OktaError::Failed(format!("HTTP {status}"))),
        }
    }
}
