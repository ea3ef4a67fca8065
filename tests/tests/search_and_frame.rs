//! The frame of every signed-in page (the top bar's commit search, the user, sign-out, the
//! side navigation), the search across every repository, and a repository's own overview.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

#[tokio::test]
async fn the_top_bar_searches_commits_across_repositories() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let first = GitRepo::new();
    first.write("a.txt", "a\n");
    first.commit("Fix the tokenizer");
    first.write("a.txt", "b\n");
    first.commit("Unrelated change");
    let second = GitRepo::new();
    second.write("b.txt", "b\n");
    second.commit("Tokenizer speed-up");
    let (first_id, _) = web.add_and_sync(first.path()).await;
    let (second_id, _) = web.add_and_sync(second.path()).await;
    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };

    for path in ["/", "/statistics", "/commits", "/committers", "/repositories"] {
        let page = html(path.to_owned()).await;
        assert!(page.contains("action=\"/commits\" role=\"search\""), "{path} has the search box");
        assert!(page.contains("Alice") || page.contains("alice"), "{path} names the user");
        assert!(page.contains("href=\"/logout\""), "{path} offers sign-out");
        for section in ["Repository Overview", "Statistics", "Commits", "Committers", "Repositories"] {
            assert!(page.contains(section), "{path} links {section}");
        }
    }

    let found = html("/commits?q=tokenizer".into()).await;
    assert_eq!(found.matches(r#"<tr><td data-label="Hash">"#).count(), 2, "one match in each repository: {found}");
    assert!(
        found.contains("Fix the <mark>tokenizer</mark>") && found.contains("<mark>Tokenizer</mark> speed-up"),
        "{found}"
    );
    assert!(!found.contains("Unrelated change"));
    let names: Vec<String> =
        [&first, &second].iter().map(|r| r.path().file_name().expect("name").to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|name| found.contains(name.as_str())), "each match names its repository");

    let one = html(format!("/commits?q=tokenizer&repository={second_id}")).await;
    assert_eq!(one.matches(r#"<tr><td data-label="Hash">"#).count(), 1);

    let overview = html(format!("/repositories/{first_id}?range=all")).await;
    assert!(overview.contains(&format!("<h1>{}</h1>", names[0])), "the repository's own overview");
    assert!(overview.contains("<strong>2</strong> commits"), "its two commits, not the other's");
    assert!(overview.contains("<svg"), "with its chart");
}
