//! Who sent a delivery and whether it is signed with the repository's secret: GitHub
//! (`X-Hub-Signature-256`), Gitea and Forgejo (`X-Gitea-Signature`, `X-Forgejo-Signature`),
//! GitLab (`X-Gitlab-Token`, the secret itself) and a generic form for scripts and CI
//! (`X-Gitdash-Signature: sha256=<hex HMAC of the body>`). Every comparison is constant-time.

use poem::http::HeaderMap;
use subtle::ConstantTimeEq;

use super::secret::sign;

#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    Ping,
    Push,
    Other(String),
}

#[derive(Debug)]
pub struct Delivery {
    pub provider: &'static str,
    pub event: Event,
    /// The provider's delivery id, to acknowledge a redelivery once.
    pub id: Option<String>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn same(given: &str, expected: &str) -> bool {
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Checks an `HMAC-SHA256` signature written as hex, with or without `sha256=` before it.
fn signed(given: Option<&str>, secret: &str, body: &[u8], header_name: &str) -> Result<(), String> {
    let given = given.ok_or_else(|| format!("the delivery is not signed ({header_name} is missing)"))?;
    let given = given.strip_prefix("sha256=").unwrap_or(given).to_ascii_lowercase();
    if same(&given, &sign(secret, body)) {
        Ok(())
    } else {
        Err(format!("the signature in {header_name} does not match this repository's webhook secret"))
    }
}

impl Delivery {
    /// The delivery's provider and event, once its signature holds; the reason otherwise.
    pub fn read(headers: &HeaderMap, body: &[u8], secret: &str) -> Result<Self, String> {
        let delivery_id = |names: &[&str]| names.iter().find_map(|name| header(headers, name)).map(str::to_owned);
        // Gitea and Forgejo also send GitHub's headers: look for theirs first.
        for (provider, event_header, signature_header, id_header) in [
            ("forgejo", "x-forgejo-event", "x-forgejo-signature", "x-forgejo-delivery"),
            ("gitea", "x-gitea-event", "x-gitea-signature", "x-gitea-delivery"),
        ] {
            if let Some(event) = header(headers, event_header) {
                signed(header(headers, signature_header), secret, body, signature_header)?;
                let event = match event {
                    "push" => Event::Push,
                    other => Event::Other(other.to_owned()),
                };
                return Ok(Self { provider, event, id: delivery_id(&[id_header]) });
            }
        }
        if let Some(event) = header(headers, "x-github-event") {
            signed(header(headers, "x-hub-signature-256"), secret, body, "X-Hub-Signature-256")?;
            let event = match event {
                "ping" => Event::Ping,
                "push" => Event::Push,
                other => Event::Other(other.to_owned()),
            };
            return Ok(Self { provider: "github", event, id: delivery_id(&["x-github-delivery"]) });
        }
        if let Some(event) = header(headers, "x-gitlab-event") {
            let token = header(headers, "x-gitlab-token").ok_or("the delivery carries no X-Gitlab-Token")?;
            if !same(token, secret) {
                return Err("X-Gitlab-Token is not this repository's webhook secret".into());
            }
            let event = match event {
                "Push Hook" | "Tag Push Hook" => Event::Push,
                other => Event::Other(other.to_owned()),
            };
            return Ok(Self {
                provider: "gitlab",
                event,
                id: delivery_id(&["x-gitlab-event-uuid", "idempotency-key", "x-gitlab-webhook-uuid"]),
            });
        }
        signed(header(headers, "x-gitdash-signature"), secret, body, "X-Gitdash-Signature")?;
        let event = match header(headers, "x-gitdash-event").unwrap_or("push") {
            "push" => Event::Push,
            "ping" => Event::Ping,
            other => Event::Other(other.to_owned()),
        };
        Ok(Self { provider: "generic", event, id: delivery_id(&["idempotency-key", "x-gitdash-delivery"]) })
    }

    /// The pushed reference (`refs/heads/main`, `refs/tags/v1`), as every provider's push
    /// payload names it in `ref`; `None` when the body does not say.
    pub fn reference(&self, body: &[u8]) -> Option<String> {
        let payload: serde_json::Value = serde_json::from_slice(body).ok()?;
        payload["ref"].as_str().map(str::to_owned)
    }
}
