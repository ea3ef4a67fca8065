//! Highlighted commits: the largest changes, each newcomer's first commit and tagged
//! releases, each with its reason, in the API and on the overview — escaped.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

#[tokio::test]
async fn standout_commits_come_with_their_reasons() {
    let stack = Stack::new(TestDatabase::new(Backend::Postgres).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    repo.write("a.txt", "1\n");
    let first_by_ada = repo.commit_as(b"Ada", b"ada@example.org", b"Start");
    repo.write("a.txt", "1\n2\n");
    repo.commit_as(b"Ada", b"ada@example.org", b"Small");
    repo.write("big.txt", "line\n".repeat(500));
    let big = repo.commit_as(b"Ada", b"ada@example.org", b"Import the <script>alert(1)</script> corpus");
    repo.write("b.txt", "b\n");
    let first_by_bob = repo.commit_as(b"Bob", b"bob@example.org", b"Bob arrives");
    repo.git(["tag", "v1.0"]);
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let (status, list) = web.get(&format!("/api/v1/repositories/{id}/highlights?since=2000-01-01")).await;
    assert_eq!(status, 200, "{list}");
    let reasons_of = |sha: &str| -> Vec<String> {
        list.as_array()
            .expect("array")
            .iter()
            .find(|h| h["sha"] == sha)
            .map(|h| {
                h["reasons"].as_array().expect("reasons").iter().map(|r| r.as_str().expect("text").to_owned()).collect()
            })
            .unwrap_or_default()
    };
    let big_reasons = reasons_of(&big);
    assert!(big_reasons.iter().any(|r| r == "largest change: +500 −0 in 1 file"), "{big_reasons:?}");
    assert!(reasons_of(&first_by_ada).iter().any(|r| r == "first commit by Ada"), "{list}");
    let bob = reasons_of(&first_by_bob);
    assert!(bob.iter().any(|r| r == "first commit by Bob") && bob.iter().any(|r| r == "tagged v1.0"), "{bob:?}");
    assert_eq!(list[0]["sha"], first_by_bob.as_str(), "newest first");

    let browser = signed_in(&web.base, "alice").await;
    let html = browser
        .client
        .get(web.url(&format!("/?repository={id}&range=all")))
        .send()
        .await
        .expect("overview")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Highlighted Commits") && html.contains("tagged v1.0"), "{html}");
    assert!(html.contains(&big[..10]), "the hash is shown");
    assert!(!html.contains("<script>alert(1)"), "messages are escaped");
}

/// The daily summary keeps one largest change per day and author; the list must still hold
/// the range's five largest commits when one person made several of them on one day.
#[tokio::test]
async fn the_largest_changes_are_the_largest_commits_of_the_range() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    let mut file = 0;
    let mut change = |name: &str, lines: usize| {
        file += 1;
        repo.write(&format!("f{file}.txt"), "line\n".repeat(lines));
        let email = format!("{}@example.org", name.to_lowercase());
        repo.commit_as(name.as_bytes(), email.as_bytes(), format!("{lines} lines").as_bytes())
    };
    // 2023-11-14 (UTC): Ada makes three of the five largest, Bob one.
    let ada_100 = change("Ada", 100);
    let ada_90 = change("Ada", 90);
    let ada_80 = change("Ada", 80);
    let bob_85 = change("Bob", 85);
    let ada_3 = change("Ada", 3);
    repo.pass_time(86_400);
    // 2023-11-15: Cy's small changes.
    let cy_10 = change("Cy", 10);
    let cy_5 = change("Cy", 5);
    repo.pass_time(86_400);
    // 2023-11-16: Dee's one large change.
    let dee_95 = change("Dee", 95);
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let largest = |since: &'static str, until: &'static str| {
        let web = &web;
        async move {
            let path = format!("/api/v1/repositories/{id}/highlights?since={since}&until={until}");
            let (status, list) = web.get(&path).await;
            assert_eq!(status, 200, "{list}");
            let mut found: Vec<(i64, String)> = list
                .as_array()
                .expect("array")
                .iter()
                .filter(|h| h["reasons"].to_string().contains("largest change"))
                .map(|h| (h["insertions"].as_i64().expect("lines"), h["sha"].as_str().expect("sha").to_owned()))
                .collect();
            found.sort_by_key(|entry| std::cmp::Reverse(entry.0));
            found.into_iter().map(|(_, sha)| sha).collect::<Vec<String>>()
        }
    };
    assert_eq!(largest("2023-11-01", "2023-11-30").await, [ada_100.as_str(), &dee_95, &ada_90, &bob_85, &ada_80]);
    assert!(!largest("2023-11-01", "2023-11-30").await.contains(&ada_3));
    assert_eq!(largest("2023-11-15", "2023-11-16").await, [dee_95.as_str(), &cy_10, &cy_5], "only the range's days");
    assert_eq!(largest("2023-11-15", "2023-11-15").await, [cy_10.as_str(), &cy_5]);
}

/// An update of a lock file is thousands of lines nobody wrote: the largest changes leave
/// such lines out (`GITDASH_GENERATED_PATHS`), and say so where a commit mixes both. Rows
/// indexed before the lines were counted apart get their count at the next sync.
#[tokio::test]
async fn lock_files_and_vendored_code_do_not_make_a_change_large() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await)
        .with_env("GITDASH_GENERATED_PATHS", "**/*.lock,third_party/**");
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    repo.write("src/a.rs", "fn a() {}\n".repeat(40));
    let written = repo.commit("Write the parser");
    repo.write("Cargo.lock", "[[package]]\n".repeat(5000));
    let lock_only = repo.commit_as(b"dependabot", b"bot@example.org", b"Update the lock file");
    repo.write("third_party/zlib/zlib.c", "int x;\n".repeat(3000));
    repo.write("src/b.rs", "fn b() {}\n".repeat(20));
    let mixed = repo.commit("Vendor zlib and call it");
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let largest = |list: &serde_json::Value| -> Vec<(String, String)> {
        list.as_array()
            .expect("array")
            .iter()
            .flat_map(|h| {
                h["reasons"].as_array().expect("reasons").iter().filter_map(move |r| {
                    let reason = r.as_str().expect("text");
                    reason
                        .starts_with("largest change")
                        .then(|| (h["sha"].as_str().expect("sha").to_owned(), reason.to_owned()))
                })
            })
            .collect()
    };
    let (_, list) = web.get(&format!("/api/v1/repositories/{id}/highlights?since=2000-01-01&bots=include")).await;
    let found = largest(&list);
    assert!(found.iter().all(|(sha, _)| *sha != lock_only), "a lock file alone is no change of size: {found:?}");
    assert!(found.iter().any(|(sha, _)| *sha == written), "{found:?}");
    let (_, mixed_reason) = found.iter().find(|(sha, _)| *sha == mixed).expect("the mixed commit is listed");
    assert_eq!(
        mixed_reason,
        "largest change: +3,020 −0 in 2 files (3,000 of these lines in generated files, not counted)"
    );

    // Forget the counts, as an installation upgraded from before them has none (nor an
    // indexed head, which came later): the next sync counts them again.
    let db = stack.database.connect().await;
    sea_orm::ConnectionTrait::execute_unprepared(&db, "UPDATE commits SET generated_lines = NULL")
        .await
        .expect("forget");
    sea_orm::ConnectionTrait::execute_unprepared(&db, "UPDATE repositories SET indexed_head = NULL")
        .await
        .expect("forget");
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let (_, list) = web.get(&format!("/api/v1/repositories/{id}/highlights?since=2000-01-01&bots=include")).await;
    assert_eq!(largest(&list), found, "the same list once counted again");
}
