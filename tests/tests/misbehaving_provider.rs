//! A provider that gets things wrong on purpose (tests/idp/misbehaving.js, real keys of its
//! own): gitdash refuses each bad answer the OpenID relying-party tests try, and accepts the
//! unusual-but-valid ones.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    idp::{Browser, Idp, Page, sign_in_env},
    processes::{Stack, Web, free_port},
};
use serde_json::json;

async fn gitdash_trusting_a_misbehaving_provider() -> (Stack, Web, Idp) {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let idp = Idp::start_misbehaving(&public).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web_on(port, &idp.gitdash_env(&public)).await;
    (stack, web, idp)
}

async fn sign_in(web: &Web) -> Page {
    Browser::new().visit(&web.url("/login"), "anyone").await
}

async fn jwks_fetches(idp: &Idp) -> u64 {
    let stats: serde_json::Value =
        reqwest::get(idp.url("/stats")).await.expect("stats").json().await.expect("stats JSON");
    stats["jwksFetches"].as_u64().expect("count")
}

#[tokio::test]
async fn each_bad_id_token_or_userinfo_answer_is_refused() {
    let (_stack, web, idp) = gitdash_trusting_a_misbehaving_provider().await;
    idp.misbehave(json!({})).await;
    let page = sign_in(&web).await;
    assert_eq!((page.status, page.url.as_str()), (200, web.url("/").as_str()), "a well-behaved answer signs in");

    for (case, settings) in [
        ("bad signature", json!({ "tamper": true })),
        ("alg none", json!({ "unsigned": true })),
        ("issuer mismatch", json!({ "claims": { "iss": "https://evil.example" } })),
        ("wrong aud", json!({ "claims": { "aud": "somebody-else" } })),
        ("missing aud", json!({ "claims": { "aud": null } })),
        ("missing sub", json!({ "claims": { "sub": null } })),
        ("missing iat", json!({ "claims": { "iat": null } })),
        ("wrong nonce", json!({ "claims": { "nonce": "not-the-one-we-sent" } })),
        ("expired", json!({ "claims": { "exp": 1_000_000_000 } })),
        ("UserInfo sub mismatch", json!({ "userinfoSub": "someone-else" })),
        ("signed by a key that is not published", json!({ "signWith": "unpublished" })),
    ] {
        idp.misbehave(settings).await;
        let page = sign_in(&web).await;
        assert_eq!(page.status, 400, "{case}: {}", page.body);
        assert!(page.body.contains("Sign-in failed"), "{case}: {}", page.body);
        assert!(!page.body.contains("eyJ"), "{case}: no token on the page");
    }
    assert!(web.process.log().contains("sign-in refused"), "refusals are logged");
}

#[tokio::test]
async fn a_token_without_kid_is_accepted_when_the_provider_has_one_key() {
    let (_stack, web, idp) = gitdash_trusting_a_misbehaving_provider().await;
    idp.misbehave(json!({ "header": { "kid": null } })).await;
    let page = sign_in(&web).await;
    assert_eq!((page.status, page.url.as_str()), (200, web.url("/").as_str()), "{}", page.body);
}

#[tokio::test]
async fn quirky_but_valid_answers_are_accepted() {
    let (_stack, web, idp) = gitdash_trusting_a_misbehaving_provider().await;
    for (case, settings) in [
        ("email_verified as a string", json!({ "claims": { "email_verified": "true" } })),
        ("updated_at as RFC 3339", json!({ "claims": { "updated_at": "2024-01-02T03:04:05Z" } })),
        ("aud as a one-element array", json!({ "claims": { "aud": ["gitdash"] } })),
        ("no typ header", json!({ "header": { "typ": null } })),
    ] {
        idp.misbehave(settings).await;
        let page = sign_in(&web).await;
        assert_eq!((page.status, page.url.as_str()), (200, web.url("/").as_str()), "{case}: {}", page.body);
    }
}

#[tokio::test]
async fn a_token_without_kid_is_refused_when_the_provider_has_several_keys() {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let idp = Idp::start_misbehaving(&public).await;
    idp.misbehave(json!({ "header": { "kid": null }, "published": ["a", "b"] })).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web_on(port, &idp.gitdash_env(&public)).await;
    // Which key signed is ambiguous; the relying-party tests accept a refusal.
    let page = sign_in(&web).await;
    assert_eq!(page.status, 400, "{}", page.body);
}

#[tokio::test]
async fn rotated_keys_are_fetched_once_more_and_unknown_ones_not_endlessly() {
    let (_stack, web, idp) = gitdash_trusting_a_misbehaving_provider().await;
    let before = jwks_fetches(&idp).await;
    // The provider rotates to key c: the first token signed with it names an unknown kid.
    idp.misbehave(json!({ "signWith": "c", "published": ["c"] })).await;
    let page = sign_in(&web).await;
    assert_eq!((page.status, page.url.as_str()), (200, web.url("/").as_str()), "{}", page.body);
    assert_eq!(jwks_fetches(&idp).await, before + 1, "the JWKS was fetched exactly once more");

    // Tokens naming keys that never appear cannot make gitdash hammer the JWKS endpoint.
    idp.misbehave(json!({ "signWith": "unpublished", "published": ["c"] })).await;
    for _ in 0..3 {
        assert_eq!(sign_in(&web).await.status, 400);
    }
    assert!(jwks_fetches(&idp).await <= before + 2, "at most one more fetch within the rate limit");
}

