//! A folder of a monorepo as its own dashboard: with `path=`, the overview's activity, the
//! statistics (punch card, lines of code) and the committers count only the commits that
//! changed something under it, with their lines there, exactly as `git log -- <path>` on
//! the same repository says. A folder is a whole name (`web` is not `website`) and merges
//! change no file.

use std::collections::BTreeMap;

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

const DAYS: &str = "since=2023-01-01&until=2024-12-31";

/// Per author email, (commits, lines added, lines removed) of the non-merge commits that
/// changed `path`, counting only the lines there: `git log --numstat -- <path>`.
fn git_counts(repo: &GitRepo, path: &str) -> BTreeMap<String, (i64, i64, i64)> {
    let log = repo.git(["log", "--no-merges", "--numstat", "--format=%x00%ae", "--", path]);
    let mut counts: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut author = String::new();
    for line in log.lines() {
        if let Some(email) = line.strip_prefix('\0') {
            author = email.to_owned();
            counts.entry(author.clone()).or_default().0 += 1;
        } else if let [added, removed, _] = line.split('\t').collect::<Vec<_>>()[..] {
            let entry = counts.entry(author.clone()).or_default();
            entry.1 += added.parse::<i64>().unwrap_or(0);
            entry.2 += removed.parse::<i64>().unwrap_or(0);
        }
    }
    counts
}

/// Lines of the head tree's files under `path`.
fn lines_now(repo: &GitRepo, path: &str) -> i64 {
    let empty = repo.git(["hash-object", "-t", "tree", "/dev/null"]);
    let diff = repo.git(["diff", "--numstat", empty.trim(), "HEAD", "--", path]);
    diff.lines().filter_map(|l| l.split('\t').next()?.parse::<i64>().ok()).sum()
}

fn monorepo() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("web/src/app.rs", "fn main() {}\n");
    repo.write("docs/intro.md", "# Intro\n");
    repo.commit_as(b"Ada Lovelace", b"ada@example.org", b"Start the app and the docs");
    repo.write("web/src/app.rs", "fn main() {\n    serve();\n}\n");
    repo.commit_as(b"Bob Builder", b"bob@example.org", b"Serve from main");
    repo.write("website/index.html", "<h1>Hi</h1>\n<p>more</p>\n");
    repo.commit_as(b"Carol Writer", b"carol@example.org", b"A website, not the web folder");
    repo.git(["checkout", "-q", "-b", "feature"]);
    repo.write("web/src/routes.rs", "fn routes() {}\nfn more() {}\n");
    repo.write("docs/intro.md", "# Intro\n\nRoutes.\n");
    repo.commit_as(b"Ada Lovelace", b"ada@example.org", b"Routes, documented");
    repo.git(["checkout", "-q", "main"]);
    repo.write("docs/usage.md", "Use it.\n");
    repo.commit_as(b"Carol Writer", b"carol@example.org", b"Usage");
    repo.merge("feature");
    repo
}

async fn a_folder_is_its_own_dashboard(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = monorepo();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    for path in ["web", "web/src/app.rs", "docs", "website"] {
        let expected = git_counts(&repo, path);
        let commits: i64 = expected.values().map(|c| c.0).sum();
        let added: i64 = expected.values().map(|c| c.1).sum();
        let removed: i64 = expected.values().map(|c| c.2).sum();

        for merges in ["false", "true"] {
            let query = format!("{DAYS}&bucket=month&include_merges={merges}&path={path}");
            let (status, activity) = web.get(&format!("/api/v1/repositories/{id}/activity?{query}")).await;
            assert_eq!(status, 200, "{activity}");
            let totals = &activity["totals"];
            assert_eq!(totals["commits"], commits, "{path}, merges {merges}: {activity}");
            assert_eq!((totals["insertions"].as_i64(), totals["deletions"].as_i64()), (Some(added), Some(removed)));
        }

        let (_, people) = web.get(&format!("/api/v1/repositories/{id}/committers?path={path}")).await;
        let listed: BTreeMap<String, (i64, i64, i64)> = people
            .as_array()
            .expect("committers")
            .iter()
            .map(|p| {
                let field = |name: &str| p[name].as_i64().unwrap_or_default();
                (
                    p["email"].as_str().expect("email").to_owned(),
                    (field("commits"), field("insertions"), field("deletions")),
                )
            })
            .collect();
        assert_eq!(listed, expected, "committers of {path}");

        let (_, stats) = web.get(&format!("/api/v1/repositories/{id}/stats?{DAYS}&path={path}")).await;
        let punched: i64 = stats["punch_card"]
            .as_array()
            .expect("card")
            .iter()
            .flat_map(|d| d.as_array().expect("day"))
            .filter_map(|n| n.as_i64())
            .sum();
        assert_eq!(punched, commits, "the punch card of {path}: {stats}");

        let (_, growth) = web.get(&format!("/api/v1/repositories/{id}/growth?path={path}&include_vendored=true")).await;
        let last = growth["lines"].as_array().and_then(|l| l.last()).and_then(|n| n.as_i64()).unwrap_or(0);
        assert_eq!(last, lines_now(&repo, path), "lines of code under {path}: {growth}");
    }

    let (_, nothing) = web.get(&format!("/api/v1/repositories/{id}/activity?{DAYS}&path=we")).await;
    assert_eq!(nothing["totals"]["commits"], 0, "a folder is a whole name: {nothing}");
    let (_, whole) = web.get(&format!("/api/v1/repositories/{id}/activity?{DAYS}&path=/")).await;
    assert_eq!(whole["totals"]["commits"], 5, "an empty path is the whole tree (merges left out): {whole}");

    let browser = signed_in(&web.base, "alice").await;
    for page in ["/", "/statistics", "/committers"] {
        let url = web.url(&format!("{page}?repository={id}&range=all&path=web"));
        let html = browser.client.get(url).send().await.expect("page").text().await.expect("html");
        assert!(html.contains("Only the commits that changed <code>web</code>"), "{page} says where it is: {html}");
        assert!(html.contains(r#"id="path" name="path" type="text" value="web""#), "{page} keeps the path in its form");
        if page == "/committers" {
            assert!(html.contains("Bob Builder") && !html.contains("Carol Writer"), "only web's people: {html}");
        }
    }
}

#[tokio::test]
async fn a_folder_is_its_own_dashboard_on_sqlite() {
    a_folder_is_its_own_dashboard(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_folder_is_its_own_dashboard_on_postgres() {
    a_folder_is_its_own_dashboard(Backend::Postgres).await;
}
