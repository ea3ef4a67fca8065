//! Server-rendered pages (askama templates in `web/templates`, escaped by default) and the
//! headers every response carries.

use std::sync::Arc;

use askama::Template;
use poem::{
    Endpoint, IntoResponse, Request, Response, handler,
    http::{StatusCode, header},
    web::{Data, Html},
};

use crate::app::AppState;

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    title: &'a str,
    text: &'a str,
    offer_sign_in: bool,
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage<'a> {
    csrf_token: &'a str,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    user: Option<String>,
}

pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).with_status(status).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    render(status, &MessagePage { title, text, offer_sign_in: false })
}

pub fn sign_in_failed(status: StatusCode, text: &str) -> Response {
    render(status, &MessagePage { title: "Sign-in failed", text, offer_sign_in: true })
}

pub fn logout(csrf_token: &str) -> Response {
    render(StatusCode::OK, &LogoutPage { csrf_token })
}

/// `/`: for a visitor the landing page, with no data; signed in, the overview.
#[handler]
pub async fn landing(
    req: &Request,
    state: Data<&Arc<AppState>>,
    poem::web::Query(params): poem::web::Query<crate::view::ViewParams>,
) -> Response {
    let auth = &state.auth;
    if let Some(cookie) = req.cookie().get(auth.session_cookie())
        && let Ok(Some(session)) = auth.sessions.load(cookie.value_str()).await
        && let Ok(found) = gitdash_shared::queries::users::get(&state.db, session.user_id).await
    {
        return crate::overview::render(&state, found.display_name().to_owned(), &params).await;
    }
    render(StatusCode::OK, &LandingPage { user: None })
}

#[handler]
pub fn stylesheet() -> impl IntoResponse {
    include_str!("../static/style.css")
        .with_content_type("text/css; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

/// The few lines of script the pages need (live sync progress), as a file: the CSP allows
/// no inline script.
#[handler]
pub fn live_script() -> impl IntoResponse {
    include_str!("../static/live.js")
        .with_content_type("text/javascript; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

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
