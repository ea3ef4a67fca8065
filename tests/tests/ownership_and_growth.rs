//! Ownership (shares, authors by degree of authorship, truck factors, knowledge at risk) and
//! lines of code over time, checked against figures this test works out itself from `git`'s
//! own output, after a first sync, a push and a force push, on SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};
use serde_json::Value;

/// One file a non-merge commit changed, as `git log --numstat --no-renames` reports it.
struct Change {
    email: String,
    time: i64,
    path: String,
    added: i64,
    removed: i64,
}

fn changes(repo: &GitRepo) -> Vec<Change> {
    let log = repo.git(["log", "--no-merges", "--no-renames", "--numstat", "--format=@%aE %ct", "HEAD"]);
    let mut found = Vec::new();
    let (mut email, mut time) = (String::new(), 0);
    for line in log.lines().filter(|l| !l.is_empty()) {
        if let Some(header) = line.strip_prefix('@') {
            let (e, t) = header.rsplit_once(' ').expect("email and time");
            (email, time) = (e.to_owned(), t.parse().expect("time"));
        } else {
            let mut parts = line.splitn(3, '\t');
            let (added, removed, path) = (parts.next(), parts.next(), parts.next().expect("path"));
            found.push(Change {
                email: email.clone(),
                time,
                path: path.to_owned(),
                added: added.and_then(|a| a.parse().ok()).unwrap_or(0),
                removed: removed.and_then(|r| r.parse().ok()).unwrap_or(0),
            });
        }
    }
    found
}

fn vendored(path: &str) -> bool {
    path.starts_with("node_modules/")
}

/// The files of the head tree the views count (vendored code left out).
fn head_files(repo: &GitRepo) -> BTreeSet<String> {
    repo.git(["ls-tree", "-r", "--name-only", "HEAD"]).lines().filter(|p| !vendored(p)).map(str::to_owned).collect()
}

/// Each file's authors by Avelino et al.'s degree of authorship: 3.293 + 1.098 FA + 0.164 DL
/// − 0.321 ln(1 + AC), kept when at least 3.293 and 75 % of the file's best.
fn authors(changes: &[Change], files: &BTreeSet<String>) -> BTreeMap<String, Vec<String>> {
    let mut work: BTreeMap<&str, BTreeMap<&str, (i64, i64)>> = BTreeMap::new(); // commits, first time
    for c in changes.iter().filter(|c| files.contains(&c.path)) {
        let entry = work.entry(&c.path).or_default().entry(&c.email).or_insert((0, i64::MAX));
        entry.0 += 1;
        entry.1 = entry.1.min(c.time);
    }
    work.into_iter()
        .map(|(path, people)| {
            let total: i64 = people.values().map(|w| w.0).sum();
            let creator = people.iter().min_by_key(|(email, w)| (w.1, **email)).map(|(e, _)| *e).expect("a person");
            let degree: Vec<(&str, f64)> = people
                .iter()
                .map(|(email, (commits, _))| {
                    let fa = if *email == creator { 1.0 } else { 0.0 };
                    (*email, 3.293 + 1.098 * fa + 0.164 * *commits as f64 - 0.321 * ((total - commits + 1) as f64).ln())
                })
                .collect();
            let best = degree.iter().map(|d| d.1).fold(f64::MIN, f64::max);
            let names = degree.iter().filter(|d| d.1 >= 3.293 && d.1 >= 0.75 * best).map(|d| d.0.to_owned()).collect();
            (path.to_owned(), names)
        })
        .collect()
}

/// Takes away whoever authors most of the files left (the smaller email on a tie) until
/// more than half of them have no author.
fn truck(files: &[&Vec<String>]) -> Vec<String> {
    let mut gone: Vec<String> = Vec::new();
    loop {
        let covered = files.iter().filter(|f| f.iter().any(|p| !gone.contains(p))).count();
        if covered * 2 < files.len() || files.is_empty() {
            return gone;
        }
        let mut counts: BTreeMap<&String, usize> = BTreeMap::new();
        for person in files.iter().flat_map(|f| f.iter()).filter(|p| !gone.contains(p)) {
            *counts.entry(person).or_default() += 1;
        }
        let top = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).expect("someone").0;
        gone.push((*top).clone());
    }
}

/// What the ownership API must say for the whole repository.
fn expected_ownership(repo: &GitRepo) -> Value {
    let changes = changes(repo);
    let files = head_files(repo);
    let authors = authors(&changes, &files);
    let mut lines: BTreeMap<&str, i64> = BTreeMap::new();
    for c in changes.iter().filter(|c| files.contains(&c.path)) {
        *lines.entry(&c.email).or_default() += c.added + c.removed;
    }
    let mut entries: BTreeMap<String, Value> = BTreeMap::new();
    let top: BTreeSet<&str> = files.iter().map(|f| f.split('/').next().expect("name")).collect();
    for name in top {
        let inside: Vec<&String> = files.iter().filter(|f| *f == name || f.starts_with(&format!("{name}/"))).collect();
        let mut by_person: BTreeMap<&str, i64> = BTreeMap::new();
        for c in changes.iter().filter(|c| inside.contains(&&c.path)) {
            *by_person.entry(&c.email).or_default() += c.added + c.removed;
        }
        let main = by_person.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(e, _)| e.to_string());
        let theirs: Vec<&Vec<String>> = inside.iter().filter_map(|f| authors.get(*f)).collect();
        let knowers: BTreeSet<&String> = theirs.iter().flat_map(|a| a.iter()).collect();
        entries.insert(
            name.to_owned(),
            serde_json::json!({"main": main, "knowers": knowers.len(), "truck": truck(&theirs).len(), "files": inside.len()}),
        );
    }
    let all: Vec<&Vec<String>> = authors.values().collect();
    serde_json::json!({"files": files.len(), "truck": truck(&all), "lines": lines, "entries": entries})
}

