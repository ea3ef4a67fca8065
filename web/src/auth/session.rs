//! Server-side sessions in Redis. The browser holds only an opaque random id; Redis holds the
//! session under an HMAC of that id keyed with `SECRET_KEY`, so neither a copy of Redis nor
//! a guessed key name yields a usable cookie. Sessions end on sign-out, after the idle
//! timeout (the Redis TTL, renewed on use) and after their absolute lifetime.
//!
//! The same store keeps the short-lived pre-login state (state, nonce, PKCE verifier,
//! return-to) under the pre-login cookie, and hands it out once only.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use redis::{AsyncCommands, aio::ConnectionManager};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a started sign-in may take before its state is forgotten.
pub const LOGIN_TTL: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub user_id: i64,
    /// Sent back in forms and `X-CSRF-Token` headers.
    pub csrf_token: String,
    /// For `id_token_hint` at sign-out.
    pub id_token: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginState {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the session store (Redis) is unavailable: {0}")]
pub struct StoreError(#[from] redis::RedisError);

#[derive(Clone)]
pub struct Sessions {
    redis: ConnectionManager,
    key: Vec<u8>,
    idle: Duration,
    lifetime: Duration,
}

impl Sessions {
    pub fn new(redis: ConnectionManager, secret_key: &str, idle: Duration, lifetime: Duration) -> Self {
        Self { redis, key: secret_key.as_bytes().to_vec(), idle, lifetime }
    }

    /// A new random id: 256 bits, URL-safe.
    pub fn new_id() -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    }

    fn redis_key(&self, kind: &str, id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("gitdash:{kind}:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest))
    }

    /// Starts a session for `user_id`; returns the id for the cookie.
    pub async fn create(&self, user_id: i64, id_token: Option<String>) -> Result<String, StoreError> {
        let id = Self::new_id();
        let session =
            Session { user_id, csrf_token: Self::new_id(), id_token, created_at: chrono::Utc::now().timestamp() };
        let json = serde_json::to_string(&session).unwrap_or_default();
        let _: () = self.redis.clone().set_ex(self.redis_key("session", &id), json, self.idle.as_secs()).await?;
        Ok(id)
    }

    /// The live session with this id, its idle timer restarted; `None` when it has ended.
    pub async fn load(&self, id: &str) -> Result<Option<Session>, StoreError> {
        if id.len() > 64 {
            return Ok(None);
        }
        let key = self.redis_key("session", id);
        let mut redis = self.redis.clone();
        let json: Option<String> = redis.get(&key).await?;
        let Some(session) = json.and_then(|j| serde_json::from_str::<Session>(&j).ok()) else {
            return Ok(None);
        };
        let age = chrono::Utc::now().timestamp() - session.created_at;
        let remaining = self.lifetime.as_secs() as i64 - age;
        if remaining <= 0 {
            let _: () = redis.del(&key).await?;
            return Ok(None);
        }
        let ttl = (self.idle.as_secs() as i64).min(remaining);
        let _: () = redis.expire(&key, ttl).await?;
        Ok(Some(session))
    }

    pub async fn destroy(&self, id: &str) -> Result<(), StoreError> {
        let _: () = self.redis.clone().del(self.redis_key("session", id)).await?;
        Ok(())
    }

    /// Remembers a started sign-in; returns the id for the pre-login cookie.
    pub async fn save_login(&self, login: &LoginState) -> Result<String, StoreError> {
        let id = Self::new_id();
        let json = serde_json::to_string(login).unwrap_or_default();
        let _: () = self.redis.clone().set_ex(self.redis_key("login", &id), json, LOGIN_TTL.as_secs()).await?;
        Ok(id)
    }

    /// Takes a started sign-in out of the store: a callback URL works once.
    pub async fn take_login(&self, id: &str) -> Result<Option<LoginState>, StoreError> {
        if id.len() > 64 {
            return Ok(None);
        }
        let json: Option<String> = self.redis.clone().get_del(self.redis_key("login", id)).await?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }
}
