//! The OpenID Connect provider as gitdash sees it: its discovery document and keys (read at
//! start, retried in the background while it is unreachable), the authorization request, and
//! the checks of the callback: code exchange with PKCE, ID token, UserInfo.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use chrono::Utc;
use gitdash_shared::auth_config::AuthConfig;
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
    core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKeySet, CoreJwsSigningAlgorithm},
};
use serde::{Deserialize, Serialize};

use super::http::{self, HttpError};

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// How long the start waits for the provider before going on without it.
const FIRST_TRY: Duration = Duration::from_secs(5);

/// The JWKS is fetched again for an unknown key at most this often.
const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// Signature algorithms accepted on ID tokens: asymmetric ones only (never `none`, never HMAC
/// keyed with the client secret).
pub const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 8] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
];

/// Claims beyond the standard ones (the groups claim is named by configuration).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub other: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

/// What the provider published, and the keys in two shapes: one for ID tokens
/// (`openidconnect`), one for API access tokens (`jsonwebtoken`).
pub struct Discovered {
    pub metadata: ProviderMetadataWithLogout,
    pub api_keys: jsonwebtoken::jwk::JwkSet,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("{0}")]
    Discovery(String),
    #[error("cannot read the JWKS: {0}")]
    Keys(String),
}

/// Why a callback did not sign anybody in. The text is safe to show: it holds no token.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the sign-in provider is not reachable yet")]
    Unavailable,
    #[error("the code could not be exchanged for tokens: {0}")]
    TokenExchange(String),
    #[error("the provider sent no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    #[error("the UserInfo response was refused: {0}")]
    UserInfo(String),
}

/// A person the provider vouched for.
#[derive(Debug, Clone)]
pub struct Verified {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    pub groups: Vec<String>,
    /// Kept for `id_token_hint` at sign-out.
    pub id_token: String,
}

/// What `/login` needs to remember until the callback.
pub struct AuthorizationStart {
    pub url: url::Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

pub struct Provider {
    config: Arc<AuthConfig>,
    http: reqwest::Client,
    discovered: RwLock<Option<Arc<Discovered>>>,
    last_key_fetch: Mutex<Option<Instant>>,
}

impl Provider {
    pub fn new(config: Arc<AuthConfig>) -> Arc<Self> {
        Arc::new(Self { config, http: http::client(), discovered: RwLock::new(None), last_key_fetch: Mutex::new(None) })
    }

    /// The discovery document and keys, once they have been read.
    pub fn current(&self) -> Option<Arc<Discovered>> {
        self.discovered.read().ok().and_then(|d| d.clone())
    }

    /// Reads the discovery document now (waiting at most [`FIRST_TRY`], so a provider that
    /// hangs cannot hold up the start); on failure keeps trying in the background (1 s,
    /// doubling to 30 s) while the web process serves everything else.
    pub async fn start(self: &Arc<Self>) {
        if tokio::time::timeout(FIRST_TRY, self.try_discover()).await.unwrap_or(false) {
            return;
        }
        let provider = self.clone();
        tokio::spawn(async move {
            let mut delay = Duration::from_secs(1);
            loop {
                tokio::time::sleep(delay).await;
                if provider.try_discover().await {
                    return;
                }
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        });
    }

    async fn try_discover(&self) -> bool {
        match self.discover().await {
            Ok(discovered) => {
                tracing::info!(issuer = %self.config.issuer_url, "sign-in provider discovered");
                self.store(discovered);
                true
            }
            Err(err) => {
                tracing::warn!(issuer = %self.config.issuer_url, error = %err, "sign-in provider not available; retrying");
                false
            }
        }
    }

    async fn discover(&self) -> Result<Discovered, DiscoveryError> {
        let issuer =
            IssuerUrl::new(self.config.issuer_url.clone()).map_err(|e| DiscoveryError::Discovery(e.to_string()))?;
        let http = http::OidcHttp(self.http.clone());
        // Fails when the document's `issuer` is not exactly ours.
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &http)
            .await
            .map_err(|err| DiscoveryError::Discovery(error_chain(&err)))?;
        if metadata.token_endpoint().is_none() {
            return Err(DiscoveryError::Discovery("the provider publishes no token endpoint".into()));
        }
        self.with_fresh_keys(metadata).await
    }

