//! The Commits page: search by message, sha prefix and author, keyset pagination, line
//! counts and tags, and the filtered list exported as CSV and JSON.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

/// How each commit's row starts.
const ROW: &str = r#"<tr><td data-label="Hash">"#;

/// The address of the link whose text starts with `text`.
fn link(html: &str, text: &str) -> Option<String> {
    html.split("<a href=\"")
        .find(|s| s.split_once("\">").is_some_and(|(_, rest)| rest.starts_with(text)))
        .map(|s| s.split('"').next().expect("href").replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn commits_are_searched_paged_tagged_and_exported() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    let mut shas = Vec::new();
    for n in 0..60 {
        repo.write("f.txt", format!("{n}\n"));
        let (name, email): (&[u8], &[u8]) =
            if n % 2 == 0 { (b"Ada", b"ada@example.org") } else { (b"Bob", b"bob@example.org") };
        shas.push(repo.commit_as(name, email, format!("Change number {n}").as_bytes()));
    }
    repo.write("f.txt", "<b>bold</b>\n");
    let special = repo.commit_as(b"Ada", b"ada@example.org", b"Fix the <marquee> parser");
    repo.git(["tag", "v2.0"]);
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };

    let first = html(format!("/commits?repository={id}")).await;
    assert_eq!(first.matches(ROW).count(), 50, "a page of 50");
    assert!(first.contains(&special[..10]) && first.contains("v2.0"), "newest first, with its tag");
    assert!(!first.contains("<marquee>") && first.contains("marquee"), "messages escaped");
    assert!(first.contains("61 commits match"), "the count of matches");
    assert!(link(&first, "← Newer").is_none(), "the first page has nothing newer");
    let second = html(link(&first, "Older commits").expect("an older-commits link")).await;
    assert_eq!(second.matches(ROW).count(), 11, "the other 11");
    assert!(second.contains(&shas[0][..10]), "down to the first commit");
    assert!(link(&second, "Older commits").is_none(), "nothing older than the first commit");
    let back = html(link(&second, "← Newer").expect("a newer-commits link")).await;
    assert_eq!(back.matches(ROW).count(), 50, "back to a full page");
    assert!(back.contains(&special[..10]), "back to the newest commit");
    assert!(link(&back, "← Newer").is_none(), "and no further");

    let found = html(format!("/commits?repository={id}&q=number+42")).await;
    assert_eq!(found.matches(ROW).count(), 1);
    assert!(found.contains(&shas[42][..10]));
    assert!(found.contains("1 commit matches"), "one match, in the singular");
    assert!(found.contains("Change <mark>number</mark> <mark>42</mark>"), "the matched words highlighted");
    assert!(
        found.contains(r#"name="q" type="search" placeholder="Search commits" value="number 42""#),
        "the top bar keeps the search"
    );
    assert_eq!(found.matches("<form").count(), 2, "the top bar's search and one form of the page");
    let by_sha = html(format!("/commits?repository={id}&q={}", &shas[7][..8])).await;
    assert!(by_sha.contains("Change number 7"));
    let bobs = html(format!("/commits?repository={id}&author=bob")).await;
    assert_eq!(bobs.matches(ROW).count(), 30);

    let csv = html(format!("/commits/export.csv?repository={id}&author=bob")).await;
    assert_eq!(csv.lines().count(), 31, "a header and Bob's 30 commits");
    assert!(csv.starts_with("sha,committed_at,author_name,author_email,summary"));
    let json: serde_json::Value = browser
        .client
        .get(web.url(&format!("/commits/export.json?repository={id}")))
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(61), "every commit");
    assert_eq!(json[0]["sha"], special.as_str());
}

#[tokio::test]
async fn a_search_matching_more_than_a_thousand_commits_says_so_instead_of_counting_them_all() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = gitdash_tests::git_fixture::generated_history(1_005);
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let browser = signed_in(&web.base, "alice").await;
    let page = |q: &str| {
        let (client, url) = (browser.client.clone(), web.url(&format!("/commits?repository={id}&q={q}")));
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let every = page("generated").await;
    assert!(every.contains("More than 1,000 commits match"), "{every}");
    assert_eq!(every.matches(ROW).count(), 50, "still a page of them");
    let few = page("generated+100").await;
    // "Generated commit 100" and 1000 to 1004: six words start with "100".
    assert!(few.contains("6 commits match"), "counted exactly below the limit: {few}");
}
