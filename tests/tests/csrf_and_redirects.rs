//! A signed-in browser cannot be driven by another site: cross-site posts are refused, and
//! sign-in never redirects anywhere but a gitdash page.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    idp::{Browser, signed_in},
    processes::Stack,
};
use serde_json::json;

#[tokio::test]
async fn a_cross_site_post_without_the_csrf_token_is_refused() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let browser = signed_in(&web.base, "alice").await;
    let add = |request: reqwest::RequestBuilder| async move {
        request.json(&json!({ "url": "not a url" })).send().await.expect("request").status().as_u16()
    };
    let url = web.url("/api/v1/repositories");

    let from_evil = add(browser.client.post(&url).header("origin", "https://evil.example")).await;
    assert_eq!(from_evil, 403, "another site's page posting with the cookie");
    assert_eq!(add(browser.client.post(&url)).await, 403, "no Origin and no token");
    let wrong_token = add(browser.client.post(&url).header("x-csrf-token", "guessed")).await;
    assert_eq!(wrong_token, 403);

    let token = browser.csrf_token(&web.base).await;
    assert_eq!(add(browser.client.post(&url).header("x-csrf-token", &token)).await, 422, "reached the handler");
    assert_eq!(add(browser.client.post(&url).header("origin", &web.base)).await, 422, "our own origin");

    // Sign-out is a state change too: without the form's token it does nothing.
    let response = browser.client.post(web.url("/logout")).form(&[("csrf_token", "forged")]).send().await;
    assert_eq!(response.expect("logout").status().as_u16(), 403);
    let still = browser.client.get(web.url("/api/v1/repositories")).send().await.expect("api");
    assert_eq!(still.status().as_u16(), 200, "still signed in");
}

#[tokio::test]
async fn open_redirect_attempts_end_on_a_gitdash_page() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let idp = web.idp.as_ref().expect("provider");
    let home = web.url("/");
    for hostile in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/%2Fevil.example",
        "/%5Cevil.example",
        "https%3A%2F%2Fevil.example",
        "/%09/evil.example",
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(hostile.as_bytes()).collect();
        let login = web.url(&format!("/login?return_to={encoded}"));
        let browser = Browser::new();
        // Stop at the first redirect that leaves the provider and the callback: sign-in's own.
        let callback = web.url("/oidc/callback");
        let page = browser
            .navigate(browser.client.get(&login), &login, Some("alice"), &|next| {
                !next.starts_with(&idp.issuer) && !next.starts_with(&callback) && !next.starts_with(&login)
            })
            .await;
        assert_eq!(page.url, home, "{hostile} must not leave gitdash");
    }
    // A local path is honoured.
    let browser = Browser::new();
    let page = browser.visit(&web.url("/login?return_to=%2Frepositories%3Fpage%3D2"), "alice").await;
    assert_eq!(page.url, web.url("/repositories?page=2"));
}
