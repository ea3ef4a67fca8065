//! Server-rendered pages (askama templates in `web/templates`, escaped by default) and the
//! headers every response carries.

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::repositories;
use poem::{
    Endpoint, IntoResponse, Request, Response, handler,
    http::{StatusCode, header},
    web::{Data, Html},
};

use crate::{app::AppState, auth::Identity};

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

struct RepositoryRow {
    name: String,
    url: String,
    commits: u64,
    /// The last sync's state in words.
    sync: String,
}

#[derive(Template)]
#[template(path = "repositories.html")]
struct RepositoriesPage {
    user: String,
    csrf_token: String,
    repositories: Vec<RepositoryRow>,
    /// What the add form was given, and why it was refused.
    url: String,
    error: Option<String>,
}

fn render(status: StatusCode, page: &impl Template) -> Response {
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

#[derive(serde::Deserialize)]
pub struct OverviewParams {
    repository: Option<String>,
    range: Option<String>,
}

/// `/`: for a visitor the landing page, with no data; signed in, the overview.
#[handler]
pub async fn landing(
    req: &Request,
    state: Data<&Arc<AppState>>,
    poem::web::Query(params): poem::web::Query<OverviewParams>,
) -> Response {
    let auth = &state.auth;
    if let Some(cookie) = req.cookie().get(auth.session_cookie())
        && let Ok(Some(session)) = auth.sessions.load(cookie.value_str()).await
        && let Ok(found) = gitdash_shared::queries::users::get(&state.db, session.user_id).await
    {
        let repository = params.repository.as_deref().and_then(|r| r.parse().ok());
        let range = crate::overview::RangeChoice::parse(params.range.as_deref());
        return crate::overview::render(&state, found.display_name().to_owned(), repository, range).await;
    }
    render(StatusCode::OK, &LandingPage { user: None })
}

/// `/repositories`: needs a signed-in user (the guard put them in the request).
#[handler]
pub async fn repositories_page(identity: Data<&Identity>, state: Data<&Arc<AppState>>) -> Response {
    repositories_view(&state, &identity, StatusCode::OK, String::new(), None).await
}

#[derive(serde::Deserialize)]
pub struct AddForm {
    csrf_token: Option<String>,
    url: String,
}

/// The add form: on success back to the list (post/redirect/get); a refused URL is shown
/// with the reason next to the form.
#[handler]
pub async fn add_repository_form(
    identity: Data<&Identity>,
    state: Data<&Arc<AppState>>,
    poem::web::Form(form): poem::web::Form<AddForm>,
) -> Response {
    let expected = identity.session.as_ref().map(|s| s.csrf_token.as_str()).unwrap_or_default();
    if !form.csrf_token.as_deref().is_some_and(|t| crate::auth::guard::tokens_match(t, expected)) {
        return message(StatusCode::FORBIDDEN, "Refused", "This form did not come from a gitdash page.");
    }
    match crate::adding::add_repository(&state, &identity, form.url.trim()).await {
        Ok(crate::adding::Added::Created(_)) => poem::web::Redirect::see_other("/repositories").into_response(),
        Ok(crate::adding::Added::AlreadyExists(existing)) => {
            let error = format!("{} is already added.", existing.url);
            repositories_view(&state, &identity, StatusCode::CONFLICT, form.url, Some(error)).await
        }
        Ok(crate::adding::Added::Refused(reason)) => {
            repositories_view(&state, &identity, StatusCode::UNPROCESSABLE_ENTITY, form.url, Some(reason)).await
        }
        Err(err) => message(err.status(), "Not added", err.message()),
    }
}

async fn repositories_view(
    state: &AppState,
    identity: &Identity,
    status: StatusCode,
    url: String,
    error: Option<String>,
) -> Response {
    match repositories::list(&state.db).await {
        Ok(list) => render(
            status,
            &RepositoriesPage {
                user: identity.user.display_name().to_owned(),
                csrf_token: identity.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default(),
                repositories: list
                    .into_iter()
                    .map(|d| RepositoryRow {
                        name: d.repository.name,
                        url: d.repository.url,
                        commits: d.commit_count,
                        sync: d.latest_sync.map_or_else(
                            || "never synced".to_owned(),
                            |run| format!("last sync {}", run.state.as_str()),
                        ),
                    })
                    .collect(),
                url,
                error,
            },
        ),
        Err(err) => {
            tracing::error!(error = %err, "repositories page");
            message(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "The database is busy; try again shortly.")
        }
    }
}

#[handler]
pub fn stylesheet() -> impl IntoResponse {
    include_str!("../static/style.css")
        .with_content_type("text/css; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

/// gitdash's own pages load scripts, styles and images from gitdash only, never inline.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers on every response: no MIME sniffing, no framing, no Referer leaving the site (a
/// callback URL holds the authorization code), and the CSP — except under `/docs`, whose
/// Swagger UI (served by poem-openapi) starts itself with an inline script.
pub async fn security_headers<E: Endpoint>(endpoint: Arc<E>, req: Request) -> poem::Result<Response> {
    let is_docs = req.uri().path().starts_with("/docs");
    let mut response = endpoint.call(req).await?.into_response();
    let headers = response.headers_mut();
    if !is_docs {
        headers.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    Ok(response)
}
