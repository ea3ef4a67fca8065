//! A file's page and API follow it back through its renames as `git log --follow` does:
//! its commits under every former name (and not those of a later file that took an old
//! name), the names it had, and, on a former name's page, the name it was given.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{GitRepo, history_with_renames},
    idp::signed_in,
    processes::Stack,
};

/// `git log --follow` of one path: (sha, the file's name in that commit), newest first.
fn followed(repo: &GitRepo, path: &str) -> Vec<(String, String)> {
    let log = repo.git(["log", "--follow", "--no-merges", "--name-only", "--format=@%H", "--", path]);
    let mut found = Vec::new();
    let mut sha = String::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        match line.strip_prefix('@') {
            Some(s) => sha = s.to_owned(),
            None => found.push((sha.clone(), line.to_owned())),
        }
    }
    found
}

async fn file_follows_renames_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = history_with_renames();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let (status, api) = web.get(&format!("/api/v1/file?repository={id}&path=lib/parse.rs")).await;
    assert_eq!(status, 200, "{api}");
    let listed: Vec<(String, String)> = api["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| (c["sha"].as_str().unwrap_or_default().to_owned(), c["path"].as_str().unwrap_or_default().to_owned()))
        .collect();
    let truth = followed(&repo, "lib/parse.rs");
    assert_eq!(truth.len(), 5, "git follows it through two renames: {truth:?}");
    assert_eq!(listed, truth, "every commit of the file under the name it had then, newest first");
    let formers: Vec<&str> =
        api["former_paths"].as_array().expect("former paths").iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(formers, ["src/syntax/parser.rs", "src/parser.rs"], "latest rename first");
    let authors: Vec<&str> =
        api["authors"].as_array().expect("authors").iter().filter_map(|a| a["email"].as_str()).collect();
    assert_eq!(authors, ["ada@example.org", "grace@example.org"], "who wrote it under any name");

    let (_, moved) = web.get(&format!("/api/v1/file?repository={id}&path=src/syntax/parser.rs")).await;
    assert_eq!(moved["in_head"], false);
    assert_eq!(moved["renamed_to"]["path"], "lib/parse.rs", "a former name says where the file went: {moved}");

    // The old name now belongs to another file: its history is git's for that name, and
    // the renamed file's history does not take the newcomer's commit.
    let (_, reused) = web.get(&format!("/api/v1/file?repository={id}&path=src/parser.rs")).await;
    let reused: Vec<&str> =
        reused["commits"].as_array().expect("commits").iter().filter_map(|c| c["sha"].as_str()).collect();
    let by_name = repo.git(["log", "--no-merges", "--format=%H", "--", "src/parser.rs"]);
    assert_eq!(reused, by_name.lines().collect::<Vec<_>>());
    let newcomer = repo.git(["log", "-1", "--format=%H", "--", "src/parser.rs"]);
    assert!(!listed.iter().any(|(sha, _)| sha == newcomer.trim()), "the newcomer's commit is not the file's");

    let browser = signed_in(&web.base, "alice").await;
    let page = browser
        .client
        .get(web.url(&format!("/file?repository={id}&range=all&path=lib/parse.rs")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let facts = page.split("<h2>").next().expect("the facts");
    assert!(facts.contains("<dt>Formerly</dt>"), "{facts}");
    assert!(facts.find("<code>src/syntax/parser.rs</code>") < facts.find("<code>src/parser.rs</code>"), "{facts}");
    let history = page.split(r#"<h2 id="history">History</h2>"#).nth(1).expect("its history");
    assert_eq!(history.matches("<tr>").count(), 1 + truth.len(), "a row per commit under the header");
    assert!(history.contains("as <code>src/parser.rs</code>"), "older rows name the file as it was: {history}");
    let old = browser
        .client
        .get(web.url(&format!("/file?repository={id}&range=all&path=src/syntax/parser.rs")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(old.contains("<dt>Renamed to</dt>") && old.contains("path=lib%2Fparse.rs"), "{old}");
}

/// A renamed file with more commits than its page lists: the link to the rest leads to all
/// of them, former names included (the commits page filters by one name only).
#[tokio::test]
async fn the_whole_history_of_a_renamed_file_is_one_link_away() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    for n in 0..20 {
        repo.write("notes.txt", format!("{n}\n").repeat(n + 1));
        repo.commit(&format!("Note {n}"));
    }
    repo.git(["mv", "notes.txt", "journal.txt"]);
    repo.commit("Call it a journal");
    for n in 0..15 {
        repo.write("journal.txt", format!("{n}\n").repeat(n + 30));
        repo.commit(&format!("Entry {n}"));
    }
    let truth = followed(&repo, "journal.txt");
    assert_eq!(truth.len(), 36, "git follows it back through the rename");
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let browser = signed_in(&web.base, "alice").await;
    let get = |url: String| {
        let client = browser.client.clone();
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let page = get(web.url(&format!("/file?repository={id}&range=all&path=journal.txt"))).await;
    let link = page.split("\">All 36 commits").next().and_then(|before| before.rsplit("href=\"").next());
    let link = link.expect("a link to all 36 commits").replace("&#38;", "&").replace("&amp;", "&");
    assert!(link.starts_with("/file?") && link.contains("history=all"), "to the file's own history: {link}");
    let all = get(web.url(&link)).await;
    let history =
        all.split(r#"<h2 id="history">History</h2>"#).nth(1).unwrap_or_else(|| panic!("its history at {link}: {all}"));
    assert_eq!(history.matches("<tr>").count(), 1 + 36, "a row per commit under the header");
    assert_eq!(history.matches("as <code>notes.txt</code>").count(), 20, "with the name it had then");
    assert!(!all.contains("\">All 36 commits"), "nothing more to link to");
}

#[tokio::test]
async fn a_file_page_follows_renames_on_sqlite() {
    file_follows_renames_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_file_page_follows_renames_on_postgres() {
    file_follows_renames_on(Backend::Postgres).await;
}
