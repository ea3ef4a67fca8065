//! Merges and bots are left out of the dashboard by default and come back when asked for;
//! the date range narrows every view; the bot pattern is configurable. Checked through the
//! API on SQLite and PostgreSQL, and on the pages.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    idp::signed_in,
    processes::{Stack, Web},
};

const NOVEMBER: &str = "since=2023-11-01&until=2023-11-30";

/// Ada: three commits and a merge (of Bob's one commit); dependabot[bot]: two; all on
/// 2023-11-14 except Ada's last, three days later.
fn history_with_a_merge_and_a_bot() -> GitRepo {
    let repo = GitRepo::new();
    repo.write("a.txt", "start\n");
    repo.commit("Start");
    repo.git(["checkout", "-q", "-b", "feature"]);
    repo.write("b.txt", "feature\n");
    repo.commit_as(b"Bob", b"bob@example.org", b"Feature work");
    repo.git(["checkout", "-q", "main"]);
    repo.write("a.txt", "main work\n");
    repo.commit("Main work");
    repo.merge("feature");
    for n in 0..2 {
        repo.write("deps.txt", format!("lodash 4.17.{n}\n"));
        repo.commit_as(
            b"dependabot[bot]",
            b"49699333+dependabot[bot]@users.noreply.github.com",
            format!("Bump lodash to 4.17.{n}").as_bytes(),
        );
    }
    repo.pass_time(3 * 86_400);
    repo.write("a.txt", "later\n");
    repo.commit("Later fix");
    repo
}

async fn totals(web: &Web, id: i64, extra: &str) -> (i64, i64, i64) {
    let (status, stats) = web.get(&format!("/api/v1/repositories/{id}/stats?{NOVEMBER}{extra}")).await;
    assert_eq!(status, 200, "{stats}");
    let punch_card: i64 = stats["punch_card"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|r| r.as_array().expect("hours").iter().map(|n| n.as_i64().expect("count")))
        .sum();
    (
        stats["totals"]["commits"].as_i64().expect("commits"),
        stats["totals"]["committers"].as_i64().expect("committers"),
        punch_card,
    )
}

async fn committer_names(web: &Web, id: i64, extra: &str) -> Vec<String> {
    let (_, list) = web.get(&format!("/api/v1/repositories/{id}/committers?{NOVEMBER}{extra}")).await;
    let mut names: Vec<String> =
        list.as_array().expect("list").iter().map(|c| c["name"].as_str().expect("name").to_owned()).collect();
    names.sort();
    names
}

