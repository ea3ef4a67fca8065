//! With `OKTA_ORG_URL` and `OKTA_API_TOKEN`, sign-in looks the person up in Okta's Users API:
//! only ACTIVE accounts get in, 429 is waited out, the answer is cached, and the token never
//! shows up in the log.

use gitdash_shared::entities::user;
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    idp::Browser,
    okta_standin::{OktaStandIn, TOKEN},
    processes::Stack,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[tokio::test]
async fn only_active_okta_users_sign_in_and_the_lookup_is_cached() {
    let okta = OktaStandIn::start().await;
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await)
        .with_env("OKTA_ORG_URL", &okta.url)
        .with_env("OKTA_API_TOKEN", TOKEN)
        .with_env("RUST_LOG", "debug");
    let web = stack.start_web().await;
    let home = web.url("/");

    let page = Browser::new().visit(&web.url("/login"), "alice").await;
    assert_eq!((page.status, page.url.as_str()), (200, home.as_str()), "{}", page.body);
    let db = stack.database.connect().await;
    let alice = user::Entity::find().filter(user::Column::Subject.eq("alice")).one(&db).await.expect("query");
    let alice = alice.expect("alice was recorded");
    assert_eq!(alice.okta_status.as_deref(), Some("ACTIVE"));
    assert!(alice.okta_profile.unwrap_or_default().contains("\"firstName\":\"Alice\""), "the Okta profile is kept");

    for (login, shown) in [("suspended", "suspended"), ("gone", "deprovisioned")] {
        let page = Browser::new().visit(&web.url("/login"), login).await;
        assert_eq!(page.status, 403, "{login}: {}", page.body);
        assert!(page.body.contains(shown), "{login}: {}", page.body);
    }
    let page = Browser::new().visit(&web.url("/login"), "nobody-in-okta").await;
    assert_eq!(page.status, 403, "unknown to Okta: {}", page.body);

    // Rate-limited: gitdash waits for the reset and asks once more.
    let page = Browser::new().visit(&web.url("/login"), "busy").await;
    assert_eq!((page.status, page.url.as_str()), (200, home.as_str()), "{}", page.body);
    assert_eq!(okta.lookups("busy"), 2);

    // A second sign-in soon after is served from the cache; requests never ask Okta.
    let browser = Browser::new();
    browser.visit(&web.url("/login"), "alice").await;
    browser.visit(&web.url("/repositories"), "alice").await;
    assert_eq!(okta.lookups("alice"), 1, "one lookup per sign-in, cached");

    assert!(!web.process.log().contains(TOKEN), "the API token never reaches the log");
}
