//! Who may sign in (email domains, groups) and who may delete what (the person who added a
//! repository, or an admin).

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::Browser,
    processes::Stack,
};
use serde_json::json;

#[tokio::test]
async fn only_allowed_email_domains_and_groups_get_in() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await)
        .with_env("GITDASH_ALLOWED_EMAIL_DOMAINS", "example.com")
        .with_env("GITDASH_ALLOWED_GROUPS", "engineering, contractors");
    let web = stack.start_web().await;
    let idp = web.idp.as_ref().expect("provider");

    for (user, admitted) in [("alice", true), ("bob", true), ("dave", false), ("carol@other.example", false)] {
        let page = Browser::new().visit(&web.url("/login"), user).await;
        if admitted {
            assert_eq!((page.status, page.url.as_str()), (200, web.url("/").as_str()), "{user}: {}", page.body);
        } else {
            assert_eq!(page.status, 403, "{user}: {}", page.body);
            assert!(page.body.contains("not"), "{user} is told why: {}", page.body);
        }
    }
    // The same rules hold for access tokens.
    let dave = idp.user_token("gitdash-cli", "dave", "api://default").await;
    assert_eq!(web.with_token(Some(dave)).get("/api/v1/repositories").await.0, 403);
    let bob = idp.user_token("gitdash-cli", "bob", "api://default").await;
    assert_eq!(web.with_token(Some(bob)).get("/api/v1/repositories").await.0, 200);
}

#[tokio::test]
async fn only_the_person_who_added_a_repository_or_an_admin_may_delete_it() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("GITDASH_ADMIN_GROUP", "gitdash-admins");
    let web = stack.start_web().await;
    let idp = web.idp.as_ref().expect("provider");
    let bob = web.with_token(Some(idp.user_token("gitdash-cli", "bob", "api://default").await));
    let dave = web.with_token(Some(idp.user_token("gitdash-cli", "dave", "api://default").await));
    let alice = web.with_token(Some(idp.user_token("gitdash-cli", "alice", "api://default").await));

    let first = GitRepo::with_one_commit();
    let second = GitRepo::with_one_commit();
    let (status, repository) = bob.post_json("/api/v1/repositories", json!({ "url": first.path() })).await;
    assert_eq!(status, 201, "{repository}");
    let by_bob = repository["id"].as_i64().expect("id");
    let (_, repository) = bob.post_json("/api/v1/repositories", json!({ "url": second.path() })).await;
    let also_by_bob = repository["id"].as_i64().expect("id");

    // Everyone on the team sees it and may sync it...
    assert_eq!(dave.get(&format!("/api/v1/repositories/{by_bob}")).await.0, 200);
    // ...but dave may not delete it.
    let (status, body) = dave.delete(&format!("/api/v1/repositories/{by_bob}")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("admin"), "{body}");
    // Bob may, and alice (an admin) may delete bob's other one.
    assert_eq!(bob.delete(&format!("/api/v1/repositories/{by_bob}")).await.0, 204);
    assert_eq!(alice.delete(&format!("/api/v1/repositories/{also_by_bob}")).await.0, 204);
}