async fn merges_and_bots_are_left_out_unless_asked_for(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(history_with_a_merge_and_a_bot().path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    assert_eq!(totals(&web, id, "").await, (4, 2, 4), "Ada's three commits and Bob's one");
    assert_eq!(totals(&web, id, "&include_merges=true").await, (5, 2, 5), "and Ada's merge");
    assert_eq!(totals(&web, id, "&include_bots=true").await, (6, 3, 6), "and dependabot's two");
    assert_eq!(totals(&web, id, "&include_merges=true&include_bots=true").await, (7, 3, 7), "every commit");
    let (_, activity) = web.get(&format!("/api/v1/repositories/{id}/activity?{NOVEMBER}")).await;
    assert_eq!(activity["totals"]["commits"], 4, "{activity}");
    let (_, one_day) = web.get(&format!("/api/v1/repositories/{id}/stats?since=2023-11-14&until=2023-11-14")).await;
    assert_eq!(one_day["totals"]["commits"], 3, "the later fix is outside the day: {one_day}");

    assert_eq!(committer_names(&web, id, "").await, ["Ada Lovelace", "Bob"]);
    assert_eq!(committer_names(&web, id, "&include_bots=true").await, ["Ada Lovelace", "Bob", "dependabot[bot]"]);
    // One repository over its whole history is answered from the authors summary; across
    // all repositories from the daily one. With one repository they must agree, row by row.
    for extra in ["", "&include_merges=true", "&include_bots=true&include_merges=true"] {
        let (_, one) = web.get(&format!("/api/v1/repositories/{id}/committers?{NOVEMBER}{extra}")).await;
        let (_, all) = web.get(&format!("/api/v1/committers?{NOVEMBER}{extra}")).await;
        assert_eq!(one, all, "{extra}");
    }
    let (_, ada) = web.get(&format!("/api/v1/repositories/{id}/committers?{NOVEMBER}&include_merges=true")).await;
    assert_eq!(ada[0]["name"], "Ada Lovelace");
    assert_eq!((ada[0]["commits"].as_i64(), ada[0]["active_days"].as_i64()), (Some(4), Some(2)), "{ada}");
    let (_, highlights) = web.get(&format!("/api/v1/repositories/{id}/highlights?{NOVEMBER}")).await;
    let reasons = highlights.to_string();
    assert!(reasons.contains("first commit by Bob") && !reasons.contains("first commit by dependabot"), "{reasons}");

    let (_, listed) = web.get(&format!("/api/v1/repositories/{id}/commits")).await;
    assert_eq!(listed["commits"].as_array().map(Vec::len), Some(7), "the commit list is the full record by default");
    let (_, listed) =
        web.get(&format!("/api/v1/repositories/{id}/commits?include_merges=false&include_bots=false")).await;
    assert_eq!(listed["commits"].as_array().map(Vec::len), Some(4), "unless asked to leave them out");
}

#[tokio::test]
async fn merges_and_bots_are_left_out_unless_asked_for_on_sqlite() {
    merges_and_bots_are_left_out_unless_asked_for(Backend::Sqlite).await;
}

#[tokio::test]
async fn merges_and_bots_are_left_out_unless_asked_for_on_postgres() {
    merges_and_bots_are_left_out_unless_asked_for(Backend::Postgres).await;
}

#[tokio::test]
async fn the_pages_show_the_filters_they_apply_and_keep_them_in_the_url() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, _) = web.add_and_sync(history_with_a_merge_and_a_bot().path()).await;
    let browser = signed_in(&web.base, "alice").await;
    let html = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };

    let statistics = html(format!("/statistics?repository={id}&{NOVEMBER}")).await;
    assert!(statistics.contains("4 commits by 2 committers"), "{statistics}");
    assert!(
        statistics.contains("value=\"2023-11-01\"") && statistics.contains("value=\"2023-11-30\""),
        "the dates stay in the form"
    );
    let everything = html(format!("/statistics?repository={id}&{NOVEMBER}&merges=include&bots=include")).await;
    assert!(everything.contains("7 commits by 3 committers"), "{everything}");
    assert!(everything.contains("name=\"merges\" value=\"include\" checked"), "the box stays ticked");

    let rows = |page: &str| page.matches(r#"<tr><td data-label="Hash">"#).count();
    let commits = html(format!("/commits?repository={id}")).await;
    assert_eq!(rows(&commits), 4, "no merge, no bot");
    assert!(!commits.contains("Bump lodash"));
    assert_eq!(rows(&html(format!("/commits?repository={id}&merges=include&bots=include")).await), 7);
    let one_day = html(format!("/commits?repository={id}&since=2023-11-14&until=2023-11-14")).await;
    assert_eq!(rows(&one_day), 3, "the date range narrows the list");
    let csv = html(format!("/commits/export.csv?repository={id}&bots=include")).await;
    assert_eq!(csv.lines().count(), 1 + 6, "the export is the filtered list");

    let committers = html(format!("/committers?repository={id}")).await;
    assert!(committers.contains("Bob") && !committers.contains("dependabot"), "{committers}");
    assert!(html(format!("/committers?repository={id}&bots=include")).await.contains("dependabot[bot]"));
    let sorted = html(format!("/committers?repository={id}&bots=include&sort=name")).await;
    assert!(sorted.contains("export.csv?repository="), "{sorted}");
    assert!(
        sorted.contains("bots=include&amp;sort=name") || sorted.contains("bots=include&#38;sort=name"),
        "exports keep the view: {sorted}"
    );
}

#[tokio::test]
async fn the_bot_pattern_is_configurable() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("GITDASH_BOT_PATTERN", "^Bob$");
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, _) = web.add_and_sync(history_with_a_merge_and_a_bot().path()).await;
    assert_eq!(totals(&web, id, "").await, (5, 2, 5), "Ada's three and dependabot's two; Bob is the bot now");
    assert_eq!(committer_names(&web, id, "").await, ["Ada Lovelace", "dependabot[bot]"]);
}
