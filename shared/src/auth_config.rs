//! Sign-in settings of the web process, read from the environment at start-up. Every error
//! names the variables at fault. Secrets are held in [`Secret`], whose `Debug` and `Display`
//! never show the value, so a logged config cannot leak them.

use std::{path::Path, time::Duration};

use serde::Deserialize;
use url::Url;

use crate::config::ConfigError;

/// A value that must never reach a log line or a page.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct OktaConfig {
    /// `https://{your-org}.okta.com`
    pub org_url: Url,
    pub api_token: Secret,
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The provider's issuer exactly as its discovery document must state it.
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
    /// Where browsers reach gitdash; the redirect URI is this plus `/oidc/callback`.
    pub public_url: Url,
    /// Keys the session ids stored in Redis: a copy of Redis holds no usable cookie.
    pub secret_key: Secret,
    /// The `aud` every Bearer access token must carry.
    pub api_audience: String,
    pub groups_claim: String,
    /// Lower-case domains; empty means any.
    pub allowed_email_domains: Vec<String>,
    /// Empty means any.
    pub allowed_groups: Vec<String>,
    pub admin_group: Option<String>,
    pub okta: Option<OktaConfig>,
    pub session_idle_timeout: Duration,
    pub session_lifetime: Duration,
    /// Leeway for `exp`, `nbf` and `iat` between our clock and the provider's.
    pub clock_skew: Duration,
}

/// The `openidconnect_secrets.json` file of the original Flask app (flask-oidc's format).
#[derive(Debug, Deserialize)]
struct ClientSecretsFile {
    web: ClientSecretsWeb,
}

#[derive(Debug, Deserialize)]
struct ClientSecretsWeb {
    client_id: Option<String>,
    client_secret: Option<String>,
    issuer: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
}

impl AuthConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let file = match get("OIDC_CLIENT_SECRETS") {
            Some(path) => Some(read_client_secrets(Path::new(&path))?),
            None => None,
        };
        let from_file = |pick: fn(&ClientSecretsWeb) -> Option<String>| file.as_ref().and_then(|f| pick(&f.web));

        let issuer_url = get("OIDC_ISSUER_URL").or_else(|| from_file(|w| w.issuer.clone())).ok_or_else(|| {
            ConfigError::new(
                "OIDC_ISSUER_URL",
                "is required: the OpenID Connect issuer, e.g. https://{your-org}.okta.com/oauth2/default",
            )
        })?;
        let issuer = parse_http_url("OIDC_ISSUER_URL", &issuer_url)?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(ConfigError::new("OIDC_ISSUER_URL", "must not have a query or fragment"));
        }
        let client_id = get("OIDC_CLIENT_ID")
            .or_else(|| from_file(|w| w.client_id.clone()))
            .ok_or_else(|| ConfigError::new("OIDC_CLIENT_ID", "is required (or set OIDC_CLIENT_SECRETS)"))?;
        let client_secret = get("OIDC_CLIENT_SECRET")
            .or_else(|| from_file(|w| w.client_secret.clone()))
            .map(Secret::new)
            .ok_or_else(|| ConfigError::new("OIDC_CLIENT_SECRET", "is required (or set OIDC_CLIENT_SECRETS)"))?;

        let public_text = get("GITDASH_PUBLIC_URL").ok_or_else(|| {
            ConfigError::new(
                "GITDASH_PUBLIC_URL",
                "is required: the URL browsers use, e.g. https://gitdash.example.com",
            )
        })?;
        let mut public_url = parse_http_url("GITDASH_PUBLIC_URL", &public_text)?;
        if public_url.query().is_some() || public_url.fragment().is_some() || public_url.path() != "/" {
            return Err(ConfigError::new(
                "GITDASH_PUBLIC_URL",
                "must be an origin such as https://gitdash.example.com, with no path, query or fragment",
            ));
        }
        public_url.set_path("");
        if let Some(file) = &file {
            let redirect = format!("{}/oidc/callback", public_url.as_str().trim_end_matches('/'));
            if !file.web.redirect_uris.is_empty() && !file.web.redirect_uris.contains(&redirect) {
                return Err(ConfigError::new(
                    "GITDASH_PUBLIC_URL",
                    format!(
                        "the redirect URI {redirect} is not among the redirect_uris of OIDC_CLIENT_SECRETS ({})",
                        file.web.redirect_uris.join(", ")
                    ),
                ));
            }
        }

        let secret_key = get("SECRET_KEY").ok_or_else(|| {
            ConfigError::new(
                "SECRET_KEY",
                "is required: 32 or more random characters, e.g. from `openssl rand -hex 32`",
            )
        })?;
        if secret_key.len() < 32 {
            return Err(ConfigError::new("SECRET_KEY", "must be at least 32 characters long"));
        }

        let okta = match (get("OKTA_ORG_URL"), get("OKTA_API_TOKEN")) {
            (None, None) => None,
            (Some(org), Some(token)) => {
                Some(OktaConfig { org_url: parse_http_url("OKTA_ORG_URL", &org)?, api_token: Secret::new(token) })
            }
            (Some(_), None) => {
                return Err(ConfigError::new("OKTA_API_TOKEN", "is required when OKTA_ORG_URL is set"));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new("OKTA_ORG_URL", "is required when OKTA_API_TOKEN is set"));
            }
        };

        let scopes: Vec<String> = get("OIDC_SCOPES")
            .unwrap_or_else(|| "openid email profile".into())
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if !scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::new("OIDC_SCOPES", "must include openid"));
        }

        Ok(Self {
            issuer_url,
            client_id,
            client_secret,
            scopes,
            public_url,
            secret_key: Secret::new(secret_key),
            api_audience: get("OIDC_API_AUDIENCE").unwrap_or_else(|| "api://default".into()),
            groups_claim: get("OIDC_GROUPS_CLAIM").unwrap_or_else(|| "groups".into()),
            allowed_email_domains: list(get("GITDASH_ALLOWED_EMAIL_DOMAINS"))
                .into_iter()
                .map(|d| d.trim_start_matches('@').to_ascii_lowercase())
                .collect(),
            allowed_groups: list(get("GITDASH_ALLOWED_GROUPS")),
            admin_group: get("GITDASH_ADMIN_GROUP"),
            okta,
            session_idle_timeout: duration(&get, "GITDASH_SESSION_IDLE_TIMEOUT", "1h")?,
            session_lifetime: duration(&get, "GITDASH_SESSION_LIFETIME", "12h")?,
            clock_skew: Duration::from_secs(seconds(&get, "OIDC_CLOCK_SKEW_SECONDS", 60)?),
        })
    }

    /// `https://gitdash.example.com/oidc/callback`
    pub fn redirect_uri(&self) -> String {
        format!("{}/oidc/callback", self.public_origin())
    }

    /// `https://gitdash.example.com`, as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// Cookies get `Secure` (and the `__Host-` prefix) when browsers reach us over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

