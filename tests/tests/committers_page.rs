//! The Committers page: one row per person after .mailmap, sortable, exported as CSV and
//! JSON with the same figures, and names from commits always escaped.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

#[tokio::test]
async fn committers_are_listed_sorted_exported_and_escaped() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    // Git drops `<` and `>` from names itself; `&` and quotes come through to be escaped.
    let hostile = "Eve & \"Co\" onmouseover=alert(1)";
    repo.write("a.txt", "one\n");
    repo.commit_as(hostile.as_bytes(), b"mallory@example.org", b"First <script>alert(2)</script>");
    for n in 0..3 {
        repo.write("b.txt", format!("line {n}\n"));
        repo.commit_as(b"Grace", b"grace@example.org", format!("Change {n}").as_bytes());
    }
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let browser = signed_in(&web.base, "alice").await;
    let get = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("request") }
    };

    let html = get(format!("/committers?repository={id}")).await.text().await.expect("html");
    assert!(!html.contains(hostile), "escaped: {html}");
    assert!(html.contains("Eve &#38; &#34;Co&#34;") || html.contains("Eve &amp; &quot;Co&quot;"), "{html}");
    let grace = html.find("grace@example.org").expect("grace listed");
    let mallory = html.find("mallory@example.org").expect("mallory listed");
    assert!(grace < mallory, "most commits first");
    let by_name = get(format!("/committers?repository={id}&sort=name")).await.text().await.expect("html");
    assert!(by_name.find("mallory@example.org") < by_name.find("grace@example.org"), "Eve before Grace");

    let csv = get(format!("/committers/export.csv?repository={id}")).await;
    assert!(csv.headers()["content-type"].to_str().expect("ascii").starts_with("text/csv"));
    let csv = csv.text().await.expect("csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("name,email,commits,insertions,deletions,first_day,last_day,active_days,co_authored")
    );
    let grace_row = lines.next().expect("a row");
    assert!(grace_row.starts_with("Grace,grace@example.org,3,"), "{grace_row}");

    let json: serde_json::Value =
        get(format!("/committers/export.json?repository={id}")).await.json().await.expect("json");
    let (_, api) = web.get(&format!("/api/v1/repositories/{id}/committers")).await;
    assert_eq!(json.as_array().map(Vec::len), Some(2));
    for (exported, listed) in json.as_array().expect("rows").iter().zip(api.as_array().expect("rows")) {
        assert_eq!(exported["commits"], listed["commits"]);
        assert_eq!(exported["email"], listed["email"]);
    }
}

/// git/git has 2,465 committers: a hundred to a page, the rest a link away, each row with
/// its own small activity chart.
#[tokio::test]
async fn committers_come_a_hundred_to_a_page_each_with_an_activity_chart() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    for n in 0..130 {
        repo.write("a.txt", format!("{n}\n"));
        let email = format!("person{n:03}@example.org");
        repo.commit_as(format!("Person {n:03}").as_bytes(), email.as_bytes(), b"A change");
    }
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let row = "<tr><td data-label=\"Person\">";

    let first = html(format!("/committers?repository={id}&sort=name")).await;
    assert_eq!(first.matches(row).count(), 100, "a hundred on the first page");
    assert!(first.contains("1–100 of 130 people"), "{first}");
    assert_eq!(first.matches("<svg class=\"sparkline\"").count(), 100, "an activity chart per row");
    assert!(first.contains("Person 000") && !first.contains("Person 100"));
    let next = first
        .split("<a href=\"")
        .find(|s| s.contains("\">Next 100"))
        .map(|s| s.split('"').next().expect("href").replace("&amp;", "&").replace("&#38;", "&"))
        .expect("a link to the next page");
    let second = html(next).await;
    assert_eq!(second.matches(row).count(), 30, "the other 30");
    assert!(second.contains("101–130 of 130 people") && second.contains("Person 129"), "{second}");
    assert!(second.contains("← Previous 100") && !second.contains("Next 100"));
}
