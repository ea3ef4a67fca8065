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
    assert!(big_reasons.iter().any(|r| r == "largest change: +500 −0 in 1 files"), "{big_reasons:?}");
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
