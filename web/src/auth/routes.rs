//! `/login`, `/oidc/callback` and `/logout`: the paths of the original Flask app.

use std::sync::Arc;

use gitdash_shared::queries::users;
use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Form, Query, Redirect},
};
use serde::Deserialize;

use super::{
    guard::tokens_match,
    okta::OktaError,
    provider::SignInError,
    return_to,
    session::{LOGIN_TTL, LoginState},
};
use crate::{pages::message as pages, state::AppState};

#[derive(Deserialize)]
pub struct LoginParams {
    return_to: Option<String>,
}

/// Starts the authorization code flow (PKCE S256, state, nonce), all bound to a pre-login
/// cookie so a callback only completes in the browser that started it.
#[handler]
pub async fn login(req: &Request, Query(params): Query<LoginParams>, state: Data<&Arc<AppState>>) -> Response {
    let auth = &state.auth;
    let start = match auth.provider.authorization() {
        Ok(start) => start,
        Err(err) => return provider_unavailable(&err),
    };
    let pending = LoginState {
        state: start.state,
        nonce: start.nonce,
        pkce_verifier: start.pkce_verifier,
        return_to: return_to::sanitize(params.return_to.as_deref()),
    };
    let id = match auth.sessions.save_login(&pending).await {
        Ok(id) => id,
        Err(err) => return store_unavailable(&err),
    };
    req.cookie().add(auth.cookie(auth.login_cookie(), &id, LOGIN_TTL));
    Redirect::see_other(start.url.as_str()).into_response()
}

#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[handler]
pub async fn callback(req: &Request, Query(params): Query<CallbackParams>, state: Data<&Arc<AppState>>) -> Response {
    let auth = &state.auth;
    let login_id = req.cookie().get(auth.login_cookie()).map(|c| c.value_str().to_owned());
    req.cookie().add(auth.removal(auth.login_cookie()));
    // Taken out of the store whatever happens next: the same callback URL never works twice.
    let started = match login_id {
        Some(id) => match auth.sessions.take_login(&id).await {
            Ok(started) => started,
            Err(err) => return store_unavailable(&err),
        },
        None => None,
    };
    let Some(started) = started else {
        return refused(StatusCode::BAD_REQUEST, "This sign-in link has expired or was already used.");
    };
    if let Some(error) = params.error {
        let detail = params.error_description.unwrap_or_default();
        tracing::info!(%error, %detail, "the provider refused the sign-in");
        return refused(StatusCode::FORBIDDEN, &format!("The sign-in provider said: {error}. {detail}"));
    }
    if !params.state.as_deref().is_some_and(|s| tokens_match(s, &started.state)) {
        tracing::warn!("sign-in callback with a state that does not match the browser's");
        return refused(StatusCode::BAD_REQUEST, "This sign-in response does not belong to this browser.");
    }
    // RFC 9207: a provider that names itself must name the one we asked.
    if params.iss.as_deref().is_some_and(|iss| iss != auth.config.issuer_url) {
        tracing::warn!("sign-in callback from another issuer");
        return refused(StatusCode::BAD_REQUEST, "This sign-in response comes from another provider.");
    }
    let Some(code) = params.code else {
        return refused(StatusCode::BAD_REQUEST, "The sign-in provider sent no authorization code.");
    };
    let verified = match auth.provider.finish(code, &started.nonce, &started.pkce_verifier).await {
        Ok(verified) => verified,
        Err(SignInError::Unavailable) => return provider_unavailable(&SignInError::Unavailable),
        Err(err) => {
            tracing::warn!(error = %err, "sign-in refused");
            return refused(StatusCode::BAD_REQUEST, &format!("Sign-in failed: {err}."));
        }
    };
    if let Err(reason) = auth.admits(verified.email.as_deref(), verified.email_verified, &verified.groups) {
        tracing::info!(subject = %verified.subject, %reason, "sign-in not admitted");
        return refused(StatusCode::FORBIDDEN, &format!("Sorry: {reason}."));
    }

    let mut profile = users::Profile {
        issuer: auth.config.issuer_url.clone(),
        subject: verified.subject.clone(),
        email: verified.email.clone(),
        name: verified.name.clone(),
        groups: verified.groups.clone(),
        ..Default::default()
    };
    if let Some(okta) = &auth.okta {
        match okta.user(&verified.subject).await {
            Ok(user) if user.status == "ACTIVE" => {
                profile.okta_status = Some(user.status);
                profile.okta_profile = Some(user.profile);
            }
            Ok(user) => {
                tracing::info!(subject = %verified.subject, status = %user.status, "sign-in refused: Okta user not active");
                return refused(
                    StatusCode::FORBIDDEN,
                    &format!("Your Okta account is {}.", user.status.to_lowercase()),
                );
            }
            Err(err @ OktaError::RateLimited(_)) => {
                tracing::warn!(error = %err, "Okta Users API rate limit");
                return pages::message(StatusCode::SERVICE_UNAVAILABLE, "Please try again shortly", &err.to_string());
            }
            Err(err) => {
                tracing::warn!(error = %err, "Okta Users API lookup failed");
                return refused(StatusCode::FORBIDDEN, "Your account could not be confirmed with Okta.");
            }
        }
    }
    let user = match users::record_sign_in(&state.db, &profile).await {
        Ok(user) => user,
        Err(err) => {
            tracing::error!(error = %err, "could not record the sign-in");
            return pages::message(StatusCode::SERVICE_UNAVAILABLE, "Sign-in unavailable", "Please try again shortly.");
        }
    };
    // A new session id at every sign-in; any session this browser had is ended (fixation).
    if let Some(old) = req.cookie().get(auth.session_cookie()) {
        let _ = auth.sessions.destroy(old.value_str()).await;
    }
    let id = match auth.sessions.create(user.id, Some(verified.id_token)).await {
        Ok(id) => id,
        Err(err) => return store_unavailable(&err),
    };
    req.cookie().add(auth.cookie(auth.session_cookie(), &id, auth.config.session_lifetime));
    tracing::info!(user = user.id, "signed in");
    Redirect::see_other(started.return_to).into_response()
}

