//! A re-sync after a push walks only the new commits and updates the summaries for the days
//! and people they touched; a rewrite takes the whole comparison. Either way the database
//! ends exactly as indexing the same history from scratch leaves it, on SQLite and on
//! PostgreSQL.

use std::collections::HashMap;

use gitdash_shared::entities::{
    activity_author, activity_daily, activity_hour, commit, commit_coauthor, commit_rename, path, path_author, tag,
};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::Stack,
};
use sea_orm::{EntityTrait, QueryOrder};

const DAY: i64 = 86_400;

/// Everything a sync writes that a page reads, without the row ids.
#[derive(Debug, PartialEq)]
struct Indexed {
    commits: Vec<commit::Model>,
    daily: Vec<activity_daily::Model>,
    authors: Vec<activity_author::Model>,
    hours: Vec<activity_hour::Model>,
    tags: Vec<tag::Model>,
    /// (sha, name, email, recorded name, recorded email)
    coauthors: Vec<(String, String, String, String, String)>,
    /// (sha, former path, new path)
    renames: Vec<(String, String, String)>,
    /// (path, email, name, commits, insertions, deletions)
    path_authors: Vec<(String, String, String, i64, i64, i64)>,
}

async fn indexed(stack: &Stack) -> Indexed {
    let db = stack.database.connect().await;
    let mut commits = commit::Entity::find().order_by_asc(commit::Column::Sha).all(&db).await.expect("commits");
    for c in &mut commits {
        (c.id, c.repository_id) = (0, 0);
    }
    let mut daily = activity_daily::Entity::find().all(&db).await.expect("daily");
    daily.iter_mut().for_each(|r| (r.id, r.repository_id) = (0, 0));
    daily.sort_by(|a, b| (&a.day, &a.author_email).cmp(&(&b.day, &b.author_email)));
    let mut authors = activity_author::Entity::find().all(&db).await.expect("authors");
    authors.iter_mut().for_each(|r| (r.id, r.repository_id) = (0, 0));
    authors.sort_by(|a, b| a.author_email.cmp(&b.author_email));
    let mut hours = activity_hour::Entity::find().all(&db).await.expect("hours");
    hours.iter_mut().for_each(|r| (r.id, r.repository_id) = (0, 0));
    hours.sort_by_key(|r| (r.author_email.clone(), r.weekday, r.hour));
    let mut tags = tag::Entity::find().order_by_asc(tag::Column::Name).all(&db).await.expect("tags");
    tags.iter_mut().for_each(|t| (t.id, t.repository_id) = (0, 0));
    // Rows that point at commits and paths are compared by sha and path, not by id.
    let shas: HashMap<i64, String> =
        commit::Entity::find().all(&db).await.expect("commits").into_iter().map(|c| (c.id, c.sha)).collect();
    let paths: HashMap<i64, String> =
        path::Entity::find().all(&db).await.expect("paths").into_iter().map(|p| (p.id, p.path)).collect();
    let mut coauthors: Vec<_> = commit_coauthor::Entity::find()
        .all(&db)
        .await
        .expect("co-authors")
        .into_iter()
        .map(|c| (shas[&c.commit_id].clone(), c.name, c.email, c.original_name, c.original_email))
        .collect();
    coauthors.sort();
    let mut renames: Vec<_> = commit_rename::Entity::find()
        .all(&db)
        .await
        .expect("renames")
        .into_iter()
        .map(|r| (shas[&r.commit_id].clone(), paths[&r.from_path_id].clone(), paths[&r.to_path_id].clone()))
        .collect();
    renames.sort();
    let mut path_authors: Vec<_> = path_author::Entity::find()
        .all(&db)
        .await
        .expect("path authors")
        .into_iter()
        .map(|a| (paths[&a.path_id].clone(), a.author_email, a.author_name, a.commits, a.insertions, a.deletions))
        .collect();
    path_authors.sort();
    Indexed { commits, daily, authors, hours, tags, coauthors, renames, path_authors }
}

/// Runs `gitdash-worker index` and returns how it walked: "new commits" or "whole history".
async fn sync(stack: &Stack, repo: &GitRepo) -> &'static str {
    let output = stack.index(repo.path().to_str().expect("utf-8 path")).await;
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "index failed: {log}");
    if log.contains("\"new commits\"") {
        "new commits"
    } else {
        assert!(log.contains("\"whole history\""), "the sync says how it walked: {log}");
        "whole history"
    }
}

