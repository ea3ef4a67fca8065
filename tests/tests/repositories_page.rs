//! The Repositories page: "Add your first one now", the add form with the reason a URL is
//! refused, and nothing a user typed comes back unescaped.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

#[tokio::test]
async fn a_repository_is_added_from_the_page_and_refusals_say_why() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let browser = signed_in(&web.base, "alice").await;
    let page = |url: String| {
        let client = browser.client.clone();
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    assert!(page(web.url("/repositories")).await.contains("Add your first one now"));
    let token = browser.csrf_token(&web.base).await;
    let post = |fields: Vec<(&'static str, String)>| {
        let client = browser.client.clone();
        let url = web.url("/repositories");
        async move { client.post(url).form(&fields).send().await.expect("post") }
    };

    let repo = GitRepo::with_one_commit();
    let path = repo.path().to_str().expect("utf-8").to_owned();
    let added = post(vec![("csrf_token", token.clone()), ("url", path.clone())]).await;
    assert_eq!(added.status().as_u16(), 303);
    let listed = page(web.url("/repositories")).await;
    assert!(listed.contains(&path), "{listed}");
    assert!(!listed.contains("Add your first one now"));

    let refused = post(vec![("csrf_token", token.clone()), ("url", "ssh://git@example.org/x.git".into())]).await;
    assert_eq!(refused.status().as_u16(), 422);
    let html = refused.text().await.expect("html");
    assert!(html.contains("role=\"alert\"") && html.contains("SSH"), "the reason is next to the form: {html}");

    let hostile = "https://example.org/<script>alert(1)</script>";
    let refused = post(vec![("csrf_token", token.clone()), ("url", hostile.into())]).await;
    let html = refused.text().await.expect("html");
    assert!(!html.contains("<script>alert(1)"), "escaped: {html}");
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script"), "{html}");

    let forged = post(vec![("csrf_token", "forged".into()), ("url", path)]).await;
    assert_eq!(forged.status().as_u16(), 403, "a cross-site form post is refused");
}