/// `GET /logout` only shows a button: sign-out changes state, so it is a POST.
#[handler]
pub async fn logout_page(req: &Request, state: Data<&Arc<AppState>>) -> Response {
    let auth = &state.auth;
    let session = match req.cookie().get(auth.session_cookie()) {
        Some(cookie) => auth.sessions.load(cookie.value_str()).await.ok().flatten(),
        None => None,
    };
    match session {
        Some(session) => pages::logout(&session.csrf_token),
        None => pages::message(StatusCode::OK, "Signed out", "You are signed out."),
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf_token: Option<String>,
}

/// Ends the session here, then at the provider (`id_token_hint`, `post_logout_redirect_uri`).
#[handler]
pub async fn logout(req: &Request, Form(form): Form<LogoutForm>, state: Data<&Arc<AppState>>) -> Response {
    let auth = &state.auth;
    let Some(cookie) = req.cookie().get(auth.session_cookie()) else {
        return Redirect::see_other("/").into_response();
    };
    let id = cookie.value_str().to_owned();
    let session = match auth.sessions.load(&id).await {
        Ok(Some(session)) => session,
        Ok(None) => return Redirect::see_other("/").into_response(),
        Err(err) => return store_unavailable(&err),
    };
    if !form.csrf_token.as_deref().is_some_and(|t| tokens_match(t, &session.csrf_token)) {
        return refused(StatusCode::FORBIDDEN, "This sign-out request did not come from a gitdash page.");
    }
    if let Err(err) = auth.sessions.destroy(&id).await {
        return store_unavailable(&err);
    }
    req.cookie().add(auth.removal(auth.session_cookie()));
    tracing::info!(user = session.user_id, "signed out");
    match auth.provider.end_session_url(session.id_token.as_deref()) {
        Some(url) => Redirect::see_other(url.as_str()).into_response(),
        None => Redirect::see_other("/").into_response(),
    }
}

fn refused(status: StatusCode, text: &str) -> Response {
    pages::sign_in_failed(status, text)
}

fn provider_unavailable(err: &SignInError) -> Response {
    tracing::warn!(error = %err, "sign-in attempted while the provider is unavailable");
    pages::message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sign-in unavailable",
        "The sign-in provider cannot be reached right now. Please try again in a minute.",
    )
}

fn store_unavailable(err: &super::session::StoreError) -> Response {
    tracing::error!(error = %err, "session store unavailable");
    pages::message(StatusCode::SERVICE_UNAVAILABLE, "Sign-in unavailable", "Please try again in a minute.")
}