    /// Fetches the JWKS once and parses it for both uses.
    async fn with_fresh_keys(&self, mut metadata: ProviderMetadataWithLogout) -> Result<Discovered, DiscoveryError> {
        let response = self
            .http
            .get(metadata.jwks_uri().url().clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| DiscoveryError::Keys(e.to_string()))?;
        if !response.status().is_success() {
            return Err(DiscoveryError::Keys(format!("HTTP {}", response.status())));
        }
        let body = http::read_capped(response).await.map_err(|e: HttpError| DiscoveryError::Keys(e.to_string()))?;
        let keys: CoreJsonWebKeySet = serde_json::from_slice(&body).map_err(|e| DiscoveryError::Keys(e.to_string()))?;
        metadata = metadata.set_jwks(keys);
        Ok(Discovered { metadata, api_keys: api_keys(&body) })
    }

    fn store(&self, discovered: Discovered) {
        if let Ok(mut slot) = self.discovered.write() {
            *slot = Some(Arc::new(discovered));
        }
    }

    /// Fetches the JWKS again after a token named a key we do not know (the provider rotated
    /// its keys), at most once per [`JWKS_REFRESH_INTERVAL`] so forged key ids cannot turn
    /// gitdash against the provider. Returns whether it fetched.
    pub async fn refresh_keys(&self) -> bool {
        let Some(current) = self.current() else { return false };
        // Taken and stamped under one lock: of many requests naming unknown keys at once,
        // one fetches.
        let due = self
            .last_key_fetch
            .lock()
            .map(|mut last| {
                let due = last.is_none_or(|at| at.elapsed() >= JWKS_REFRESH_INTERVAL);
                if due {
                    *last = Some(Instant::now());
                }
                due
            })
            .unwrap_or(false);
        if !due {
            return false;
        }
        match self.with_fresh_keys(current.metadata.clone()).await {
            Ok(discovered) => {
                tracing::info!("signing keys fetched again after an unknown key id");
                self.store(discovered);
                true
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not fetch the signing keys again");
                false
            }
        }
    }

