//! `/`: the landing page for a visitor, the overview for a signed-in person.

use std::sync::Arc;

use askama::Template;
use gitdash_shared::queries::users;
use poem::{Request, handler, http::StatusCode, web::Data};

use super::{
    error::{PageError, PageResult},
    message::render,
};
use crate::{state::AppState, view::ViewParams};

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    user: Option<String>,
}

/// `/`: for a visitor the landing page, with no data; signed in, the overview.
#[handler]
pub async fn landing(
    req: &Request,
    state: Data<&Arc<AppState>>,
    poem::web::Query(params): poem::web::Query<ViewParams>,
) -> PageResult {
    let auth = &state.auth;
    if let Some(cookie) = req.cookie().get(auth.session_cookie()) {
        // A session store that cannot answer is an outage, not a visitor: saying so beats
        // showing a signed-in person the landing page.
        let session = auth.sessions.load(cookie.value_str()).await.map_err(|err| {
            tracing::warn!(error = %err, "the session store is unavailable");
            PageError::Unavailable(
                "Sessions cannot be read just now (the session store is unreachable); try again shortly.".into(),
            )
        })?;
        if let Some(session) = session {
            match users::get(&state.db, session.user_id).await {
                Ok(found) => return super::overview::render(&state, found.display_name().to_owned(), &params).await,
                // A session of a user since removed: a visitor.
                Err(gitdash_shared::QueryError::NotFound(_)) => {}
                Err(err) => return Err(err.into()),
            }
        }
    }
    Ok(render(StatusCode::OK, &LandingPage { user: None }))
}
