//! Co-authors named by `Co-authored-by:` trailers (after .mailmap) are credited beside the
//! author: in the committers list (someone who only co-authored is listed too) and in
//! ownership; a .mailmap change re-maps them; a repository indexed before co-authors were
//! kept gets them at its next sync. Counts are checked against git's own trailer parsing.

use std::collections::BTreeMap;

use gitdash_shared::entities::{commit_coauthor, repository};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::Stack,
};
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};

fn rows(n: usize, word: &str) -> String {
    (0..n).map(|i| format!("let {word}_{i} = {i};\n")).collect()
}

/// Ada and Grace, with Grace and Alan (under an old address the .mailmap maps) as
/// co-authors of one of Ada's commits, and a trailer that is not in the last paragraph.
fn paired_history() -> GitRepo {
    let repo = GitRepo::new();
    repo.write(".mailmap", "Alan Turing <alan@example.org> <alan@old.example>\n");
    repo.write("src/a.rs", rows(10, "a"));
    repo.commit("Start");
    repo.write("src/b.rs", rows(20, "b"));
    repo.commit(
        "Pair on b\n\nWritten together.\n\nCo-authored-by: Grace Hopper <grace@example.org>\n\
         Co-authored-by: A. Turing <alan@old.example>\n",
    );
    repo.write("src/a.rs", rows(15, "a"));
    repo.commit_as(
        b"Grace Hopper",
        b"grace@example.org",
        b"Grace's own\n\nCo-authored-by: not a trailer here\n\nThanks.",
    );
    repo
}

/// Co-authored commits per person, from git: each commit's Co-authored-by trailers as
/// `git log` parses them, each mapped by `git check-mailmap`.
fn coauthored_by_git(repo: &GitRepo) -> BTreeMap<String, i64> {
    let log = repo.git(["log", "--format=%x01%(trailers:key=Co-authored-by,valueonly,separator=%x02)"]);
    let mut counts = BTreeMap::new();
    for commit in log.split('\u{1}').map(str::trim).filter(|c| !c.is_empty()) {
        for person in commit.split('\u{2}') {
            let mapped = repo.git(["check-mailmap", person.trim()]);
            let email = mapped.trim().rsplit_once('<').map(|(_, e)| e.trim_end_matches('>').to_owned());
            *counts.entry(email.expect("an email")).or_insert(0) += 1;
        }
    }
    counts
}

fn committers(api: &serde_json::Value) -> BTreeMap<String, (i64, i64)> {
    api.as_array()
        .expect("committers")
        .iter()
        .map(|c| {
            let email = c["email"].as_str().expect("email").to_owned();
            (email, (c["commits"].as_i64().expect("commits"), c["co_authored"].as_i64().expect("co_authored")))
        })
        .collect()
}

