//! `Authorization: Bearer <access token>` for the API: a JWT from our issuer, checked against
//! its JWKS — signature with an allow-listed asymmetric algorithm (`none` cannot even be
//! parsed), `iss`, `aud` equal to `OIDC_API_AUDIENCE`, `exp` and `nbf` with the configured
//! leeway. A token naming an unknown key makes us fetch the JWKS again (rate-limited).

use gitdash_shared::auth_config::AuthConfig;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::Jwk};

use super::provider::{self, Provider};

const ALLOWED: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Who a valid access token speaks for.
#[derive(Debug, Clone)]
pub struct TokenIdentity {
    /// Okta's `uid` (the user id, as the ID token's `sub`) when present, else `sub`.
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub groups: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    #[error("the sign-in provider is not reachable yet")]
    Unavailable,
    #[error("{0}")]
    Invalid(String),
}

pub async fn verify(provider: &Provider, config: &AuthConfig, token: &str) -> Result<TokenIdentity, BearerError> {
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| BearerError::Invalid(format!("malformed token: {e}")))?;
    if !ALLOWED.contains(&header.alg) {
        return Err(BearerError::Invalid(format!("algorithm {:?} is not accepted", header.alg)));
    }
    let mut claims = try_keys(provider, config, token, &header);
    if matches!(claims, Err(KeyOutcome::NoKey)) && provider.refresh_keys().await {
        claims = try_keys(provider, config, token, &header);
    }
    let claims = claims.map_err(|outcome| match outcome {
        KeyOutcome::Unavailable => BearerError::Unavailable,
        KeyOutcome::NoKey => BearerError::Invalid("no key of the provider matches the token".into()),
        KeyOutcome::Refused(reason) => BearerError::Invalid(reason),
    })?;
    let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let subject =
        text("uid").or_else(|| text("sub")).ok_or_else(|| BearerError::Invalid("the token has no sub".into()))?;
    Ok(TokenIdentity {
        subject,
        email: text("email"),
        name: text("name"),
        groups: provider::groups(&claims, &config.groups_claim),
    })
}

enum KeyOutcome {
    Unavailable,
    NoKey,
    Refused(String),
}

fn try_keys(
    provider: &Provider,
    config: &AuthConfig,
    token: &str,
    header: &jsonwebtoken::Header,
) -> Result<serde_json::Value, KeyOutcome> {
    let discovered = provider.current().ok_or(KeyOutcome::Unavailable)?;
    let candidates: Vec<&Jwk> = match &header.kid {
        Some(kid) => discovered.api_keys.keys.iter().filter(|k| k.common.key_id.as_deref() == Some(kid)).collect(),
        // No `kid`: one key is unambiguous; with several, each is tried.
        None => discovered.api_keys.keys.iter().collect(),
    };
    let candidates: Vec<&Jwk> = candidates.into_iter().filter(|k| key_fits(k, header.alg)).collect();
    if candidates.is_empty() {
        return Err(KeyOutcome::NoKey);
    }
    let mut validation = Validation::new(header.alg);
    validation.algorithms = vec![header.alg];
    validation.leeway = config.clock_skew.as_secs();
    validation.validate_nbf = true;
    validation.set_issuer(&[&config.issuer_url]);
    validation.set_audience(&[&config.api_audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let mut last = String::new();
    for jwk in candidates {
        let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
        match jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(err) => last = describe(&err),
        }
    }
    Err(KeyOutcome::Refused(last))
}

/// A key may sign with `alg` if its use is signing and its own `alg`, when stated, matches.
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let use_ok = !matches!(jwk.common.public_key_use, Some(jsonwebtoken::jwk::PublicKeyUse::Encryption));
    let alg_ok = jwk.common.key_algorithm.is_none_or(|ka| format!("{ka:?}") == format!("{alg:?}"));
    use_ok && alg_ok
}

fn describe(err: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match err.kind() {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet".into(),
        ErrorKind::InvalidIssuer => "the token is from another issuer".into(),
        ErrorKind::InvalidAudience => "the token is for another audience".into(),
        ErrorKind::InvalidSignature => "the token's signature is invalid".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no {claim}"),
        other => format!("the token is invalid: {other:?}"),
    }
}
