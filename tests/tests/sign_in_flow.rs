//! A person signs in with the real provider's own forms, reaches protected pages and the API
//! with their session, and signs out of gitdash and of the provider.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    idp::{Browser, signed_in},
    processes::Stack,
};

#[tokio::test]
async fn signing_in_reaches_protected_pages_and_signing_out_ends_both_sessions() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let idp = web.idp.as_ref().expect("provider");

    // A protected page sends the browser through sign-in and back to where it was going.
    let browser = Browser::new();
    let page = browser.visit(&web.url("/repositories?sort=name"), "alice").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.url, web.url("/repositories?sort=name"));
    assert!(page.body.contains("Repositories") && page.body.contains("Alice"), "{}", page.body);
    let docs = browser.client.get(web.url("/docs/")).send().await.expect("docs");
    assert_eq!(docs.status().as_u16(), 200, "the API explorer is reachable when signed in");
    let api = browser.client.get(web.url("/api/v1/repositories")).send().await.expect("api");
    assert_eq!(api.status().as_u16(), 200, "the API accepts the session cookie");
    let old_session = browser.cookie(&web.base, "gitdash_session").expect("session cookie");

    // `GET /logout` changes nothing; the form posts with the CSRF token.
    let token = browser.csrf_token(&web.base).await;
    let still = browser.client.get(web.url("/api/v1/repositories")).send().await.expect("api");
    assert_eq!(still.status().as_u16(), 200, "GET /logout did not sign out");
    let page = browser
        .navigate(
            browser.client.post(web.url("/logout")).form(&[("csrf_token", token.as_str())]),
            &web.url("/logout"),
            None,
            &|_| false,
        )
        .await;
    // The provider asks to confirm its own sign-out, with its form.
    assert!(page.url.starts_with(&idp.url("/session/end")), "{}", page.url);
    assert!(page.url.contains("id_token_hint=") && page.url.contains("post_logout_redirect_uri="), "{}", page.url);
    let xsrf = page.body.split("name=\"xsrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("xsrf");
    let page = browser
        .navigate(
            browser.client.post(idp.url("/session/end/confirm")).form(&[("xsrf", xsrf), ("logout", "yes")]),
            &idp.url("/session/end/confirm"),
            None,
            &|_| false,
        )
        .await;
    assert_eq!(page.url, web.url("/"), "back on gitdash after signing out at the provider");

    // The old cookie is worthless now.
    let replay = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let cookie = format!("gitdash_session={old_session}");
    let api = replay.get(web.url("/api/v1/repositories")).header("cookie", &cookie).send().await.expect("api");
    assert_eq!(api.status().as_u16(), 401);
    let page = replay.get(web.url("/repositories")).header("cookie", &cookie).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 303);
    assert!(page.headers()["location"].to_str().expect("location").starts_with("/login?return_to="));

    // And the provider asks for a password again.
    let page = browser.navigate(browser.client.get(web.url("/login")), &web.url("/login"), None, &|_| false).await;
    assert!(page.url.contains("/interaction/") && page.body.contains("name=\"login\""), "{}", page.body);
}

#[tokio::test]
async fn every_sign_in_starts_a_new_session_id_with_strict_cookie_flags() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;

    // A session id planted before sign-in (fixation) is not the one after it.
    let browser = Browser::new();
    let base = url::Url::parse(&web.base).expect("url");
    browser.jar.add_cookie_str("gitdash_session=planted-by-an-attacker; Path=/", &base);
    let callback = browser.visit_until(&web.url("/login"), "alice", &web.url("/oidc/callback")).await;
    let response = browser.client.get(&callback).send().await.expect("callback");
    assert_eq!(response.status().as_u16(), 303);
    let set_cookie: Vec<String> =
        response.headers().get_all("set-cookie").iter().map(|v| v.to_str().expect("ascii").to_owned()).collect();
    let session = set_cookie.iter().find(|c| c.starts_with("gitdash_session=")).expect("session cookie set");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    assert!(!session.contains("Secure"), "plain http public URL: no Secure flag ({session})");
    let first = browser.cookie(&web.base, "gitdash_session").expect("session");
    assert_ne!(first, "planted-by-an-attacker");

    let again = signed_in(&web.base, "alice").await;
    let second = again.cookie(&web.base, "gitdash_session").expect("session");
    assert_ne!(first, second, "a new id at every sign-in");
}

#[tokio::test]
async fn over_https_the_cookies_are_secure_and_host_prefixed() {
    let port = gitdash_tests::processes::free_port();
    // Browsers reach this gitdash as https (a TLS proxy in front); the test talks to it directly.
    let public = format!("https://127.0.0.1:{port}");
    let idp = gitdash_tests::idp::Idp::start(&[&public]).await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web_on(port, &idp.gitdash_env(&public)).await;

    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let login = plain.get(web.url("/login")).send().await.expect("login");
    let login_cookie = login.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    assert!(login_cookie.starts_with("__Host-gitdash_login="), "{login_cookie}");
    let authorize = login.headers()["location"].to_str().expect("location").to_owned();

    let browser = Browser::new();
    let callback = browser.visit_until(&authorize, "alice", &format!("{public}/oidc/callback")).await;
    let callback = callback.replacen("https://", "http://", 1);
    let pair = login_cookie.split(';').next().expect("pair");
    let response = plain.get(&callback).header("cookie", pair).send().await.expect("callback");
    assert_eq!(response.status().as_u16(), 303);
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .find(|c| c.starts_with("__Host-gitdash_session="))
        .expect("session cookie");
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    assert!(!session.contains("Domain="), "{session}");
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_their_lifetime() {
    use std::time::Duration;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await)
        .with_env("GITDASH_SESSION_IDLE_TIMEOUT", "4s")
        .with_env("GITDASH_SESSION_LIFETIME", "10s");
    let web = stack.start_web().await;
    let status = |browser: Browser| {
        let url = web.url("/api/v1/repositories");
        async move { browser.client.get(url).send().await.expect("api").status().as_u16() }
    };

    let idle = signed_in(&web.base, "alice").await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(status(idle).await, 401, "unused for longer than the idle timeout");

    // Used every second, a session still ends at its absolute lifetime.
    let busy = signed_in(&web.base, "bob").await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(status(busy.clone()).await, 200, "kept alive by use");
    }
    // Still used every second (never idle for 4 s): only the lifetime can end it.
    let mut ended = false;
    for _ in 0..9 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if status(busy.clone()).await == 401 {
            ended = true;
            break;
        }
    }
    assert!(ended, "the session ended at its lifetime although it was in use");
}
