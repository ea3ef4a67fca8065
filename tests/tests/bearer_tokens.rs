//! The API takes JWT access tokens from the provider as `Authorization: Bearer`, and refuses
//! every token that is not exactly right with 401 and `WWW-Authenticate: Bearer`.

use std::time::Duration;

use base64::Engine;
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    idp::Idp,
    processes::Stack,
};

fn b64(json: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}

fn decode(part: &str) -> serde_json::Value {
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64"))
        .expect("json")
}

#[tokio::test]
async fn a_persons_access_token_opens_the_api_and_needs_no_csrf_token() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let idp = web.idp.as_ref().expect("provider");
    let token = idp.user_token("gitdash-cli", "bob", "api://default").await;
    let bob = web.with_token(Some(token));
    let (status, body) = bob.get("/api/v1/repositories").await;
    assert_eq!(status, 200, "{body}");
    // A state-changing request with a Bearer token is not a cross-site form post.
    let (status, body) = bob.post_json("/api/v1/repositories", serde_json::json!({ "url": "not a url" })).await;
    assert_eq!(status, 422, "reached the handler: {body}");
}

#[tokio::test]
async fn no_token_gets_401_with_www_authenticate_and_never_a_redirect() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let response = web.client.get(web.url("/api/v1/repositories")).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers()["www-authenticate"].to_str().expect("ascii").starts_with("Bearer"));
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn wrong_tokens_are_refused_whatever_is_wrong_with_them() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("OIDC_CLOCK_SKEW_SECONDS", "1");
    let web = stack.start_web().await;
    let idp = web.idp.as_ref().expect("provider");
    let good = idp.user_token("gitdash-cli", "alice", "api://default").await;
    let parts: Vec<&str> = good.split('.').collect();

    let mut tampered_claims = decode(parts[1]);
    tampered_claims["sub"] = "mallory".into();
    let tampered = format!("{}.{}.{}", parts[0], b64(&tampered_claims), parts[2]);
    let mut none_header = decode(parts[0]);
    none_header["alg"] = "none".into();
    let unsigned = format!("{}.{}.", b64(&none_header), parts[1]);
    let other_audience = idp.user_token("gitdash-cli", "alice", "api://other").await;
    let stranger = Idp::start(&["http://127.0.0.1:1"]).await;
    let other_issuer = stranger.user_token("gitdash-cli", "alice", "api://default").await;
    let short_lived = idp.user_token("gitdash-cli-short", "alice", "api://default").await;

    let (status, _) = web.with_token(Some(short_lived.clone())).get("/api/v1/repositories").await;
    assert_eq!(status, 200, "the short-lived token works while it lives");
    tokio::time::sleep(Duration::from_secs(4)).await;

    for (what, token) in [
        ("tampered", tampered),
        ("alg none", unsigned),
        ("another audience", other_audience),
        ("another issuer", other_issuer),
        ("expired", short_lived),
        ("not a JWT", "opaque-garbage".to_owned()),
    ] {
        let response = web.with_token(Some(token)).request(reqwest::Method::GET, "/api/v1/repositories").send().await;
        let response = response.expect("request");
        assert_eq!(response.status().as_u16(), 401, "{what}");
        let challenge = response.headers()["www-authenticate"].to_str().expect("ascii").to_owned();
        assert!(challenge.contains("invalid_token"), "{what}: {challenge}");
    }
    let (status, _) = web.get("/api/v1/repositories").await;
    assert_eq!(status, 200, "and the good token still works");
}
