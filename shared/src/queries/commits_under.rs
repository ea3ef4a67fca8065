//! The commits that changed a folder or file, newest first, read once per sync of the scope:
//! what the commits page and the API list under a path filter. Asking the database for a
//! page of them each time meant gathering every commit that changed the path first (9,158
//! for git/git's `builtin/`) to keep the newest fifty, and again to count them.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    entities::commit,
    error::QueryError,
    queries::{
        commits::{CommitFilter, Cursor},
        files::commits_changing,
        filters::Under,
    },
};

/// One commit that changed the path: its time, id and author (an index into `authors`).
#[derive(Debug, Clone, Copy)]
struct Change {
    at: i64,
    id: i64,
    author: u32,
}

#[derive(Debug, Default)]
pub struct CommitsUnder {
    /// Newest first, as the pages list them: by time, then id.
    changes: Vec<Change>,
    authors: Vec<String>,
}

/// Reads the commits that changed `under` (merges never do: they have no file rows).
pub async fn read(db: &impl ConnectionTrait, under: &Under) -> Result<CommitsUnder, QueryError> {
    let mut query = commit::Entity::find()
        .select_only()
        .column(commit::Column::CommittedAt)
        .column(commit::Column::Id)
        .column(commit::Column::AuthorEmail)
        .filter(commit::Column::Id.in_subquery(commits_changing(under.repository, &under.path)));
    if let Some(id) = under.repository {
        query = query.filter(commit::Column::RepositoryId.eq(id));
    }
    let rows: Vec<(chrono::DateTime<chrono::Utc>, i64, String)> =
        query.order_by_desc(commit::Column::CommittedAt).order_by_desc(commit::Column::Id).into_tuple().all(db).await?;
    let mut known: HashMap<String, u32> = HashMap::new();
    let mut authors = Vec::new();
    let changes = rows
        .into_iter()
        .map(|(at, id, email)| {
            let author = *known.entry(email).or_insert_with_key(|email| {
                authors.push(email.clone());
                (authors.len() - 1) as u32
            });
            Change { at: at.timestamp_micros(), id, author }
        })
        .collect();
    Ok(CommitsUnder { changes, authors })
}

impl CommitsUnder {
    /// Whether `filter` is one this list answers: nothing but the path itself, the days,
    /// merges and bots (a search or an author goes to the database).
    pub fn answers(filter: &CommitFilter, under: &Under) -> bool {
        let given = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.trim().is_empty());
        !given(&filter.q) && !given(&filter.author) && filter.filters.under.as_ref().is_none_or(|u| u == under)
    }

    /// The commits `filter` keeps (its days and bots), newest first.
    fn kept<'a>(&'a self, filter: &'a CommitFilter) -> impl DoubleEndedIterator<Item = &'a Change> + 'a {
        let since = filter.since.map(|t| t.timestamp_micros());
        let until = filter.until.map(|t| t.timestamp_micros());
        let excluded: Vec<bool> =
            self.authors.iter().map(|email| filter.filters.excluded_authors.iter().any(|e| e == email)).collect();
        // Newest first: the days' range is a slice found by binary search.
        let start = until.map_or(0, |until| self.changes.partition_point(|c| c.at > until));
        let end = since.map_or(self.changes.len(), |since| self.changes.partition_point(|c| c.at >= since));
        self.changes[start..end.max(start)].iter().filter(move |c| !excluded[c.author as usize])
    }

    pub fn count(&self, filter: &CommitFilter) -> u64 {
        self.kept(filter).count() as u64
    }

    /// The ids of a page older than `cursor` (or the newest), and whether more follow.
    pub fn page(&self, filter: &CommitFilter, cursor: Option<Cursor>, limit: usize) -> (Vec<i64>, bool) {
        let older = |c: &&Change| match cursor {
            Some(cursor) => (c.at, c.id) < (cursor.committed_at_micros, cursor.id),
            None => true,
        };
        let mut ids: Vec<i64> = self.kept(filter).filter(older).take(limit + 1).map(|c| c.id).collect();
        let more = ids.len() > limit;
        ids.truncate(limit);
        (ids, more)
    }

    /// The ids of the page just newer than `cursor`, newest first, and whether newer ones
    /// remain.
    pub fn newer(&self, filter: &CommitFilter, cursor: Cursor, limit: usize) -> (Vec<i64>, bool) {
        let newer = |c: &&Change| (c.at, c.id) > (cursor.committed_at_micros, cursor.id);
        let mut ids: Vec<i64> = self.kept(filter).rev().filter(newer).take(limit + 1).map(|c| c.id).collect();
        let more = ids.len() > limit;
        ids.truncate(limit);
        ids.reverse();
        (ids, more)
    }
}

/// The commits with these ids, in the order given.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<commit::Model>, QueryError> {
    let mut found: HashMap<i64, commit::Model> = commit::Entity::find()
        .filter(commit::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}