#[tokio::test]
async fn a_state_mismatch_and_a_replayed_callback_are_refused() {
    let (_stack, web, _idp) = gitdash_trusting_a_misbehaving_provider().await;
    let browser = Browser::new();
    let callback = browser.visit_until(&web.url("/login"), "anyone", &web.url("/oidc/callback")).await;
    let mut forged = url::Url::parse(&callback).expect("url");
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" { "forged-state".to_owned() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let page = browser.visit(forged.as_str(), "anyone").await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("does not belong to this browser"), "{}", page.body);

    let browser = Browser::new();
    let callback = browser.visit_until(&web.url("/login"), "anyone", &web.url("/oidc/callback")).await;
    let first = browser.visit(&callback, "anyone").await;
    assert_eq!((first.status, first.url.as_str()), (200, web.url("/").as_str()));
    let replay = browser.visit(&callback, "anyone").await;
    assert_eq!(replay.status, 400, "{}", replay.body);
    assert!(replay.body.contains("expired or was already used"), "{}", replay.body);
}

#[tokio::test]
async fn bearer_tokens_from_the_misbehaving_provider_are_checked_like_any_other() {
    let (_stack, web, idp) = gitdash_trusting_a_misbehaving_provider().await;
    let now = chrono::Utc::now().timestamp();
    let good = idp.mint(json!({}), json!({})).await;
    let (status, body) = web.with_token(Some(good)).get("/api/v1/repositories").await;
    assert_eq!(status, 200, "{body}");
    let single_key_no_kid = idp.mint(json!({ "kid": null }), json!({})).await;
    assert_eq!(web.with_token(Some(single_key_no_kid)).get("/api/v1/repositories").await.0, 200);

    for (case, header, claims) in [
        ("another issuer", json!({}), json!({ "iss": "https://evil.example" })),
        ("another audience", json!({}), json!({ "aud": "api://other" })),
        ("expired", json!({}), json!({ "exp": now - 3600 })),
        ("not valid yet", json!({}), json!({ "nbf": now + 3600 })),
        ("no exp", json!({}), json!({ "exp": null })),
        ("no sub", json!({}), json!({ "sub": null })),
    ] {
        let token = idp.mint(header, claims).await;
        let (status, body) = web.with_token(Some(token)).get("/api/v1/repositories").await;
        assert_eq!(status, 401, "{case}: {body}");
    }
    let unsigned = reqwest::Client::new()
        .post(idp.url("/mint"))
        .json(&json!({ "unsigned": true }))
        .send()
        .await
        .expect("mint")
        .text()
        .await
        .expect("token");
    assert_eq!(web.with_token(Some(unsigned)).get("/api/v1/repositories").await.0, 401, "alg none");
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_not_trusted() {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let idp = Idp::start_misbehaving(&public).await;
    idp.misbehave(json!({ "discoveryIssuer": "https://evil.example" })).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web_on(port, &idp.gitdash_env(&public)).await;
    let login = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(web.url("/login"))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 503, "no sign-in against an impostor");
    assert!(login.text().await.expect("body").contains("Sign-in unavailable"));
}

#[tokio::test]
async fn while_the_provider_is_down_sign_in_answers_503_and_works_once_it_is_up() {
    // The provider's port stays bound until the provider starts, so that no other test
    // picks it meanwhile (the web would then be pointed at someone else's provider).
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let idp_port = reserved.local_addr().expect("addr").port();
    let web_port = free_port();
    let public = format!("http://127.0.0.1:{web_port}");
    let env = sign_in_env(&format!("http://127.0.0.1:{idp_port}"), &public);
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let mut web = stack.start_web_on(web_port, &env).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let login = client.get(web.url("/login")).send().await.expect("login");
    assert_eq!(login.status().as_u16(), 503);
    let api = client.get(web.url("/api/v1/repositories")).bearer_auth("x.y.z").send().await.expect("api");
    assert!([401, 503].contains(&api.status().as_u16()), "{}", api.status());

    drop(reserved);
    let _idp = Idp::start_misbehaving_on(idp_port, &public).await;
    let page = gitdash_tests::eventually(60, "sign-in to become available", || async {
        let page = Browser::new().visit(&web.url("/login"), "anyone").await;
        (page.status == 200).then_some(page)
    })
    .await;
    assert_eq!(page.url, web.url("/"));
    assert!(web.process.try_wait().is_none(), "the web process kept running");
}
