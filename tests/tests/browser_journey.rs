//! A person's visit in a real browser (headless Chromium): sign in through the test
//! provider, add a repository, watch its sync finish without reloading, see the chart and
//! the commit, search for it, export it, sign out; and the overview on a phone's screen.
//! Every page is saved as a screenshot under `target/screenshots/`.

use gitdash_tests::{
    chrome::Chrome,
    databases::{Backend, TestDatabase},
    eventually,
    git_fixture::GitRepo,
    processes::Stack,
};

fn a_small_project() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("README.md", "# Parser\n");
    repo.commit("Start the parser");
    repo.write("src/lexer.rs", "fn lex() {}\n");
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"Fix the tokenizer on empty input");
    repo.git(["tag", "v1.0"]);
    repo
}

#[tokio::test]
async fn a_person_signs_in_adds_a_repository_watches_it_sync_searches_exports_and_signs_out() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let repo = a_small_project();
    let chrome = Chrome::start("journey", 1280, 900).await;

    chrome.goto(&web.url("/")).await;
    let mut picture = serde_json::Value::Null;
    for _ in 0..50 {
        let script =
            "const i = document.querySelector('figure.preview img'); return i && i.complete ? i.naturalWidth : 0";
        picture = chrome.client.execute(script, vec![]).await.expect("the picture's width");
        if picture != 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(picture, 1400, "the landing page shows what the dashboard looks like");
    chrome.screenshot("landing").await;
    chrome.find("a.button[href='/login']").await.click().await.expect("sign in link");
    chrome.sign_in_at_the_provider("alice", &web.url("/")).await;
    chrome.wait_for_url(&web.url("/")).await;
    let top_bar = chrome.text_of("header.top").await;
    assert!(top_bar.to_lowercase().contains("alice"), "the top bar names the user: {top_bar}");
    chrome.screenshot("overview-empty").await;

    chrome.find("nav.side a[href='/repositories']").await.click().await.expect("repositories link");
    // After each click that leaves a page, wait for the next one's URL: until then, whatever
    // is found belongs to the page being left.
    chrome.wait_for_url(&web.url("/repositories")).await;
    assert!(chrome.text_of("main").await.contains("Add your first one now"));
    let path = repo.path().to_str().expect("utf-8");
    chrome.find("#url").await.send_keys(path).await.expect("type url");
    chrome.find("form.add button[type=submit]").await.click().await.expect("add");
    // No worker yet: the row waits in the queue, and the page is not reloaded from here on.
    let row = "tr[data-repository]";
    assert_eq!(chrome.text_of(&format!("{row} [data-field=sync]")).await, "queued");
    chrome.screenshot("repository-queued").await;
    let _worker = stack.start_worker();
    let synced = eventually(60, "the row to show the finished sync", || async {
        let text = chrome.text_of(&format!("{row} [data-field=sync]")).await;
        text.starts_with("synced").then_some(text)
    })
    .await;
    assert_eq!(synced, "synced: +2 −0 commits");
    assert_eq!(chrome.text_of(&format!("{row} [data-field=commits]")).await, "2");
    chrome.screenshot("repository-synced").await;

    chrome.find(&format!("{row} td a")).await.click().await.expect("the repository's overview");
    chrome.wait_for_url(&web.url("/repositories/")).await;
    chrome.find("nav.ranges a:last-child").await.click().await.expect("all time");
    eventually(20, "the view in the URL", || async { chrome.url().await.contains("range=all").then_some(()) }).await;
    let chart_bars = chrome.client.find_all(fantoccini::Locator::Css("svg.chart rect.bar")).await.expect("bars");
    assert!(!chart_bars.is_empty(), "the Commit History chart is drawn");
    let highlights = chrome.text_of("table.highlights").await;
    assert!(
        highlights.contains("Fix the tokenizer on empty input") && highlights.contains("tagged v1.0"),
        "{highlights}"
    );
    chrome.screenshot("repository-overview").await;

    chrome.find("nav.side a[href='/commits']").await.click().await.expect("commits link");
    chrome.wait_for_url(&web.url("/commits")).await;
    assert!(chrome.text_of("main table").await.contains("Start the parser"));
    chrome.screenshot("commits").await;
    let search = chrome.find("#top-search").await;
    search.send_keys("tokenizer\u{E007}").await.expect("search");
    chrome.wait_for_url(&web.url("/commits?q=tokenizer")).await;
    let found = chrome.text_of("main table").await;
    assert!(found.contains("Fix the tokenizer on empty input") && !found.contains("Start the parser"), "{found}");
    chrome.screenshot("search").await;

    let export = chrome.find("a[href^='/commits/export.csv']").await.attr("href").await.expect("href").expect("link");
    let csv = chrome
        .client
        .execute("return fetch(arguments[0]).then(r => r.text())", vec![serde_json::json!(export)])
        .await
        .expect("export");
    let csv = csv.as_str().expect("text");
    assert_eq!(csv.lines().count(), 2, "a header and the one commit found: {csv}");
    assert!(csv.contains("Fix the tokenizer on empty input") && csv.contains("grace@example.org"));

    chrome.find("header.top a[href='/logout']").await.click().await.expect("sign-out link");
    chrome.wait_for_url(&web.url("/logout")).await;
    chrome.screenshot("sign-out").await;
    chrome.find("main form button[type=submit]").await.click().await.expect("sign out");
    // The provider asks whether to end its session too.
    chrome.find("button[value=yes]").await.click().await.expect("end the provider's session");
    chrome.wait_for_url(&web.url("/")).await;
    assert!(chrome.text_of("main").await.contains("Sign in"), "back on the landing page");
    chrome.goto(&web.url("/repositories")).await;
    assert!(!chrome.url().await.starts_with(&web.url("/repositories")), "signed out: sent to sign in");
    chrome.screenshot("signed-out").await;
    chrome.quit().await;
}

#[tokio::test]
async fn the_dashboard_fits_a_phone_screen() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, _) = web.add_and_sync(a_small_project().path()).await;
    let chrome = Chrome::start_phone("phone", 390, 844).await;
    chrome.sign_in(&web.base, "bob").await;
    for (name, path) in [
        ("overview", format!("/?repository={id}&range=all")),
        ("statistics", format!("/statistics?repository={id}&range=all")),
        ("commits", format!("/commits?repository={id}")),
        ("committers", format!("/committers?repository={id}")),
        ("files", format!("/files?repository={id}")),
        ("ownership", format!("/ownership?repository={id}")),
        ("person", format!("/person?repository={id}&email=grace%40example.org")),
        ("file", format!("/file?repository={id}&path=src/lexer.rs")),
        ("repositories", "/repositories".to_owned()),
    ] {
        chrome.goto(&web.url(&path)).await;
        let overflow = chrome
            .client
            .execute(
                "const w = screen.width; const wide = [...document.querySelectorAll('body *')]\
                   .filter(e => e.getBoundingClientRect().right > w + 1 && !(e.parentElement && e.parentElement.closest('.scroll')))\
                   .map(e => e.tagName + '.' + e.className); \
                 return [document.documentElement.scrollWidth - w, wide.slice(0, 8)]",
                vec![],
            )
            .await
            .expect("measure");
        assert!(overflow[0].as_i64().is_some_and(|px| px <= 0), "{name} is wider than the phone: {overflow}");
        let width = chrome.client.execute("return window.innerWidth", vec![]).await.expect("width");
        assert_eq!(width, 390, "measured on a phone-sized screen");
        assert!(chrome.find("#top-search").await.is_displayed().await.expect("visible"), "{name}: search is there");
        chrome.screenshot(name).await;
    }
    chrome.quit().await;
}