/// The database `stack` holds equals the one a first index of `repo` makes.
async fn assert_same_as_from_scratch(stack: &Stack, repo: &GitRepo, backend: Backend, after: &str) {
    let fresh = Stack::new(TestDatabase::new(backend).await);
    assert_eq!(sync(&fresh, repo).await, "whole history");
    let (kept, scratch) = (indexed(stack).await, indexed(&fresh).await);
    assert_eq!(kept.commits, scratch.commits, "commits after {after}");
    assert_eq!(kept.daily, scratch.daily, "daily summary after {after}");
    assert_eq!(kept.authors, scratch.authors, "people's totals after {after}");
    assert_eq!(kept.hours, scratch.hours, "punch card after {after}");
    assert_eq!(kept.tags, scratch.tags, "tags and their times after {after}");
    assert_eq!(kept.coauthors, scratch.coauthors, "co-authors after {after}");
    assert_eq!(kept.renames, scratch.renames, "renames after {after}");
    assert_eq!(kept.path_authors, scratch.path_authors, "who wrote each file after {after}");
}

async fn resyncs_agree_with_indexing_from_scratch(backend: Backend) {
    let repo = GitRepo::new();
    repo.write("a.txt", "1\n");
    repo.commit("First");
    repo.pass_time(3 * DAY);
    repo.write("b.txt", "b\n");
    repo.commit_as(b"Bob", b"bob@example.org", b"Bob's first");
    repo.git(["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", "side\n");
    repo.commit_as(b"Bob", b"bob@example.org", b"Side work, merged days later");
    // Tagged before it is merged: its time is known once the merge brings it into history.
    repo.git(["tag", "side-release"]);
    repo.git(["checkout", "-q", "main"]);
    let stack = Stack::new(TestDatabase::new(backend).await);
    assert_eq!(sync(&stack, &repo).await, "whole history", "a first sync reads everything");

    repo.write("a.txt", "2\n");
    repo.commit("The same day as Bob's first");
    repo.pass_time(2 * DAY);
    repo.write("c.txt", "c\nc\n");
    repo.git(["mv", "b.txt", "bee.txt"]);
    // Bob, named as a co-author, is re-mapped with the authors when a .mailmap comes.
    repo.commit_as(b"Cy", b"cy@example.org", b"Cy joins\n\nCo-authored-by: Bob <bob@example.org>\n");
    repo.merge("side");
    assert_eq!(sync(&stack, &repo).await, "new commits", "a push is read from the last indexed head");
    assert_same_as_from_scratch(&stack, &repo, backend, "a push with a merge of older work").await;
    assert_eq!(indexed(&stack).await.renames.len(), 1, "the push renamed b.txt");

    assert_eq!(sync(&stack, &repo).await, "new commits", "nothing new");
    assert_same_as_from_scratch(&stack, &repo, backend, "a sync that found nothing new").await;

    repo.write(".mailmap", "Robert Roe <robert@example.org> <bob@example.org>\n");
    repo.commit_as(b"Bob", b"bob@example.org", b"Add a mailmap");
    sync(&stack, &repo).await;
    assert_same_as_from_scratch(&stack, &repo, backend, "a new .mailmap").await;
    let credited: Vec<String> = indexed(&stack).await.coauthors.into_iter().map(|c| c.2).collect();
    assert_eq!(credited, ["robert@example.org"], "Bob as a co-author, re-mapped");

    repo.git(["rm", "-q", ".mailmap"]);
    repo.commit("Drop the mailmap");
    sync(&stack, &repo).await;
    assert_same_as_from_scratch(&stack, &repo, backend, "a removed .mailmap").await;

    repo.git(["reset", "-q", "--hard", "HEAD~3"]);
    repo.write("d.txt", "d\n");
    repo.commit_as(b"Dee", b"dee@example.org", b"Rewritten");
    assert_eq!(sync(&stack, &repo).await, "whole history", "a force push is compared whole");
    assert_same_as_from_scratch(&stack, &repo, backend, "a force push").await;
}

#[tokio::test]
async fn resyncs_agree_with_indexing_from_scratch_on_sqlite() {
    resyncs_agree_with_indexing_from_scratch(Backend::Sqlite).await;
}

#[tokio::test]
async fn resyncs_agree_with_indexing_from_scratch_on_postgres() {
    resyncs_agree_with_indexing_from_scratch(Backend::Postgres).await;
}
