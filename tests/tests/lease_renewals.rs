//! A sync renews its lease every 2 s while it writes. On SQLite one writer holds the file at
//! a time, so a renewal waits for whatever the sync is writing: when the end of a first sync
//! rebuilt every summary in one transaction, renewals waited for all of it (30 s on a
//! million commits, where the renewal gave up and the lease could pass to another worker).
//! Now every write of the sync is short and takes turns with the renewals.

use std::time::{Duration, Instant};

use gitdash_shared::entities::{sync_run, sync_run::SyncState};
use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::wide_history,
    processes::Stack,
};
use sea_orm::EntityTrait;

/// How often the worker renews (worker/src/job.rs), and what a renewal may be late by
/// on a busy machine without being stuck behind a long write.
const RENEWAL: Duration = Duration::from_secs(2);
const LATE: Duration = Duration::from_millis(1_500);

#[tokio::test]
async fn lease_renewals_land_on_time_while_a_sync_writes_its_summaries() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let worker = stack.start_worker();
    // 480,000 file rows and 7 million pairs of files changed together to summarise: on a
    // machine twice as fast as the one it was sized on, still several renewal intervals.
    let repo = wide_history(16_000, 30);
    let (_, run_id) = web.add_repository(repo.path()).await;
    let db = stack.database.connect().await;

    // Every renewal is seen landing: the row's heartbeat changes.
    let mut landed: Vec<Instant> = Vec::new();
    let mut last_beat = None;
    let started = Instant::now();
    let run = loop {
        let run = sync_run::Entity::find_by_id(run_id).one(&db).await.expect("read run").expect("run");
        if run.state == SyncState::Running && run.heartbeat_at.is_some() && run.heartbeat_at != last_beat {
            last_beat = run.heartbeat_at;
            landed.push(Instant::now());
        }
        if matches!(run.state, SyncState::Succeeded | SyncState::Failed) {
            break run;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "the sync did not end: {run:?}\n{}", worker.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(run.state, SyncState::Succeeded, "{run:?}\n{}", worker.log());

    // The summaries alone took longer than a renewal may be late: one transaction for them
    // would have held a renewal back that long.
    let summarised = summarise_seconds(&worker.log());
    assert!(
        summarised > (RENEWAL + LATE).as_secs_f64() + 1.0,
        "the history is too small to show anything: summaries took {summarised} s"
    );
    let longest = landed.windows(2).map(|w| w[1] - w[0]).max().expect("renewals seen");
    assert!(
        longest <= RENEWAL + LATE,
        "a renewal came {longest:?} after the one before ({} renewals seen, summaries took {summarised} s)",
        landed.len()
    );
}

/// The `summarise_s` the worker logs when the sync ends (its log may be coloured).
fn summarise_seconds(log: &str) -> f64 {
    let plain = strip_colours(log);
    let field = plain.split("summarise_s=").nth(1).expect("the sync's summary line");
    field.split(|c: char| !(c.is_ascii_digit() || c == '.')).next().and_then(|n| n.parse().ok()).expect("seconds")
}

fn strip_colours(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An escape sequence runs to its final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}
