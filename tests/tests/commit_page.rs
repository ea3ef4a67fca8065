//! The commit page: every sha on the other pages leads to it, and it shows the whole
//! message, author and committer, the author's own time zone, parents (links), tags and line
//! counts; a merge says why it has no line counts. Rows stored before parents were kept get
//! them at the next sync. An unknown commit answers a not-found page inside the frame.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};
use sea_orm::ConnectionTrait;

/// The address of the first link whose text contains `text`, as a path.
fn link_to(html: &str, text: &str) -> Option<String> {
    html.split("<a href=\"")
        .skip(1)
        .find(|s| s.split_once("</a>").is_some_and(|(inside, _)| inside.contains(text)))
        .map(|s| s.split('"').next().expect("href").replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn a_sha_leads_to_its_commit_page_with_message_parents_tags_and_lines() {
    commit_page_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_commit_page_and_its_parents_work_on_postgres() {
    commit_page_on(Backend::Postgres).await;
}

async fn commit_page_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    repo.write("README.md", "# Parser\n");
    let root = repo.commit("Start the parser");
    repo.git(["checkout", "-q", "-b", "fix"]);
    repo.write("src/lexer.rs", "fn lex() {}\nfn eof() {}\n");
    let fix = repo.commit_as(
        b"Grace Hopper",
        b"grace@example.org",
        b"Fix the tokenizer on empty input\n\nThe lexer returned nothing for an empty file; it now returns EOF.",
    );
    repo.git(["checkout", "-q", "main"]);
    repo.write("NOTES", "notes\n");
    let note = repo.commit("Add notes");
    let merge = repo.merge("fix");
    repo.git(["tag", "v1.0", &fix]);
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move {
            let response = client.get(url).header("accept", "text/html,*/*;q=0.8").send().await.expect("page");
            (response.status().as_u16(), response.text().await.expect("html"))
        }
    };

    let (_, commits) = html(format!("/commits?repository={id}&q=tokenizer")).await;
    let page = link_to(&commits, &fix[..10]).expect("the sha links to the commit page");
    assert_eq!(page, format!("/repositories/{id}/commits/{fix}"));
    let (status, fix_page) = html(page).await;
    assert_eq!(status, 200);
    assert!(fix_page.contains("<h1 class=\"commit-title\">Fix the tokenizer on empty input</h1>"), "{fix_page}");
    assert!(fix_page.contains("it now returns EOF."), "the whole message");
    assert!(fix_page.contains(&fix), "the full sha");
    assert!(fix_page.contains("+02:00"), "the author's date in the author's own zone: {fix_page}");
    assert!(fix_page.contains("1 file changed") && fix_page.contains("+2</span>"), "its line counts: {fix_page}");
    assert!(fix_page.contains(">v1.0<"), "its tag");
    assert_eq!(link_to(&fix_page, &root[..10]), Some(format!("/repositories/{id}/commits/{root}")), "its parent");
    assert!(!fix_page.contains("on its host"), "a local path has no host to link to");
    let person = link_to(&fix_page, "Grace Hopper").expect("the author links to their page");
    let (_, grace) = html(person).await;
    assert!(grace.contains("<h1>Grace Hopper in "), "Grace's own page: {grace}");
    assert!(grace.contains("<dt>Email</dt><dd>grace@example.org</dd>"), "{grace}");

    let (_, merge_page) = html(format!("/repositories/{id}/commits/{}", &merge[..12])).await;
    assert!(merge_page.contains("Parents"), "a short sha finds the commit");
    for parent in [&note, &fix] {
        assert!(merge_page.contains(&format!("/repositories/{id}/commits/{parent}")), "both parents: {merge_page}");
    }
    assert!(merge_page.contains("a merge: its line counts depend on the parent"), "{merge_page}");

    // A row stored before parents were kept gets them at the next sync.
    let db = stack.database.connect().await;
    db.execute_unprepared("UPDATE commits SET parents = NULL").await.expect("forget parents");
    // Such an installation has no indexed head either (it came later), so the sync looks at every row.
    db.execute_unprepared("UPDATE repositories SET indexed_head = NULL").await.expect("forget the indexed head");
    let (_, forgotten) = html(format!("/repositories/{id}/commits/{merge}")).await;
    assert!(forgotten.contains("2 (listed after the next sync)"), "{forgotten}");
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let (_, refilled) = html(format!("/repositories/{id}/commits/{merge}")).await;
    assert!(refilled.contains(&format!("/repositories/{id}/commits/{note}")), "{refilled}");

    // Unknown commits and pages answer inside the frame, with its navigation.
    for path in [format!("/repositories/{id}/commits/0000000000"), "/no/such/page".to_owned()] {
        let (status, missing) = html(path.clone()).await;
        assert_eq!(status, 404, "{path}");
        assert!(missing.contains("<h1>Not found</h1>") && missing.contains("<nav class=\"side\""), "{path}: {missing}");
    }
    let api =
        browser.client.get(web.url("/no/such/page")).header("accept", "application/json").send().await.expect("api");
    assert_eq!(api.status(), 404);
    assert_eq!(api.json::<serde_json::Value>().await.expect("json")["message"], "not found", "API clients keep JSON");
}
