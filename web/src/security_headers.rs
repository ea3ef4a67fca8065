//! Headers on every response: the Content-Security-Policy, no MIME sniffing, no framing, no
//! Referer leaving the site, nothing stored in caches but the static files.

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response, http::header};

/// The Content-Security-Policy of gitdash's own pages: scripts, styles and images from
/// gitdash only, never inline. Forms may also lead to the sign-in provider: signing out
/// posts to gitdash, which redirects to the provider's end-session page, and browsers apply
/// `form-action` to that redirect too.
pub fn content_security_policy(issuer_url: &str) -> header::HeaderValue {
    let provider = url::Url::parse(issuer_url).ok().map(|url| url.origin().ascii_serialization());
    let form_action = match provider.filter(|origin| origin != "null") {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
         base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
    );
    header::HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| header::HeaderValue::from_static("default-src 'self'; form-action 'self'"))
}

/// Headers on every response: no MIME sniffing, no framing, no Referer leaving the site (a
/// callback URL holds the authorization code), and the CSP — except under `/docs`, whose
/// Swagger UI (served by poem-openapi) starts itself with an inline script.
pub async fn security_headers<E: Endpoint>(
    endpoint: Arc<E>,
    req: Request,
    policy: header::HeaderValue,
) -> poem::Result<Response> {
    let is_docs = req.uri().path().starts_with("/docs");
    let mut response = endpoint.call(req).await?.into_response();
    let headers = response.headers_mut();
    if !is_docs {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    // Nothing but the static files (which say how long they keep) may be stored: a page or
    // an API answer seen signed in must not come back from the browser's cache after
    // signing out.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn forms_may_lead_to_the_providers_origin_and_nowhere_else() {
        let policy = content_security_policy("https://example.okta.com/oauth2/default");
        let policy = policy.to_str().expect("ascii");
        assert!(policy.contains("form-action 'self' https://example.okta.com;"), "{policy}");
        assert!(policy.contains("script-src 'self';") && !policy.contains("unsafe-inline"), "{policy}");
    }
}