/// The same figures read from the API's answer.
fn reported_ownership(api: &Value) -> Value {
    let emails = |list: &Value| -> Vec<String> {
        list.as_array().expect("people").iter().map(|p| p["email"].as_str().expect("email").to_owned()).collect()
    };
    let lines: BTreeMap<String, i64> = api["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| (p["email"].as_str().expect("email").to_owned(), p["lines"].as_i64().expect("lines")))
        .collect();
    let entries: BTreeMap<String, Value> = api["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().expect("name").to_owned(),
                serde_json::json!({"main": e["main_author"]["email"], "knowers": e["knowers"], "truck": e["truck_factor"], "files": e["files"]}),
            )
        })
        .collect();
    assert_eq!(api["truck_factor"].as_u64(), Some(api["truck_people"].as_array().expect("truck").len() as u64));
    serde_json::json!({"files": api["files"], "truck": emails(&api["truck_people"]), "lines": lines, "entries": entries})
}

/// Lines of code at the end of each month (UTC, by commit time) from the first commit's
/// month to the last one's, and the head tree's own count of lines.
fn expected_growth(repo: &GitRepo) -> (Vec<String>, Vec<i64>, i64) {
    let mut net: BTreeMap<String, i64> = BTreeMap::new();
    for c in changes(repo).iter().filter(|c| !vendored(&c.path)) {
        let month = DateTime::from_timestamp(c.time, 0).expect("time").format("%Y-%m").to_string();
        *net.entry(month).or_default() += c.added - c.removed;
    }
    let (first, last) = (net.keys().next().expect("a month").clone(), net.keys().next_back().expect("a month").clone());
    let mut months = Vec::new();
    let mut day = chrono::NaiveDate::parse_from_str(&format!("{first}-01"), "%Y-%m-%d").expect("month");
    while day.format("%Y-%m").to_string() <= last {
        months.push(day.format("%Y-%m").to_string());
        day = day.checked_add_months(chrono::Months::new(1)).expect("next month");
    }
    let mut running = 0;
    let lines = months.iter().map(|m| {
        running += net.get(m).copied().unwrap_or(0);
        running
    });
    let lines: Vec<i64> = lines.collect();
    let empty_tree = repo.git(["hash-object", "-t", "tree", "/dev/null"]);
    let head: i64 = repo
        .git(["diff", "--numstat", empty_tree.trim(), "HEAD"])
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, '\t');
            let added = parts.next()?.parse::<i64>().ok()?;
            (!vendored(parts.nth(1)?)).then_some(added)
        })
        .sum();
    (months, lines, head)
}

/// `n` lines of text that reads as Rust (and as Markdown or Python by their names).
fn lines(n: usize) -> String {
    (0..n).map(|i| format!("fn f{i}() {{}}\n")).collect()
}

/// A history over three months and four people: files created, changed by others, renamed,
/// deleted, vendored, changed on a branch and merged; Linus and Margaret still active.
fn history() -> GitRepo {
    let repo = GitRepo::new();
    let (ada, grace, linus, margaret) = (
        (b"Ada Lovelace".as_slice(), b"ada@example.org".as_slice()),
        (b"Grace Hopper".as_slice(), b"grace@example.org".as_slice()),
        (b"Linus T".as_slice(), b"linus@example.org".as_slice()),
        (b"Margaret H".as_slice(), b"margaret@example.org".as_slice()),
    );
    let commit = |who: (&[u8], &[u8]), message: &str| repo.commit_as(who.0, who.1, message.as_bytes());
    repo.write("core/engine.rs", lines(40));
    repo.write("core/util.rs", lines(10));
    repo.write("README.md", lines(3));
    commit(ada, "Start the engine");
    for i in 0..4 {
        repo.write("core/engine.rs", lines(40 + 5 * i));
        commit(ada, "Grow the engine");
    }
    repo.write("ui/view.py", lines(20));
    repo.write("ui/style.py", lines(12));
    commit(grace, "A view");
    repo.write("core/util.rs", lines(14));
    commit(grace, "Helpers for the view");
    repo.write("scratch/tmp.rs", lines(30));
    commit(ada, "Try something");
    repo.pass_time(40 * 86_400);
    repo.write("docs/old.md", lines(25));
    repo.write("node_modules/m/index.js", lines(500));
    commit(margaret, "Docs, and a vendored module");
    repo.git(["checkout", "-q", "-b", "feature"]);
    repo.write("core/util.rs", lines(20));
    repo.write("core/extra.rs", lines(9));
    commit(linus, "More helpers");
    repo.git(["checkout", "-q", "main"]);
    repo.write("ui/style.py", lines(18));
    commit(grace, "Style");
    repo.merge("feature");
    repo.git(["mv", "docs/old.md", "docs/guide.md"]);
    commit(margaret, "Rename the guide");
    repo.git(["rm", "-q", "-r", "scratch"]);
    commit(ada, "Drop the experiment");
    let last: i64 = repo.git(["log", "-1", "--format=%ct"]).trim().parse().expect("time");
    // From here on, commits are recent: their authors are active.
    repo.pass_time(chrono::Utc::now().timestamp() - last - 10 * 86_400);
    repo.write("net/socket.rs", lines(60));
    repo.write("net/proto.rs", lines(35));
    commit(linus, "Networking");
    repo.write("net/socket.rs", lines(70));
    commit(linus, "Faster sockets");
    repo.write("docs/guide.md", lines(30));
    commit(margaret, "Document networking");
    repo
}

