//! A person's page: every name links to it; it shows their first and last commits, totals,
//! commits per month, their repositories and the folders they own, as git counts them.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::Stack,
};

fn rows(n: usize) -> String {
    (0..n).map(|i| format!("row {i}\n")).collect()
}

/// Ada writes the core over two months, Grace the interface.
fn alpha() -> GitRepo {
    let repo = GitRepo::named("alpha");
    repo.write("core/engine.rs", rows(30));
    repo.commit("Start the engine");
    repo.write("ui/view.py", rows(40));
    repo.commit_as(b"Grace Hopper", b"grace@example.org", b"A view");
    repo.pass_time(35 * 86_400);
    repo.write("core/engine.rs", rows(50));
    repo.commit("Grow the engine");
    repo.write("ui/view.py", rows(45));
    repo.commit("Touch the view");
    repo
}

/// The day (UTC) of each commit of `email` in `repo`, oldest first.
fn days_of(repo: &GitRepo, email: &str) -> Vec<String> {
    let output = repo
        .command(["log", "--reverse", "--no-merges", "--date=format-local:%Y-%m-%d", "--format=%ae %cd"])
        .env("TZ", "UTC")
        .output()
        .expect("git log runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{email} ")).map(str::to_owned))
        .collect()
}

async fn person_page_on(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let alpha = alpha();
    let beta = GitRepo::named("beta");
    beta.pass_time(90 * 86_400);
    beta.write("notes.md", "one\n");
    beta.commit("Notes");
    let (alpha_id, run) = web.add_and_sync(alpha.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let (_, run) = web.add_and_sync(beta.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };

    let commits = html(format!("/commits?repository={alpha_id}")).await;
    assert!(
        commits
            .contains(&format!("href=\"/person?repository={alpha_id}&#38;range=all&#38;email=grace%40example.org\""))
            || commits.contains(&format!(
                "href=\"/person?repository={alpha_id}&amp;range=all&amp;email=grace%40example.org\""
            )),
        "a name on the commits page leads to the person: {commits}"
    );

    // Across both repositories.
    let ada = html("/person?range=all&email=ada@example.org".into()).await;
    let (alpha_days, beta_days) = (days_of(&alpha, "ada@example.org"), days_of(&beta, "ada@example.org"));
    assert!(ada.contains("<h1>Ada Lovelace</h1>"), "{ada}");
    let first = alpha_days.first().expect("a first commit");
    let last = beta_days.last().expect("a last commit");
    assert!(ada.contains(&format!("<dt>First commit</dt><dd class=\"nowrap\">{first}</dd>")), "{ada}");
    assert!(ada.contains(&format!("<dt>Last commit</dt><dd class=\"nowrap\">{last}</dd>")), "{ada}");
    let total = alpha_days.len() + beta_days.len();
    assert!(ada.contains(&format!(">{total}</a> on ")), "{total} commits: {ada}");
    let repositories = ada.split("<h2>Repositories</h2>").nth(1).expect("their repositories");
    assert!(repositories.contains(">alpha</a>") && repositories.contains(">beta</a>"), "{repositories}");
    let owned = ada.split("<h2>Folders they own</h2>").nth(1).expect("the folders they own");
    assert!(owned.contains("<code>core/</code>"), "{owned}");
    assert!(!owned.contains("<code>ui/</code>"), "Grace changed more of ui/: {owned}");
    let per_month = ada.split("<h2>Commits per month</h2>").nth(1).expect("the chart");
    let months_of_ada: std::collections::BTreeMap<String, usize> =
        alpha_days.iter().chain(&beta_days).fold(Default::default(), |mut m, d| {
            *m.entry(d[..7].to_owned()).or_default() += 1;
            m
        });
    for (month, n) in &months_of_ada {
        let name = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").expect("month");
        let said = format!("{}: {n} commit", name.format("%B %Y"));
        assert!(per_month.contains(&said), "{said}: {per_month}");
    }

    let (status, api) = web.get("/api/v1/person?email=ada@example.org").await;
    assert_eq!(status, 200, "{api}");
    let repositories = api["repositories"].as_array().expect("repositories");
    assert_eq!(repositories.iter().map(|r| r["commits"].as_i64().expect("n")).sum::<i64>(), total as i64);
    assert_eq!(repositories.len(), 2, "{api}");
    let owned: Vec<&str> =
        api["owned_folders"].as_array().expect("folders").iter().filter_map(|f| f["folder"].as_str()).collect();
    assert_eq!(owned, ["core", ""], "the core of alpha and the top of beta, as the page shows");
    let months: Vec<(String, i64)> = api["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| (m["month"].as_str().expect("month").to_owned(), m["count"].as_i64().expect("n")))
        .collect();
    let expected: Vec<(String, i64)> = months_of_ada.iter().map(|(m, n)| (m.clone(), *n as i64)).collect();
    assert_eq!(months, expected);
    assert_eq!(web.get("/api/v1/person?email=nobody@example.org").await.0, 404);

    // Within one repository: Grace owns the interface.
    let grace = html(format!("/person?repository={alpha_id}&range=all&email=grace%40example.org")).await;
    assert!(grace.contains("<h1>Grace Hopper in alpha</h1>"), "{grace}");
    let owned = grace.split("<h2>Folders they own</h2>").nth(1).expect("the folders they own");
    assert!(owned.contains("<code>ui/</code>") && !owned.contains("<code>core/</code>"), "{owned}");

    let nobody = html("/person?range=all&email=nobody@example.org".into()).await;
    assert!(nobody.contains("No commit by <code>nobody@example.org</code> here."), "{nobody}");
}

#[tokio::test]
async fn a_person_has_a_page_with_their_history_on_sqlite() {
    person_page_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_person_has_a_page_with_their_history_on_postgres() {
    person_page_on(Backend::Postgres).await;
}
