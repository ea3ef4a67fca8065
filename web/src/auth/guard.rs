//! The gate in front of every page and API route that needs a signed-in user.
//!
//! - API: `Authorization: Bearer <JWT>` or the session cookie; without either, 401 JSON with
//!   `WWW-Authenticate: Bearer`, never a redirect.
//! - Pages: the session cookie; without it, a redirect to `/login?return_to=...`.
//! - A state-changing request authenticated by the cookie must prove it came from our own
//!   pages: the session's CSRF token in `X-CSRF-Token` (or the `csrf_token` form field the
//!   page handler checks), or an `Origin` header equal to `GITDASH_PUBLIC_URL`'s origin.
//!   Bearer requests need neither: a browser never adds that header by itself.

use std::sync::Arc;

use gitdash_shared::queries::users;
use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{Method, StatusCode, header},
    web::Redirect,
};
use subtle::ConstantTimeEq;

use super::{Identity, SessionRef, bearer};
use crate::{error::json, pages::message, state::AppState};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    Page,
    Api,
}

/// Wraps `endpoint` so it is only reached with an [`Identity`] in the request's extensions.
pub async fn require_user<E: Endpoint>(
    endpoint: Arc<E>,
    mut req: Request,
    state: Arc<AppState>,
    realm: Realm,
) -> poem::Result<Response> {
    match identify(&state, &req, realm).await {
        Ok(identity) => {
            req.extensions_mut().insert(identity);
            Ok(endpoint.call(req).await?.into_response())
        }
        Err(refusal) => Ok(refusal),
    }
}

async fn identify(state: &AppState, req: &Request, realm: Realm) -> Result<Identity, Response> {
    let auth = &state.auth;
    if realm == Realm::Api
        && let Some(value) = req.headers().get(header::AUTHORIZATION)
    {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| invalid_token("the Authorization header must be `Bearer <access token>`"))?;
        return from_token(state, token).await;
    }

    let cookie = req.cookie().get(auth.session_cookie()).map(|c| c.value_str().to_owned());
    let session = match cookie {
        Some(id) => match auth.sessions.load(&id).await {
            Ok(Some(session)) => Some((id, session)),
            Ok(None) => None,
            Err(err) => {
                tracing::error!(error = %err, "session lookup failed");
                return Err(unavailable(realm));
            }
        },
        None => None,
    };
    let Some((id, session)) = session else {
        return Err(match realm {
            Realm::Api => json(StatusCode::UNAUTHORIZED, "sign in first, or send an access token as Bearer")
                .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"gitdash\"")
                .into_response(),
            Realm::Page => to_login(req),
        });
    };
    let user = match users::get(&state.db, session.user_id).await {
        Ok(user) => user,
        Err(gitdash_shared::QueryError::NotFound(_)) => return Err(to_login(req)),
        Err(err) => {
            tracing::error!(error = %err, "user lookup failed");
            return Err(unavailable(realm));
        }
    };
    let identity =
        Identity { caller: auth.caller(&user), user, session: Some(SessionRef { id, csrf_token: session.csrf_token }) };
    if realm == Realm::Api && !is_safe(req.method()) && !same_origin_proof(state, req, &identity) {
        return Err(json(
            StatusCode::FORBIDDEN,
            "cross-site request refused: send the X-CSRF-Token header from a gitdash page, or use a Bearer token",
        ));
    }
    Ok(identity)
}

async fn from_token(state: &AppState, token: &str) -> Result<Identity, Response> {
    let auth = &state.auth;
    let claims = match bearer::verify(&auth.provider, &auth.config, token).await {
        Ok(claims) => claims,
        Err(bearer::BearerError::Unavailable) => return Err(unavailable(Realm::Api)),
        Err(bearer::BearerError::Invalid(reason)) => {
            tracing::info!(%reason, "access token refused");
            return Err(invalid_token(&reason));
        }
    };
    let profile = users::Profile {
        issuer: auth.config.issuer_url.clone(),
        subject: claims.subject,
        email: claims.email,
        name: claims.name,
        groups: claims.groups,
        ..Default::default()
    };
    let user = users::for_access_token(&state.db, &profile).await.map_err(|err| {
        tracing::error!(error = %err, "user lookup failed");
        unavailable(Realm::Api)
    })?;
    // The token's own claims decide when it carries them; otherwise what the last sign-in said.
    let email = profile.email.as_deref().or(user.email.as_deref());
    let groups = if profile.groups.is_empty() { user.group_names() } else { profile.groups.clone() };
    if let Err(reason) = auth.admits(email, None, &groups) {
        return Err(json(StatusCode::FORBIDDEN, &reason));
    }
    let mut caller = auth.caller(&user);
    caller.is_admin = auth.config.admin_group.as_ref().is_some_and(|admin| groups.contains(admin));
    Ok(Identity { user, caller, session: None })
}

/// The request carries the session's CSRF token, or comes from a page of ours.
pub fn same_origin_proof(state: &AppState, req: &Request, identity: &Identity) -> bool {
    let Some(session) = &identity.session else { return false };
    if let Some(token) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return tokens_match(token, &session.csrf_token);
    }
    req.headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| origin == state.auth.config.public_origin())
}

pub fn tokens_match(given: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn invalid_token(reason: &str) -> Response {
    let quoted = reason.replace(['"', '\\'], "'");
    json(StatusCode::UNAUTHORIZED, &format!("invalid access token: {reason}"))
        .with_header(
            header::WWW_AUTHENTICATE,
            format!("Bearer realm=\"gitdash\", error=\"invalid_token\", error_description=\"{quoted}\""),
        )
        .into_response()
}

fn unavailable(realm: Realm) -> Response {
    let message = "sign-in is unavailable for a moment (the provider or the session store cannot be reached)";
    match realm {
        Realm::Api => json(StatusCode::SERVICE_UNAVAILABLE, message),
        Realm::Page => message::message(StatusCode::SERVICE_UNAVAILABLE, "Sign-in unavailable", message),
    }
}

fn to_login(req: &Request) -> Response {
    let here = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let target =
        format!("/login?return_to={}", percent_encoding::utf8_percent_encode(here, percent_encoding::NON_ALPHANUMERIC));
    Redirect::see_other(target).into_response()
}
