//! Every repository is synced again each `GITDASH_RESYNC_INTERVAL`, once per period however
//! many workers run.

use std::{collections::HashMap, time::Duration};

use gitdash_shared::entities::{sync_run, sync_run::SyncState};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::Stack,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[tokio::test]
async fn repositories_are_synced_again_once_per_period_by_one_of_several_workers() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await).with_env("GITDASH_RESYNC_INTERVAL", "2s");
    let web = stack.start_web().await;
    let _workers = [stack.start_worker(), stack.start_worker(), stack.start_worker()];
    let repo = GitRepo::with_one_commit();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    // A commit pushed meanwhile arrives without anybody asking for a sync.
    let head = repo.commit("Arrives by schedule");

    tokio::time::sleep(Duration::from_secs(9)).await;
    let (_, repository) = web.get(&format!("/api/v1/repositories/{id}")).await;
    assert_eq!(repository["head_sha"], head.as_str(), "{repository}");

    let db = stack.database.connect().await;
    let runs = sync_run::Entity::find()
        .filter(sync_run::Column::RepositoryId.eq(id))
        .order_by_asc(sync_run::Column::Id)
        .all(&db)
        .await
        .expect("runs");
    let scheduled = &runs[1..];
    assert!(scheduled.len() >= 2, "synced again on schedule: {} runs", runs.len());
    assert!(scheduled.len() <= 5, "at most one per 2 s period in 9 s: {} runs", scheduled.len());
    let mut per_period: HashMap<i64, usize> = HashMap::new();
    for run in scheduled {
        *per_period.entry(run.queued_at.timestamp_millis() / 2000).or_default() += 1;
        assert_ne!(run.state, SyncState::Failed, "{run:?}");
    }
    assert!(per_period.values().all(|n| *n == 1), "one sync per period: {per_period:?}");
}