fn read_client_secrets(path: &Path) -> Result<ClientSecretsFile, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| ConfigError::new("OIDC_CLIENT_SECRETS", format!("cannot read {}: {err}", path.display())))?;
    serde_json::from_str(&text).map_err(|err| {
        ConfigError::new(
            "OIDC_CLIENT_SECRETS",
            format!("{} is not a client secrets file with a \"web\" object: {err}", path.display()),
        )
    })
}

fn parse_http_url(variable: &'static str, text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text).map_err(|err| ConfigError::new(variable, format!("{text:?} is not a URL: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ConfigError::new(variable, format!("{text:?} must be an http:// or https:// URL")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new(variable, "must not hold a user name or password"));
    }
    Ok(url)
}

fn list(value: Option<String>) -> Vec<String> {
    value.map(|v| v.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

/// A duration such as `30m`, `12h` or `1h 30m`, from one second to 90 days.
fn duration(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
) -> Result<Duration, ConfigError> {
    let text = get(variable).unwrap_or_else(|| default.to_owned());
    match humantime::parse_duration(&text) {
        Ok(d) if d >= Duration::from_secs(1) && d <= Duration::from_secs(90 * 24 * 3600) => Ok(d),
        _ => Err(ConfigError::new(variable, format!("{text:?} is not a duration such as 30m or 12h (1s to 90 days)"))),
    }
}

fn seconds(get: &impl Fn(&str) -> Option<String>, variable: &'static str, default: u64) -> Result<u64, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n <= 600 => Ok(n),
            _ => Err(ConfigError::new(variable, format!("{v:?} is not a number of seconds from 0 to 600"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn config(pairs: &[(&str, &str)]) -> Result<AuthConfig, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        AuthConfig::from_lookup(|name| map.get(name).cloned())
    }

    fn complete() -> Vec<(&'static str, &'static str)> {
        vec![
            ("OIDC_ISSUER_URL", "https://example.okta.com/oauth2/default"),
            ("OIDC_CLIENT_ID", "client"),
            ("OIDC_CLIENT_SECRET", "s3cret"),
            ("GITDASH_PUBLIC_URL", "https://gitdash.example.com/"),
            ("SECRET_KEY", KEY),
        ]
    }

    #[test]
    fn a_complete_configuration_has_okta_like_defaults() {
        let config = config(&complete()).expect("valid");
        assert_eq!(config.redirect_uri(), "https://gitdash.example.com/oidc/callback");
        assert_eq!(config.scopes, ["openid", "email", "profile"]);
        assert_eq!(config.api_audience, "api://default");
        assert_eq!(config.groups_claim, "groups");
        assert_eq!(config.session_idle_timeout, Duration::from_secs(3600));
        assert_eq!(config.session_lifetime, Duration::from_secs(12 * 3600));
        assert!(config.secure_cookies());
        assert!(!format!("{config:?}").contains("s3cret"), "secrets stay out of debug output");
        assert!(!format!("{config:?}").contains(KEY));
    }

    #[test]
    fn each_missing_setting_is_named() {
        for missing in ["OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "GITDASH_PUBLIC_URL", "SECRET_KEY"] {
            let pairs: Vec<_> = complete().into_iter().filter(|(k, _)| *k != missing).collect();
            assert_eq!(config(&pairs).expect_err("incomplete").variable, missing);
        }
    }

    #[test]
    fn inconsistent_settings_are_refused() {
        let mut pairs = complete();
        pairs.push(("OKTA_ORG_URL", "https://example.okta.com"));
        assert_eq!(config(&pairs).expect_err("token missing").variable, "OKTA_API_TOKEN");
        let mut pairs = complete();
        pairs.retain(|(k, _)| *k != "SECRET_KEY");
        pairs.push(("SECRET_KEY", "short"));
        assert_eq!(config(&pairs).expect_err("weak key").variable, "SECRET_KEY");
        let mut pairs = complete();
        pairs.retain(|(k, _)| *k != "GITDASH_PUBLIC_URL");
        pairs.push(("GITDASH_PUBLIC_URL", "https://gitdash.example.com/sub?x=1"));
        assert_eq!(config(&pairs).expect_err("not an origin").variable, "GITDASH_PUBLIC_URL");
        let mut pairs = complete();
        pairs.push(("GITDASH_SESSION_IDLE_TIMEOUT", "forever"));
        assert_eq!(config(&pairs).expect_err("not a duration").variable, "GITDASH_SESSION_IDLE_TIMEOUT");
        let mut pairs = complete();
        pairs.push(("OIDC_SCOPES", "email profile"));
        assert_eq!(config(&pairs).expect_err("no openid").variable, "OIDC_SCOPES");
    }

    #[test]
    fn the_original_apps_client_secrets_file_is_accepted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("openidconnect_secrets.json");
        std::fs::write(
            &path,
            r#"{"web": {"auth_uri": "https://example.okta.com/oauth2/default/v1/authorize",
                "client_id": "0oa-from-file", "client_secret": "from-file",
                "redirect_uris": ["http://localhost:5000/oidc/callback"],
                "issuer": "https://example.okta.com/oauth2/default",
                "token_uri": "https://example.okta.com/oauth2/default/v1/token",
                "userinfo_uri": "https://example.okta.com/oauth2/default/userinfo"}}"#,
        )
        .expect("write");
        let path = path.to_str().expect("utf-8");
        let pairs =
            [("OIDC_CLIENT_SECRETS", path), ("GITDASH_PUBLIC_URL", "http://localhost:5000"), ("SECRET_KEY", KEY)];
        let from_file = config(&pairs).expect("valid");
        assert_eq!(from_file.client_id, "0oa-from-file");
        assert_eq!(from_file.client_secret.expose(), "from-file");
        assert_eq!(from_file.issuer_url, "https://example.okta.com/oauth2/default");

        let pairs = [("OIDC_CLIENT_SECRETS", path), ("GITDASH_PUBLIC_URL", "http://other:5000"), ("SECRET_KEY", KEY)];
        assert_eq!(config(&pairs).expect_err("redirect not registered").variable, "GITDASH_PUBLIC_URL");
    }
}
