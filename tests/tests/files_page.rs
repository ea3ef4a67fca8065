//! The Files page: a folder's files and sub-folders with commits, lines, authors and
//! language; a folder opens itself with a breadcrumb back, a file leads to its history, and
//! vendored code is left out until asked for.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

/// The table row whose name cell shows `name`.
fn row<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    html.split("<tr>").find(|r| r.contains(&format!("<code>{name}</code>")))
}

fn cell(row: &str, label: &str) -> String {
    let marker = format!("data-label=\"{label}\">");
    let start = row.find(&marker).expect(label) + marker.len();
    row[start..].split("</td>").next().expect("cell").to_owned()
}

async fn files_page_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = GitRepo::new();
    repo.write("lib/a.rs", "fn a() {}\nfn b() {}\n");
    repo.write("README.md", "# Project\n");
    repo.commit("Start");
    repo.write("lib/a.rs", "fn a() {}\nfn b() {}\nfn c() {}\n");
    repo.write("lib/sub/b.rs", "fn x() {}\nfn y() {}\nfn z() {}\n");
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"Grow the library");
    repo.write("docs/guide.md", "Read me.\n");
    repo.write("node_modules/m/index.js", "1\n2\n3\n4\n5\n");
    repo.commit("Document, and vendor a module");
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let page = html(format!("/files?repository={id}&range=all")).await;
    let (hotspots, top) = page.split_once("<h2>Files and folders</h2>").expect("hotspots, then the tree");
    let lib = row(top, "lib/").expect("the lib folder");
    assert_eq!(cell(lib, "Commits"), "2", "{lib}");
    assert_eq!(cell(lib, "Authors"), "2");
    assert_eq!(cell(lib, "Language"), "Rust");
    assert!(cell(lib, "Lines changed").contains("+6</span> <span class=\"removed\">−0"), "{lib}");
    assert_eq!(cell(row(top, "README.md").expect("the readme"), "Commits"), "1");
    assert_eq!(cell(row(top, "docs/").expect("docs"), "Language"), "Markdown");
    assert!(row(top, "node_modules/").is_none(), "vendored code is left out by default");
    assert!(top.find("<code>lib/</code>") < top.find("<code>README.md</code>"), "most commits first");

    let first = hotspots.find("<code>lib/a.rs</code>").expect("lib/a.rs is a hotspot");
    let second = hotspots.find("<code>lib/sub/b.rs</code>").expect("lib/sub/b.rs is a hotspot");
    assert!(first < second, "two commits weigh more than one: {hotspots}");
    let a = row(hotspots, "lib/a.rs").expect("the hotspot row");
    assert!(cell(a, "Main authors").contains(">Ada Lovelace</a> 67 %"), "{a}");
    assert!(cell(a, "Main authors").contains(">Grace Hopper</a> 33 %"), "{a}");

    let (status, api) = web.get(&format!("/api/v1/repositories/{id}/files?path=lib")).await;
    assert_eq!(status, 200, "{api}");
    let names: Vec<(&str, bool, i64)> = api
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().expect("name"),
                e["is_folder"].as_bool().expect("kind"),
                e["commits"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(names, [("a.rs", false, 2), ("sub", true, 1)], "the API lists what the page shows");

    let with_vendored = html(format!("/files?repository={id}&range=all&vendored=include")).await;
    let vendored = row(&with_vendored, "node_modules/").expect("vendored code when asked for");
    assert!(cell(vendored, "Lines changed").contains("+5</span>"));

    let inside = html(format!("/files?repository={id}&range=all&path=lib")).await;
    assert!(inside.contains("<strong>lib</strong>"), "the breadcrumb ends at the folder: {inside}");
    let file = row(&inside, "a.rs").expect("lib/a.rs");
    assert_eq!((cell(file, "Commits").as_str(), cell(file, "Authors").as_str()), ("2", "2"));
    assert!(file.contains("path=lib%2Fa.rs"), "a file leads to its history: {file}");
    assert_eq!(cell(row(&inside, "sub/").expect("lib/sub"), "Commits"), "1");
    assert!(row(&inside, "README.md").is_none(), "only what is inside the folder");

    let by_name = html(format!("/files?repository={id}&range=all&sort=name")).await;
    let by_name = by_name.split_once("<h2>Files and folders</h2>").expect("the tree").1;
    assert!(by_name.find("<code>docs/</code>") < by_name.find("<code>lib/</code>"), "folders by name");
    assert!(by_name.find("<code>lib/</code>") < by_name.find("<code>README.md</code>"), "folders before files");
}

#[tokio::test]
async fn the_files_page_shows_a_folder_tree_with_its_numbers_on_sqlite() {
    files_page_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_files_page_shows_a_folder_tree_with_its_numbers_on_postgres() {
    files_page_on(Backend::Postgres).await;
}