    fn client(&self, discovered: &Discovered) -> Result<Client, SignInError> {
        let redirect =
            RedirectUrl::new(self.config.redirect_uri()).map_err(|e| SignInError::TokenExchange(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            discovered.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.expose().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// The authorization request: code flow, PKCE S256, fresh state and nonce.
    pub fn authorization(&self) -> Result<AuthorizationStart, SignInError> {
        let discovered = self.current().ok_or(SignInError::Unavailable)?;
        let client = self.client(&discovered)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request =
            client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(AuthorizationStart {
            url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and checks what comes back, as the OpenID relying-party tests do.
    pub async fn finish(&self, code: String, nonce: &str, pkce_verifier: &str) -> Result<Verified, SignInError> {
        let discovered = self.current().ok_or(SignInError::Unavailable)?;
        let client = self.client(&discovered)?;
        let http = http::OidcHttp(self.http.clone());
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SignInError::TokenExchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&http)
            .await
            .map_err(|err| SignInError::TokenExchange(error_chain(&err)))?;
        let id_token = token.id_token().ok_or(SignInError::NoIdToken)?;
        let nonce = Nonce::new(nonce.to_owned());

        // An unknown key id means the provider may have rotated its keys: look once more.
        let (client, claims) = match self.verify_id_token(&client, id_token, &nonce, token.access_token()) {
            Err(err) if is_unknown_key(&err) && self.refresh_keys().await => {
                let discovered = self.current().ok_or(SignInError::Unavailable)?;
                let client = self.client(&discovered)?;
                let claims = self
                    .verify_id_token(&client, id_token, &nonce, token.access_token())
                    .map_err(|e| SignInError::IdToken(error_chain(&e)))?;
                (client, claims)
            }
            Err(err) => return Err(SignInError::IdToken(error_chain(&err))),
            Ok(claims) => (client, claims),
        };
        let subject = claims.subject().clone();
        let id_token_claims: serde_json::Value = payload_json(&id_token.to_string()).unwrap_or_default();

        let mut verified = Verified {
            subject: subject.to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified(),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
            groups: groups(&id_token_claims, &self.config.groups_claim),
            id_token: id_token.to_string(),
        };

        if let Ok(request) = client.user_info(token.access_token().clone(), Some(subject)) {
            let info: UserInfoClaims<OtherClaims, CoreGenderClaim> =
                request.request_async(&http).await.map_err(|err| SignInError::UserInfo(error_chain(&err)))?;
            verified.email = verified.email.or_else(|| info.email().map(|e| e.to_string()));
            verified.email_verified = verified.email_verified.or(info.email_verified());
            verified.name = verified.name.or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.to_string()));
            if verified.groups.is_empty() {
                let other = serde_json::to_value(&info.additional_claims().other).unwrap_or_default();
                verified.groups = groups(&other, &self.config.groups_claim);
            }
        }
        Ok(verified)
    }

    fn verify_id_token<'t>(
        &self,
        client: &Client,
        id_token: &'t openidconnect::core::CoreIdToken,
        nonce: &Nonce,
        access_token: &openidconnect::AccessToken,
    ) -> Result<&'t openidconnect::core::CoreIdTokenClaims, openidconnect::ClaimsVerificationError> {
        let skew = chrono::Duration::from_std(self.config.clock_skew).unwrap_or_default();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(ALLOWED_ALGS)
            .set_time_fn(move || Utc::now() - skew)
            .set_issue_time_verifier_fn(move |iat| {
                if iat > Utc::now() + skew { Err("issued in the future".into()) } else { Ok(()) }
            });
        let claims = id_token.claims(&verifier, nonce)?;
        // `at_hash`, when present, binds the access token to this ID token.
        if let Some(expected) = claims.access_token_hash() {
            let other = |e: &dyn std::fmt::Display| openidconnect::ClaimsVerificationError::Other(e.to_string());
            let alg = id_token.signing_alg().map_err(|e| other(&e))?;
            let key = id_token.signing_key(&verifier).map_err(|e| other(&e))?;
            let actual = AccessTokenHash::from_token(access_token, alg, key).map_err(|e| other(&e))?;
            if actual != *expected {
                return Err(other(&"at_hash does not match the access token"));
            }
        }
        Ok(claims)
    }

    /// Where to send a browser to end its session at the provider, if it supports that.
    pub fn end_session_url(&self, id_token_hint: Option<&str>) -> Option<url::Url> {
        let discovered = self.current()?;
        let endpoint = discovered.metadata.additional_metadata().end_session_endpoint.as_ref()?;
        let mut url = endpoint.url().clone();
        {
            let mut query = url.query_pairs_mut();
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint);
            }
            query.append_pair("post_logout_redirect_uri", &format!("{}/", self.config.public_origin()));
            query.append_pair("client_id", &self.config.client_id);
        }
        Some(url)
    }
}

fn is_unknown_key(err: &openidconnect::ClaimsVerificationError) -> bool {
    matches!(
        err,
        openidconnect::ClaimsVerificationError::SignatureVerification(
            openidconnect::SignatureVerificationError::NoMatchingKey
        )
    )
}

/// The keys `jsonwebtoken` can use; others (encryption keys, unknown types) are skipped.
fn api_keys(body: &[u8]) -> jsonwebtoken::jwk::JwkSet {
    #[derive(Deserialize)]
    struct Raw {
        keys: Vec<serde_json::Value>,
    }
    let keys = serde_json::from_slice::<Raw>(body)
        .map(|raw| raw.keys.into_iter().filter_map(|key| serde_json::from_value(key).ok()).collect())
        .unwrap_or_default();
    jsonwebtoken::jwk::JwkSet { keys }
}

/// The claims of a JWT whose signature has already been checked.
pub fn payload_json(jwt: &str) -> Option<serde_json::Value> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A groups claim: an array of names, or one name.
pub fn groups(claims: &serde_json::Value, claim: &str) -> Vec<String> {
    match claims.get(claim) {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// An error and its causes on one line, for logs and the sign-in error page.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
