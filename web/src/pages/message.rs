//! The message page (a title and a sentence, for errors and refusals), the sign-out
//! confirmation, and rendering any template into a response. Sign-in uses these too, so
//! this file imports nothing else of the web crate.

use askama::Template;
use poem::{IntoResponse, Response, http::StatusCode, web::Html};

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    /// Empty: a message page does not know who is signed in, so it offers to sign in.
    user: &'a str,
    title: &'a str,
    text: &'a str,
    offer_sign_in: bool,
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage<'a> {
    csrf_token: &'a str,
}

pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).with_status(status).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    render(status, &MessagePage { user: "", title, text, offer_sign_in: false })
}

pub fn sign_in_failed(status: StatusCode, text: &str) -> Response {
    render(status, &MessagePage { user: "", title: "Sign-in failed", text, offer_sign_in: true })
}

pub fn logout(csrf_token: &str) -> Response {
    render(StatusCode::OK, &LogoutPage { csrf_token })
}
