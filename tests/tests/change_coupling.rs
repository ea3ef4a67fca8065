//! Change coupling: the pairs of files the API and pages list are exactly those this test
//! counts from `git log --name-only` (at least 5 shared commits, 30 % of either file's
//! commits, commits of more than 30 files left out, files of the head tree, vendored code
//! left out), after a first sync, a push and a force push, on SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

/// (file, other, shared commits, file's commits, other's commits), file < other by name.
type Pair = (String, String, i64, i64, i64);

fn expected_pairs(repo: &GitRepo) -> BTreeSet<Pair> {
    let log = repo.git(["log", "--no-merges", "--no-renames", "--name-only", "--format=format:@", "HEAD"]);
    let head: BTreeSet<String> = repo
        .git(["ls-tree", "-r", "--name-only", "HEAD"])
        .lines()
        .filter(|p| !p.starts_with("node_modules/"))
        .map(str::to_owned)
        .collect();
    let mut own: BTreeMap<String, i64> = BTreeMap::new();
    let mut shared: BTreeMap<(String, String), i64> = BTreeMap::new();
    for commit in log.split('@') {
        let files: BTreeSet<&str> = commit.lines().filter(|l| !l.is_empty()).collect();
        if files.len() > 30 {
            continue;
        }
        for a in &files {
            *own.entry((*a).to_owned()).or_default() += 1;
            for b in files.iter().filter(|b| *b > a) {
                *shared.entry(((*a).to_owned(), (*b).to_owned())).or_default() += 1;
            }
        }
    }
    shared
        .into_iter()
        .filter(|((a, b), n)| {
            let fewer = own[a].min(own[b]);
            head.contains(a) && head.contains(b) && *n >= 5 && *n as f64 >= 0.3 * fewer as f64
        })
        .map(|((a, b), n)| {
            let (own_a, own_b) = (own[&a], own[&b]);
            (a, b, n, own_a, own_b)
        })
        .collect()
}

fn reported_pairs(api: &serde_json::Value) -> BTreeSet<Pair> {
    api.as_array()
        .expect("pairs")
        .iter()
        .map(|p| {
            let text = |k: &str| p[k].as_str().expect(k).to_owned();
            let n = |k: &str| p[k].as_i64().expect(k);
            let (file, other, f, o) = (text("file"), text("other"), n("file_commits"), n("other_commits"));
            if file < other { (file, other, n("commits"), f, o) } else { (other, file, n("commits"), o, f) }
        })
        .collect()
}

/// Files that change in a fixed pattern: the parser with its tests, the lexer mostly with
/// the parser, the docs alone; a vendored file and a file later deleted that keep company
/// with the parser, and one commit reformatting 31 files.
fn history() -> GitRepo {
    let repo = GitRepo::new();
    let touch = |path: &str, round: usize| {
        let old = std::fs::read_to_string(repo.path().join(path)).unwrap_or_default();
        repo.write(path, format!("{old}line {round}\n"));
    };
    for round in 0..12 {
        touch("src/parser.rs", round);
        if round % 4 != 3 {
            touch("tests/parser.rs", round);
        }
        if round % 2 == 0 {
            touch("src/lexer.rs", round);
        }
        if round % 3 == 0 {
            touch("docs/guide.md", round);
        }
        if round < 7 {
            touch("node_modules/dep/index.js", round);
            touch("src/scratch.rs", round);
        }
        repo.commit(&format!("Round {round}"));
    }
    for i in 0..31 {
        touch(&format!("fmt/file{i}.rs"), 0);
    }
    touch("src/parser.rs", 99);
    touch("src/lexer.rs", 99);
    repo.commit("Reformat everything");
    repo.git(["rm", "-q", "src/scratch.rs"]);
    repo.commit("Drop the scratch file");
    repo
}

async fn coupling_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = history();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let check = |repo: &GitRepo, when: &'static str| {
        let expected = expected_pairs(repo);
        let web = &web;
        async move {
            assert!(!expected.is_empty(), "the history couples some files");
            let (status, api) = web.get(&format!("/api/v1/repositories/{id}/coupling")).await;
            assert_eq!(status, 200, "{api}");
            assert_eq!(reported_pairs(&api), expected, "{when}");
        }
    };
    check(&repo, "after the first sync").await;
    let (_, api) = web.get(&format!("/api/v1/repositories/{id}/coupling")).await;
    let names: Vec<(&str, &str)> = api
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| (p["file"].as_str().expect("file"), p["other"].as_str().expect("other")))
        .collect();
    assert!(names.contains(&("src/parser.rs", "tests/parser.rs")), "{api}");
    assert!(names.iter().all(|(a, b)| !a.starts_with("node_modules") && !b.starts_with("node_modules")), "{api}");
    let (_, with_vendored) = web.get(&format!("/api/v1/repositories/{id}/coupling?include_vendored=true")).await;
    assert!(
        with_vendored.to_string().contains("node_modules/dep/index.js"),
        "vendored code when asked: {with_vendored}"
    );
    let (_, lexer) = web.get(&format!("/api/v1/repositories/{id}/coupling?path=src/lexer.rs")).await;
    assert!(lexer.as_array().expect("pairs").iter().all(|p| p["file"] == "src/lexer.rs"), "{lexer}");

    // A push that changes the lexer with the docs five more times, then a force push
    // that takes three of them back.
    for round in 0..5 {
        let old = std::fs::read_to_string(repo.path().join("docs/guide.md")).expect("docs");
        repo.write("docs/guide.md", format!("{old}more {round}\n"));
        let old = std::fs::read_to_string(repo.path().join("src/lexer.rs")).expect("lexer");
        repo.write("src/lexer.rs", format!("{old}more {round}\n"));
        repo.commit("Document the lexer");
    }
    assert_eq!(web.sync_and_wait(id).await["state"], "succeeded");
    check(&repo, "after a push").await;
    repo.git(["reset", "-q", "--hard", "HEAD~3"]);
    assert_eq!(web.sync_and_wait(id).await["state"], "succeeded");
    check(&repo, "after a force push").await;

    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let files = html(format!("/files?repository={id}&range=all")).await;
    let section = files.split("<h2>Files that change together</h2>").nth(1).expect("the coupling section");
    assert!(
        section.contains("<code>src/parser.rs</code>") && section.contains("<code>tests/parser.rs</code>"),
        "{section}"
    );
    let parser = html(format!("/file?repository={id}&path=src/parser.rs")).await;
    let partners = parser.split("<h2>Changes with</h2>").nth(1).expect("its partners");
    assert!(partners.contains("<code>tests/parser.rs</code>"), "{partners}");
}

#[tokio::test]
async fn files_that_change_together_agree_with_git_on_sqlite() {
    coupling_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn files_that_change_together_agree_with_git_on_postgres() {
    coupling_on(Backend::Postgres).await;
}