async fn ownership_and_growth_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = history();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let check = |repo: &GitRepo, when: &'static str| {
        let expected = (expected_ownership(repo), expected_growth(repo));
        let web = &web;
        async move {
            let (status, api) = web.get(&format!("/api/v1/repositories/{id}/ownership")).await;
            assert_eq!(status, 200, "{api}");
            assert_eq!(reported_ownership(&api), expected.0, "ownership {when}");
            let (status, growth) = web.get(&format!("/api/v1/repositories/{id}/growth")).await;
            assert_eq!(status, 200, "{growth}");
            let (months, lines, head) = expected.1;
            let months: Vec<Value> = months.into_iter().map(Value::from).collect();
            assert_eq!(growth["months"].as_array().expect("months"), &months, "months {when}");
            assert_eq!(growth["lines"], serde_json::json!(lines), "lines of code per month {when}");
            assert_eq!(growth["lines"].as_array().and_then(|l| l.last()).and_then(Value::as_i64), Some(head), "{when}");
            api
        }
    };
    let api = check(&repo, "after the first sync").await;
    let entry = |name: &str| {
        api["entries"].as_array().expect("entries").iter().find(|e| e["name"] == name).cloned().expect(name)
    };
    assert_eq!(entry("core")["main_author"]["email"], "ada@example.org");
    assert_eq!(entry("core")["at_risk"], true, "Ada has not committed for months");
    assert_eq!(entry("net")["at_risk"], false, "Linus committed ten days ago");
    assert!(api["entries"].as_array().expect("entries").iter().all(|e| e["name"] != "scratch"), "deleted code");
    assert!(api["entries"].as_array().expect("entries").iter().all(|e| e["name"] != "node_modules"), "vendored");

    // A push: the summaries follow it (only the touched paths are computed again).
    repo.write("ui/view.py", lines(45));
    repo.commit_as(b"Linus T", b"linus@example.org", b"Rework the view");
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    check(&repo, "after a push").await;

    // A force push drops that commit again.
    repo.git(["reset", "-q", "--hard", "HEAD~1"]);
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let api = check(&repo, "after a force push").await;

    let browser = signed_in(&web.base, "alice").await;
    let page = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let ownership = page(format!("/ownership?repository={id}")).await;
    assert!(ownership.contains(&format!("<h2>Truck factor: {}</h2>", api["truck_factor"])), "{ownership}");
    let core = ownership.split("<tr>").find(|r| r.contains("<code>core/</code>")).expect("the core row");
    assert!(core.contains(">Ada Lovelace</a>") && core.contains("at risk"), "{core}");
    let net = ownership.split("<tr>").find(|r| r.contains("<code>net/</code>")).expect("the net row");
    assert!(!net.contains("at risk"), "{net}");
    let inside = page(format!("/ownership?repository={id}&path=core")).await;
    assert!(inside.contains("<strong>core</strong>") && inside.contains("<code>engine.rs</code>"), "{inside}");

    let statistics = page(format!("/statistics?repository={id}&range=all")).await;
    let (_, _, head) = expected_growth(&repo);
    let said = format!("{} lines at the end of the range", gitdash_shared::numbers::grouped(head));
    assert!(statistics.contains(&said), "{said}: {statistics}");
    let rust: i64 = head_files(&repo)
        .iter()
        .filter(|f| f.ends_with(".rs"))
        .map(|f| std::fs::read_to_string(repo.path().join(f)).expect("file").lines().count() as i64)
        .sum();
    let row = statistics.split("<tr>").find(|r| r.contains(">Rust<")).expect("a Rust row");
    assert!(row.contains(&format!(">{}<", gitdash_shared::numbers::grouped(rust))), "{rust} lines of Rust: {row}");
}

#[tokio::test]
async fn ownership_and_lines_of_code_agree_with_git_on_sqlite() {
    ownership_and_growth_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn ownership_and_lines_of_code_agree_with_git_on_postgres() {
    ownership_and_growth_on(Backend::Postgres).await;
}
