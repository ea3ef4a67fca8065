//! SIGTERM during a sync: the worker takes no new job, finishes the running sync or, if it
//! takes too long, hands it back to the queue, and exits cleanly; a new worker carries on.
//! Nothing is lost or indexed twice.

use gitdash_shared::entities::{commit, sync_run, sync_run::SyncState};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    eventually,
    git_fixture::{GitRepo, generated_history},
    processes::Stack,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test]
async fn a_worker_stopped_mid_sync_finishes_or_hands_back_its_sync_and_nothing_is_lost() {
    let stack = Stack::new(TestDatabase::new(Backend::Postgres).await).with_env("GITDASH_WORKER_CONCURRENCY", "1");
    let web = stack.start_web().await;
    let mut worker = stack.start_worker();
    let big = generated_history(40_000);
    let small = GitRepo::with_one_commit();
    let (big_id, big_run) = web.add_repository(big.path()).await;
    let db = stack.database.connect().await;
    eventually(60, "the big sync to start", || async {
        let run = sync_run::Entity::find_by_id(big_run).one(&db).await.ok()??;
        (run.state == SyncState::Running).then_some(())
    })
    .await;
    let (small_id, small_run) = web.add_repository(small.path()).await;

    let status = worker.terminate().await;
    assert!(status.success(), "a clean exit: {status:?}\n{}", worker.log());
    let run = sync_run::Entity::find_by_id(big_run).one(&db).await.expect("query").expect("run");
    assert!(
        matches!(run.state, SyncState::Succeeded | SyncState::Queued),
        "finished, or handed back for the next worker: {run:?}\n{}",
        worker.log()
    );
    let queued = sync_run::Entity::find_by_id(small_run).one(&db).await.expect("query").expect("run");
    assert_eq!(queued.state, SyncState::Queued, "no new job taken while stopping");

    let _next = stack.start_worker();
    // Generous: this is about nothing being lost, not about speed (a debug build indexing
    // into PostgreSQL on a busy machine was seen to need more than 180 s).
    let run = web.wait_for_sync(big_run, 600).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let run = web.wait_for_sync(small_run, 60).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["attempt"], 1);
    for (id, expected) in [(big_id, 40_000), (small_id, 1)] {
        let stored = commit::Entity::find().filter(commit::Column::RepositoryId.eq(id)).count(&db).await;
        assert_eq!(stored.expect("count"), expected, "repository {id}: every commit once");
    }
}
