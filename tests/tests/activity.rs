//! Commit history over time (`/activity`), from the summary the sync keeps: every count
//! equals what the commits themselves say, by UTC commit day, whatever the author's zone.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate};
use gitdash_shared::entities::{activity_author, commit};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{SPREAD_BASE as BASE, SPREAD_STEP as STEP, spread_history},
    processes::Stack,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn history_matches_the_commits(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = spread_history();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let db = stack.database.connect().await;
    let commits = commit::Entity::find().filter(commit::Column::RepositoryId.eq(id)).all(&db).await.expect("commits");
    let mut per_day: BTreeMap<NaiveDate, (i64, i64, i64)> = BTreeMap::new();
    for c in &commits {
        let entry = per_day.entry(c.committed_at.date_naive()).or_default();
        entry.0 += 1;
        entry.1 += c.insertions.unwrap_or(0);
        entry.2 += c.deletions.unwrap_or(0);
    }
    let first = DateTime::from_timestamp(BASE, 0).expect("time").date_naive();
    let last = DateTime::from_timestamp(BASE + 39 * STEP, 0).expect("time").date_naive();

    let (status, days) =
        web.get(&format!("/api/v1/repositories/{id}/activity?bucket=day&since={first}&until={last}")).await;
    assert_eq!(status, 200, "{days}");
    let points = days["points"].as_array().expect("points");
    assert_eq!(points.len() as i64, (last - first).num_days() + 1, "one point per day, empty days included");
    for point in points {
        let day: NaiveDate = point["start"].as_str().expect("start").parse().expect("date");
        let (commits, insertions, deletions) = per_day.get(&day).copied().unwrap_or_default();
        assert_eq!(point["commits"], commits, "{day}");
        assert_eq!(point["insertions"], insertions, "{day}");
        assert_eq!(point["deletions"], deletions, "{day}");
    }
    assert_eq!(days["totals"]["commits"], 40);
    assert_eq!(days["totals"]["committers"], 2);
    let insertions: i64 = commits.iter().map(|c| c.insertions.unwrap_or(0)).sum();
    assert_eq!(days["totals"]["insertions"], insertions);

    // Weeks start on Monday and add up to the same.
    let (_, weeks) = web.get(&format!("/api/v1/activity?bucket=week&since={first}&until={last}")).await;
    let weeks = weeks["points"].as_array().expect("points").clone();
    let monday = first - Days::new(first.weekday().num_days_from_monday() as u64);
    assert_eq!(weeks[0]["start"], monday.to_string());
    let summed: i64 = weeks.iter().map(|w| w["commits"].as_i64().expect("n")).sum();
    assert_eq!(summed, 40);

    // Committers: one row per person, every figure as the commits say.
    let (status, people) = web.get(&format!("/api/v1/repositories/{id}/committers")).await;
    assert_eq!(status, 200, "{people}");
    let people = people.as_array().expect("array");
    assert_eq!(people.len(), 2);
    assert_eq!(people[0]["name"], "Bob", "most commits first");
    for person in people {
        let email = person["email"].as_str().expect("email");
        let theirs: Vec<&commit::Model> = commits.iter().filter(|c| c.author_email == email).collect();
        let days: std::collections::BTreeSet<NaiveDate> = theirs.iter().map(|c| c.committed_at.date_naive()).collect();
        assert_eq!(person["commits"], theirs.len() as i64, "{email}");
        assert_eq!(person["insertions"], theirs.iter().map(|c| c.insertions.unwrap_or(0)).sum::<i64>());
        assert_eq!(person["deletions"], theirs.iter().map(|c| c.deletions.unwrap_or(0)).sum::<i64>());
        assert_eq!(person["active_days"], days.len() as i64);
        assert_eq!(person["first_day"], days.first().expect("a day").to_string());
        assert_eq!(person["last_day"], days.last().expect("a day").to_string());
    }
    let (_, by_name) = web.get("/api/v1/committers?sort=name").await;
    assert_eq!(by_name[0]["name"], "Ada");

    // The authors summary the sync keeps (bots and newcomers are read from it) says the same.
    let authors = activity_author::Entity::find()
        .filter(activity_author::Column::RepositoryId.eq(id))
        .all(&db)
        .await
        .expect("authors");
    assert_eq!(authors.len(), 2, "one row per person");
    for author in &authors {
        let theirs: Vec<&commit::Model> = commits.iter().filter(|c| c.author_email == author.author_email).collect();
        let days: std::collections::BTreeSet<NaiveDate> = theirs.iter().map(|c| c.committed_at.date_naive()).collect();
        assert_eq!(author.commits, theirs.len() as i64, "{}", author.author_email);
        assert_eq!(author.merges, theirs.iter().filter(|c| c.parent_count > 1).count() as i64);
        assert_eq!(author.first_day, days.first().expect("a day").to_string());
        assert_eq!(author.last_day, days.last().expect("a day").to_string());
    }

    let (status, _) = web.get(&format!("/api/v1/repositories/{id}/activity?since={last}&until={first}")).await;
    assert_eq!(status, 422, "a range that ends before it starts");
    assert_eq!(web.get("/api/v1/repositories/999/activity").await.0, 404);
}

#[tokio::test]
async fn activity_matches_the_commits_on_sqlite() {
    history_matches_the_commits(Backend::Sqlite).await;
}

#[tokio::test]
async fn activity_matches_the_commits_on_postgres() {
    history_matches_the_commits(Backend::Postgres).await;
}
