//! Rewriting a large summary in pieces: consecutive ranges of its keys, each in its own
//! short transaction, so nothing else that writes (the sync's own lease renewals above
//! all, on SQLite where one writer holds the file) waits behind the whole rebuild.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::{db::WriteTurns, error::QueryError};

/// What one piece should take: long enough that a piece's fixed costs (the transaction,
/// the index descent) stay small, short enough that a waiting writer hardly notices.
const PIECE: Duration = Duration::from_millis(250);

/// Keys in the first piece; the size then doubles while pieces are quick and halves
/// when one is slow.
const FIRST_PIECE: usize = 8;

/// Runs the statements `piece(from, until)` returns for consecutive ranges of `keys`,
/// each range in its own transaction taken in turn. `keys` are sorted as the database
/// sorts them; a range runs from `from` (inclusive) to `until` (exclusive), and `None`
/// leaves that end open, so the pieces together cover every row, including rows whose key
/// is no longer in `keys` (a day or path whose commits are gone).
pub(super) async fn in_pieces<K: Clone>(
    db: &DatabaseConnection,
    turns: &WriteTurns,
    keys: &[K],
    mut piece: impl FnMut(Option<K>, Option<K>) -> Vec<Statement>,
) -> Result<(), QueryError> {
    let mut start = 0;
    let mut size = FIRST_PIECE;
    loop {
        let end = (start + size).min(keys.len());
        let from = (start > 0).then(|| keys[start].clone());
        let until = keys.get(end).cloned();
        let took = {
            let _turn = turns.take().await;
            let began = Instant::now();
            let txn = crate::db::begin_write(db).await?;
            for statement in piece(from, until) {
                txn.execute_raw(statement).await?;
            }
            txn.commit().await?;
            began.elapsed()
        };
        tracing::trace!(keys = end - start, took_ms = took.as_millis() as u64, "summary piece written");
        if end >= keys.len() {
            return Ok(());
        }
        start = end;
        size = next_size(size, took);
    }
}

fn next_size(size: usize, took: Duration) -> usize {
    if took < PIECE / 2 {
        size.saturating_mul(2)
    } else if took > PIECE {
        (size / 2).max(1)
    } else {
        size
    }
}

/// Runs `statements` in one transaction, in turn.
pub(super) async fn at_once(
    db: &DatabaseConnection,
    turns: &WriteTurns,
    statements: impl IntoIterator<Item = Statement>,
) -> Result<(), QueryError> {
    let _turn = turns.take().await;
    let txn = crate::db::begin_write(db).await?;
    for statement in statements {
        txn.execute_raw(statement).await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_grow_while_quick_and_shrink_when_slow() {
        assert_eq!(next_size(8, Duration::from_millis(10)), 16);
        assert_eq!(next_size(8, Duration::from_millis(200)), 8);
        assert_eq!(next_size(8, Duration::from_secs(2)), 4);
        assert_eq!(next_size(1, Duration::from_secs(2)), 1);
    }
}
