//! Narrowing commits to a file or folder: the API's `path` and the commits page's Path field
//! list only the commits that changed it or something under it (a folder's name is a whole
//! component: `li` is not `lib`), and the commit page lists the commit's files, each linked
//! to its own history.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::{Stack, Web},
};

/// The shas the commits API lists for `query`, newest first.
async fn listed(web: &Web, id: i64, query: &str) -> Vec<String> {
    let (status, page) = web.get(&format!("/api/v1/repositories/{id}/commits?{query}")).await;
    assert_eq!(status, 200, "{page}");
    page["commits"].as_array().expect("commits").iter().map(|c| c["sha"].as_str().expect("sha").to_owned()).collect()
}

async fn commits_are_narrowed_to_a_path(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    repo.write("lib/parse.rs", "fn parse() {}\n");
    let first = repo.commit("Add the parser");
    repo.write("docs/guide.md", "# Guide\n");
    let docs = repo.commit("Write the guide");
    repo.write("lib/parse.rs", "fn parse() {}\nfn more() {}\n");
    repo.write("docs/guide.md", "# Guide\n\nMore.\n");
    let both = repo.commit("Parse more and say so");
    repo.write("lints.toml", "x = 1\n");
    repo.write("lib/sub/deep.rs", "fn deep() {}\n");
    let deep = repo.commit("Add a lint file and a deeper module");
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    assert_eq!(listed(&web, id, "path=lib").await, [deep.clone(), both.clone(), first.clone()]);
    assert_eq!(listed(&web, id, "path=/lib/").await, [deep.clone(), both.clone(), first.clone()], "slashes ignored");
    assert_eq!(listed(&web, id, "path=lib/parse.rs").await, [both.clone(), first.clone()]);
    assert_eq!(listed(&web, id, "path=docs").await, [both.clone(), docs.clone()]);
    assert_eq!(listed(&web, id, "path=li").await, Vec::<String>::new(), "a folder is a whole name");
    assert_eq!(listed(&web, id, "path=lib/sub&q=deeper").await, std::slice::from_ref(&deep), "with the other filters");
    assert_eq!(listed(&web, id, "path=").await.len(), 4, "an empty path is the whole tree");

    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let page = html(format!("/commits?repository={id}&range=all&path=docs")).await;
    assert!(page.contains("2 commits match changing <code>docs</code>"), "{page}");
    assert!(page.contains(r#"id="path" name="path" type="text" value="docs""#), "the form keeps the path: {page}");
    assert!(page.contains(&both[..10]) && page.contains(&docs[..10]) && !page.contains(&first[..10]));
    assert!(page.contains("path=docs"), "the export links keep the path");
    let csv = html(format!("/commits/export.csv?repository={id}&range=all&path=docs")).await;
    assert_eq!(csv.lines().count(), 3, "a header and two commits: {csv}");

    let commit = html(format!("/repositories/{id}/commits/{both}")).await;
    assert!(commit.contains("<h2>Files</h2>"), "{commit}");
    let page = format!("/file?repository={id}&#38;range=all&#38;path=lib%2Fparse.rs");
    assert!(commit.contains(&page), "each file links to its page: {commit}");
    assert!(commit.contains("<code>docs/guide.md</code>") && commit.contains(">Markdown<"), "{commit}");
    assert!(commit.contains(">Rust<") && commit.contains("+1</span>"), "{commit}");
}

#[tokio::test]
async fn commits_are_narrowed_to_a_file_or_folder_on_sqlite() {
    commits_are_narrowed_to_a_path(Backend::Sqlite).await;
}

#[tokio::test]
async fn commits_are_narrowed_to_a_file_or_folder_on_postgres() {
    commits_are_narrowed_to_a_path(Backend::Postgres).await;
}
