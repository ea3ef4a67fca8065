//! A file's page: what it is, its lines per month, who wrote it and who knows it, and the
//! commits that changed it, as `git log --numstat` counts them; the Files page, the commit
//! page and the Ownership page lead to it.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

fn rows(n: usize) -> String {
    (0..n).map(|i| format!("fn f{i}() {{}}\n")).collect()
}

/// `git log --numstat` of one file: (sha, added, removed), newest first.
fn history_of(repo: &GitRepo, path: &str) -> Vec<(String, i64, i64)> {
    let log = repo.git(["log", "--no-merges", "--no-renames", "--numstat", "--format=@%H", "--", path]);
    let mut found = Vec::new();
    let mut sha = String::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        if let Some(s) = line.strip_prefix('@') {
            sha = s.to_owned();
        } else {
            let mut parts = line.split('\t');
            let added = parts.next().and_then(|a| a.parse().ok()).unwrap_or(0);
            let removed = parts.next().and_then(|r| r.parse().ok()).unwrap_or(0);
            found.push((sha.clone(), added, removed));
        }
    }
    found
}

async fn file_page_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    repo.write("src/parser.rs", rows(40));
    repo.write("src/old.rs", rows(5));
    repo.commit("Start the parser");
    repo.write("src/parser.rs", rows(44));
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"Parse numbers");
    repo.pass_time(40 * 86_400);
    repo.write("src/parser.rs", rows(30));
    repo.git(["rm", "-q", "src/old.rs"]);
    let last = repo.commit("Simplify the parser");
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let browser = signed_in(&web.base, "alice").await;
    let get = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move {
            let response = client.get(url).send().await.expect("page");
            (response.status().as_u16(), response.text().await.expect("html"))
        }
    };
    let (_, files) = get(format!("/files?repository={id}&range=all&path=src")).await;
    let row = files.split("<tr>").find(|r| r.contains("<code>parser.rs</code>")).expect("the parser's row");
    assert!(
        row.contains("/file?repository=") && row.contains("path=src%2Fparser.rs"),
        "a file leads to its page: {row}"
    );
    let (_, commit) = get(format!("/repositories/{id}/commits/{last}")).await;
    assert!(commit.contains("path=src%2Fparser.rs"), "so does the commit page: {commit}");

    let (status, page) = get(format!("/file?repository={id}&range=all&path=src/parser.rs")).await;
    assert_eq!(status, 200, "{page}");
    let truth = history_of(&repo, "src/parser.rs");
    let (added, removed) = truth.iter().fold((0, 0), |(a, r), c| (a + c.1, r + c.2));
    assert!(page.contains("<h1><code>parser.rs</code> in "), "{page}");
    assert!(page.contains(&format!(">{} commits</a>", truth.len())), "{page}");
    assert!(page.contains(&format!("+{added}</span> <span class=\"removed\">−{removed}</span></dd>")), "{page}");
    assert!(page.contains("<dd>Rust</dd>"), "its language");
    assert!(!page.contains("deleted</span>"), "it is in the head tree");

    let history = page.split(r#"<h2 id="history">History</h2>"#).nth(1).expect("its history");
    let listed: Vec<&str> = history.split("<code>").skip(1).map(|r| &r[..10]).collect();
    let expected: Vec<&str> = truth.iter().map(|c| &c.0[..10]).collect();
    assert_eq!(listed, expected, "every commit that changed it, newest first");

    let authors = page.split("<h2>Authors</h2>").nth(1).expect("its authors").split("<h2>").next().expect("table");
    let ada_lines: i64 = truth.iter().filter(|c| c.0 != truth[1].0).map(|c| c.1 + c.2).sum();
    let ada = authors.split("<tr>").find(|r| r.contains(">Ada Lovelace</a>")).expect("Ada");
    assert!(ada.contains(&format!(">{ada_lines}</td>")) && ada.contains("knows it"), "{ada}");
    assert!(authors.find("Ada Lovelace") < authors.find("Grace Hopper"), "most lines first");

    let chart = page.split("<h2>Lines changed per month</h2>").nth(1).expect("the chart");
    let (up, down) = (truth[0].1, truth[0].2);
    let month = chrono::DateTime::from_timestamp(repo.git(["log", "-1", "--format=%ct"]).trim().parse().expect("t"), 0)
        .expect("time")
        .format("%B %Y")
        .to_string();
    assert!(chart.contains(&format!("{month}: +{up} −{down} lines")), "{month}: {chart}");

    let (status, api) = web.get(&format!("/api/v1/file?repository={id}&path=src/parser.rs")).await;
    assert_eq!(status, 200, "{api}");
    let shas: Vec<&str> =
        api["commits"].as_array().expect("commits").iter().filter_map(|c| c["sha"].as_str()).collect();
    assert_eq!(shas, truth.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), "the API lists the same commits");
    assert_eq!(api["authors"][0]["email"], "ada@example.org");
    assert_eq!(api["authors"][0]["lines"], ada_lines);
    assert_eq!(api["authors"][0]["knows_it"], true);
    assert_eq!(web.get(&format!("/api/v1/file?repository={id}&path=src/nothing.rs")).await.0, 404);

    let (_, gone) = get(format!("/file?repository={id}&range=all&path=src/old.rs")).await;
    assert!(gone.contains("deleted</span>"), "a file no longer in the tree says so: {gone}");
    let (status, _) = get(format!("/file?repository={id}&path=src/nothing.rs")).await;
    assert_eq!(status, 404, "no page for a file no commit changed");
}

#[tokio::test]
async fn a_file_has_a_page_with_its_history_and_authors_on_sqlite() {
    file_page_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_file_has_a_page_with_its_history_and_authors_on_postgres() {
    file_page_on(Backend::Postgres).await;
}