async fn coauthors_are_credited_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = paired_history();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let truth = coauthored_by_git(&repo);
    assert_eq!(truth, BTreeMap::from([("alan@example.org".into(), 1), ("grace@example.org".into(), 1)]));
    let (status, api) = web.get(&format!("/api/v1/repositories/{id}/committers")).await;
    assert_eq!(status, 200, "{api}");
    let listed = committers(&api);
    assert_eq!(listed["ada@example.org"], (2, 0));
    assert_eq!(listed["grace@example.org"], (1, truth["grace@example.org"]), "her own commit and one co-authored");
    assert_eq!(
        listed["alan@example.org"],
        (0, truth["alan@example.org"]),
        "co-authored only, under the mapped address"
    );
    assert_eq!(listed.len(), 3, "the misplaced trailer names no one: {listed:?}");

    // Ownership credits the co-authored lines to every co-author.
    let (_, ownership) = web.get(&format!("/api/v1/repositories/{id}/ownership?path=src")).await;
    let lines: BTreeMap<&str, i64> = ownership["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| (p["email"].as_str().expect("email"), p["lines"].as_i64().expect("lines")))
        .collect();
    assert_eq!(lines.get("alan@example.org"), Some(&20), "{ownership}");
    assert_eq!(lines.get("grace@example.org"), Some(&(20 + 5)), "{ownership}");
    let (_, file) = web.get(&format!("/api/v1/file?repository={id}&path=src/b.rs")).await;
    let authors: Vec<&str> =
        file["authors"].as_array().expect("authors").iter().filter_map(|a| a["email"].as_str()).collect();
    assert_eq!(authors.len(), 3, "the file's page names all three: {file}");

    let paired = repo.git(["log", "-1", "--format=%H", "--grep=Pair on b"]);
    let browser = gitdash_tests::idp::signed_in(&web.base, "alice").await;
    let page = browser
        .client
        .get(web.url(&format!("/repositories/{id}/commits/{}", paired.trim())))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let named = page.split("<dt>Co-authors</dt>").nth(1).expect("the commit page names its co-authors");
    assert!(named.contains(">Grace Hopper</a>") && named.contains(">Alan Turing</a>"), "{named}");

    let alan = browser
        .client
        .get(web.url(&format!("/person?repository={id}&email=alan%40example.org")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(alan.contains("named as a co-author of 1 commit"), "a co-author's page says so: {alan}");
    let (status, person) = web.get(&format!("/api/v1/person?repository={id}&email=alan@example.org")).await;
    assert_eq!((status, &person["co_authored"], &person["name"]), (200, &1.into(), &"Alan Turing".into()), "{person}");

    // A .mailmap change re-maps co-authors with the authors.
    repo.write(
        ".mailmap",
        "Alan Turing <alan@example.org> <alan@old.example>\nGrace Hopper <grace@navy.example> <grace@example.org>\n",
    );
    repo.commit("Grace's new address");
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let (_, api) = web.get(&format!("/api/v1/repositories/{id}/committers")).await;
    let listed = committers(&api);
    assert_eq!(listed.get("grace@navy.example"), Some(&(1, 1)), "{listed:?}");
    assert!(!listed.contains_key("grace@example.org"), "{listed:?}");
}

#[tokio::test]
async fn co_authors_are_credited_in_committers_and_ownership_on_sqlite() {
    coauthors_are_credited_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn co_authors_are_credited_in_committers_and_ownership_on_postgres() {
    coauthors_are_credited_on(Backend::Postgres).await;
}

async fn an_older_repository_gets_its_coauthors_at_its_next_sync(backend: Backend) {
    let repo = paired_history();
    let stack = Stack::new(TestDatabase::new(backend).await);
    let index = || async {
        let output = stack.index(repo.path().to_str().expect("utf-8 path")).await;
        assert!(output.status.success(), "index failed: {}", String::from_utf8_lossy(&output.stderr));
    };
    index().await;
    let db = stack.database.connect().await;
    let stored = commit_coauthor::Entity::find().count(&db).await.expect("count");
    assert_eq!(stored, 2);
    // What the co-authors migration leaves behind on an older installation.
    commit_coauthor::Entity::delete_many().exec(&db).await.expect("delete co-authors");
    repository::Entity::update_many()
        .set(repository::ActiveModel { indexed_head: Set(None), coauthors_filled: Set(false), ..Default::default() })
        .exec(&db)
        .await
        .expect("mark the repository as older");

    index().await;
    let mut people: Vec<(String, String)> = commit_coauthor::Entity::find()
        .all(&db)
        .await
        .expect("co-authors")
        .into_iter()
        .map(|c| (c.email, c.original_email))
        .collect();
    people.sort();
    assert_eq!(
        people,
        [
            ("alan@example.org".into(), "alan@old.example".into()),
            ("grace@example.org".into(), "grace@example.org".into())
        ],
        "filled in from the stored messages, after .mailmap"
    );
    let filled = repository::Entity::find().one(&db).await.expect("query").expect("the repository");
    assert!(filled.coauthors_filled);
}

#[tokio::test]
async fn an_older_repository_gets_its_coauthors_at_its_next_sync_on_sqlite() {
    an_older_repository_gets_its_coauthors_at_its_next_sync(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_older_repository_gets_its_coauthors_at_its_next_sync_on_postgres() {
    an_older_repository_gets_its_coauthors_at_its_next_sync(Backend::Postgres).await;
}
