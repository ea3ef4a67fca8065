//! `/stats`: the punch card in each author's own time, code frequency and per-month counts,
//! all equal to what the commits say.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, Duration, Timelike};
use gitdash_shared::entities::commit;
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::spread_history,
    processes::Stack,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn stats_match_the_commits(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = spread_history();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let db = stack.database.connect().await;
    let commits = commit::Entity::find().filter(commit::Column::RepositoryId.eq(id)).all(&db).await.expect("commits");

    let (status, stats) = web.get(&format!("/api/v1/repositories/{id}/stats?since=2023-11-01&until=2024-01-31")).await;
    assert_eq!(status, 200, "{stats}");

    // The range spans the whole history: the card comes from the hours summary. A range
    // that stops a day short of the last commit is read from the commits themselves.
    let last_day = commits.iter().map(|c| c.committed_at.date_naive()).max().expect("commits");
    let until = last_day - Days::new(1);
    let (_, partial) = web.get(&format!("/api/v1/repositories/{id}/stats?since=2023-11-01&until={until}")).await;
    for (stats, up_to) in [(&stats, last_day), (&partial, until)] {
        let mut card = [[0i64; 24]; 7];
        for c in commits.iter().filter(|c| c.committed_at.date_naive() <= up_to) {
            let local = c.authored_at + Duration::minutes(c.author_utc_offset_minutes.into());
            card[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += 1;
        }
        for (day, row) in card.iter().enumerate() {
            for (hour, expected) in row.iter().enumerate() {
                assert_eq!(stats["punch_card"][day][hour], *expected, "up to {up_to}: weekday {day}, hour {hour}");
            }
        }
    }

    let mut people_per_month: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut commits_per_month: BTreeMap<String, i64> = BTreeMap::new();
    for c in &commits {
        let month = c.committed_at.format("%Y-%m").to_string();
        people_per_month.entry(month.clone()).or_default().insert(&c.author_email);
        *commits_per_month.entry(month).or_default() += 1;
    }
    for entry in stats["committers_per_month"].as_array().expect("months") {
        let month = entry["month"].as_str().expect("month");
        assert_eq!(entry["count"], people_per_month[month].len() as i64, "{month}");
    }
    for entry in stats["commits_per_month"].as_array().expect("months") {
        let month = entry["month"].as_str().expect("month");
        assert_eq!(entry["count"], commits_per_month.get(month).copied().unwrap_or(0), "{month}");
    }
    let added: i64 =
        stats["code_frequency"].as_array().expect("weeks").iter().map(|w| w["insertions"].as_i64().expect("n")).sum();
    assert_eq!(added, commits.iter().map(|c| c.insertions.unwrap_or(0)).sum::<i64>());
    assert_eq!(stats["totals"]["commits"], 40);
}

#[tokio::test]
async fn statistics_match_the_commits_on_sqlite() {
    stats_match_the_commits(Backend::Sqlite).await;
}

#[tokio::test]
async fn statistics_match_the_commits_on_postgres() {
    stats_match_the_commits(Backend::Postgres).await;
}

#[tokio::test]
async fn the_statistics_page_draws_the_same_figures() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = spread_history();
    let (id, _) = web.add_and_sync(repo.path()).await;
    let browser = gitdash_tests::idp::signed_in(&web.base, "alice").await;
    let html = browser
        .client
        .get(web.url(&format!("/statistics?repository={id}&range=all")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Punch card of 40 commits"), "{html}");
    assert_eq!(html.matches("<circle class=\"dot\"").count(), 7 * 24, "a slot per weekday and hour");
    assert!(html.contains("40 commits by 2 committers"), "{html}");
    assert!(html.contains("Committers per month"), "{html}");

    // The fixture's two months: code frequency a bar a week.
    let page = |since: &str, until: &str| {
        let url = web.url(&format!("/statistics?repository={id}&since={since}&until={until}"));
        let client = browser.client.clone();
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let months = page("2023-11-01", "2024-01-31").await;
    assert!(months.contains("removed (below it) per week") && months.contains("Week of Nov 13, 2023: +"), "{months}");
    assert!(months.contains(r#"class="bar down""#), "deletions below the axis, in the same chart");
    // Over more than two years a bar a week would be thinner than a pixel: a bar a month.
    let years = page("2021-01-01", "2024-12-31").await;
    assert!(years.contains("removed (below it) per month") && !years.contains("per week"), "{years}");
    assert!(years.contains("November 2023: +"), "a bar per month, the fixture's months among them");
}
