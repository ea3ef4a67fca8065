//! The web keeps each view's aggregates until its data changes. What a person sees right after
//! a sync, a force push or a deletion is the new truth, never a kept answer from before.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

const YEARS: &str = "since=2023-01-01&until=2024-12-31";

#[tokio::test]
async fn charts_totals_highlights_and_committers_follow_every_sync() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::with_one_commit();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    // Every view is asked for once, so each is kept.
    let stats = format!("/api/v1/repositories/{id}/stats?{YEARS}");
    let committers = format!("/api/v1/repositories/{id}/committers");
    let highlights = format!("/api/v1/repositories/{id}/highlights?{YEARS}");
    let (_, before) = web.get(&stats).await;
    assert_eq!(before["totals"]["commits"], 1, "{before}");
    let (_, people) = web.get(&committers).await;
    assert_eq!(people.as_array().expect("committers").len(), 1);
    let (_, listed) = web.get(&highlights).await;
    assert_eq!(listed.as_array().expect("highlights").len(), 1);
    let browser = signed_in(&web.base, "alice").await;
    let committers_page = || async {
        let url = web.url(&format!("/committers?repository={id}"));
        browser.client.get(url).send().await.expect("page").text().await.expect("html")
    };
    assert!(!committers_page().await.contains("Grace Hopper"));

    repo.write("b.txt", "one\ntwo\nthree\n");
    let added = repo.commit_as(b"Grace Hopper", b"grace@example.org", b"Add b");
    assert_eq!(web.sync_and_wait(id).await["state"], "succeeded");

    let (_, after) = web.get(&stats).await;
    assert_eq!(after["totals"]["commits"], 2, "the stats after the sync count its commit: {after}");
    assert_eq!(after["totals"]["committers"], 2);
    assert_eq!(after["totals"]["insertions"], before["totals"]["insertions"].as_i64().expect("n") + 3);
    let (_, people) = web.get(&committers).await;
    let names: Vec<&str> = people.as_array().expect("committers").iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(names.contains(&"Grace Hopper"), "{names:?}");
    let (_, listed) = web.get(&highlights).await;
    assert!(listed.as_array().expect("highlights").iter().any(|h| h["sha"] == added.as_str()), "{listed}");
    assert!(committers_page().await.contains("Grace Hopper"), "the page shows the new committer");

    // A force push takes the commit away again.
    repo.git(["reset", "-q", "--hard", "HEAD~1"]);
    assert_eq!(web.sync_and_wait(id).await["state"], "succeeded");
    let (_, rewound) = web.get(&stats).await;
    assert_eq!(rewound["totals"]["commits"], 1, "{rewound}");
    let (_, people) = web.get(&committers).await;
    assert_eq!(people.as_array().expect("committers").len(), 1);

    // So does deleting the repository, for the views across all of them.
    let (_, everything) = web.get(&format!("/api/v1/stats?{YEARS}")).await;
    assert_eq!(everything["totals"]["commits"], 1);
    assert_eq!(web.delete(&format!("/api/v1/repositories/{id}")).await, 204);
    let (_, nothing) = web.get(&format!("/api/v1/stats?{YEARS}")).await;
    assert_eq!(nothing["totals"]["commits"], 0, "{nothing}");
    let (_, nobody) = web.get("/api/v1/committers").await;
    assert_eq!(nobody.as_array().expect("committers").len(), 0, "{nobody}");
}

#[tokio::test]
async fn files_ownership_growth_and_owned_folders_follow_every_sync() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::with_one_commit();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    // Each view is asked for once, so each is kept: the top folder's files, the ownership of
    // the repository, and Ada's page (which reads every folder's owner).
    let files = format!("/api/v1/repositories/{id}/files?{YEARS}");
    let ownership = format!("/api/v1/repositories/{id}/ownership");
    let person = |email: &str| format!("/api/v1/person?repository={id}&email={email}");
    let (_, listed) = web.get(&files).await;
    assert_eq!(names(&listed, "name"), ["a.txt"], "{listed}");
    let (_, owners) = web.get(&ownership).await;
    assert_eq!(names(&owners["people"], "email"), ["ada@example.org"], "{owners}");
    let (_, ada) = web.get(&person("ada@example.org")).await;
    assert_eq!(names(&ada["owned_folders"], "folder"), [""], "Ada owns the top folder: {ada}");
    let (status, _) = web.get(&person("grace@example.org")).await;
    assert_eq!(status, 404, "Grace has no commit yet");
    let docs = format!("/api/v1/file?repository={id}&path=docs/b.txt");
    assert_eq!(web.get(&docs).await.0, 404, "no such file yet");
    let growth = format!("/api/v1/repositories/{id}/growth");
    let lines_now = |grown: &serde_json::Value| grown["lines"].as_array().and_then(|l| l.last()).cloned();
    let (_, grown) = web.get(&growth).await;
    assert_eq!(lines_now(&grown), Some(1.into()), "{grown}");

    repo.write("docs/b.txt", "one\ntwo\nthree\n");
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"Add docs");
    assert_eq!(web.sync_and_wait(id).await["state"], "succeeded");

    let (_, listed) = web.get(&files).await;
    assert_eq!(names(&listed, "name"), ["a.txt", "docs"], "the new folder is listed: {listed}");
    let (_, owners) = web.get(&ownership).await;
    let mut people = names(&owners["people"], "email");
    people.sort();
    assert_eq!(people, ["ada@example.org", "grace@example.org"], "{owners}");
    let (status, grace) = web.get(&person("grace@example.org")).await;
    assert_eq!(status, 200, "{grace}");
    assert_eq!(grace["repositories"][0]["commits"], 1, "her commit counts: {grace}");
    assert_eq!(names(&grace["owned_folders"], "folder"), ["docs"], "Grace owns what she wrote: {grace}");
    let (_, grown) = web.get(&growth).await;
    assert_eq!(lines_now(&grown), Some(4.into()), "her three lines count: {grown}");
    let (status, file) = web.get(&docs).await;
    assert_eq!(status, 200, "{file}");
    assert_eq!(file["commits"].as_array().map(Vec::len), Some(1), "{file}");

    // A force push takes her folder away again.
    repo.git(["reset", "-q", "--hard", "HEAD~1"]);
    assert_eq!(web.sync_and_wait(id).await["state"], "succeeded");
    let (_, listed) = web.get(&files).await;
    assert_eq!(names(&listed, "name"), ["a.txt"], "{listed}");
    let (_, owners) = web.get(&ownership).await;
    assert_eq!(names(&owners["people"], "email"), ["ada@example.org"], "{owners}");
    let (_, file) = web.get(&docs).await;
    assert_eq!(file["commits"].as_array().map(Vec::len), Some(0), "its commit went: {file}");
}

/// The `field` of each object in a JSON list, in order.
fn names(list: &serde_json::Value, field: &str) -> Vec<String> {
    list.as_array().expect("a list").iter().filter_map(|item| item[field].as_str().map(str::to_owned)).collect()
}
