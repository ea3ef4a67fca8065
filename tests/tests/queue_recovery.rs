//! The database, not Redis, is the truth about pending syncs: when Redis loses its queue
//! (restarted without persistence, flushed), the worker queues the waiting runs again.

use gitdash_shared::entities::sync_run;
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::{Stack, redis_url},
};
use sea_orm::{ConnectionTrait, EntityTrait, sea_query::Expr};
use serde_json::json;

#[tokio::test]
async fn a_sync_queued_before_redis_lost_its_data_still_runs() {
    let repo = GitRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("First");
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let (status, repository) = web.post_json("/api/v1/repositories", json!({ "url": repo.path() })).await;
    assert_eq!(status, 201);
    let run_id = repository["latest_sync"]["id"].as_i64().expect("run");

    // Redis forgets the queue, and the run has been waiting for a while.
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    let keys: Vec<String> =
        redis::cmd("KEYS").arg(format!("{}:*", stack.queue)).query_async(&mut conn).await.expect("keys");
    assert!(!keys.is_empty(), "the job was queued");
    let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.expect("del");
    let db = stack.database.connect().await;
    let two_minutes_ago = chrono::Utc::now() - chrono::Duration::minutes(2);
    sync_run::Entity::update_many()
        .col_expr(sync_run::Column::QueuedAt, Expr::value(two_minutes_ago))
        .exec(&db)
        .await
        .expect("backdate");
    assert!(db.execute_unprepared("SELECT 1").await.is_ok());

    let _worker = stack.start_worker();
    let run = web.wait_for_sync(run_id, 60).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["commits_added"], 1);
}
