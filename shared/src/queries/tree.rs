//! A folder's entries (its files and sub-folders) with what happened to each in a range:
//! commits, lines added and removed, authors, last change and language, from the files each
//! commit changed (`commit_files`), for one repository or all of them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait,
    sea_query::{Expr, ExprTrait, JoinType},
};

use crate::{
    entities::{commit, commit_file, path},
    error::QueryError,
    queries::activity::Range,
};

/// One file or folder of a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name inside the folder.
    pub name: String,
    /// The whole path, as the path filter takes it.
    pub path: String,
    pub is_folder: bool,
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
    pub authors: i64,
    pub last_change: DateTime<Utc>,
    /// A file's language, or the language with the most changed lines under a folder.
    pub language: Option<String>,
}

#[derive(Default)]
struct Tally {
    is_folder: bool,
    commits: HashSet<i64>,
    insertions: i64,
    deletions: i64,
    authors: HashSet<String>,
    last_change: Option<DateTime<Utc>>,
    languages: HashMap<String, i64>,
}

/// The entries of `folder` (`None`: the top) changed in `range`, vendored and generated
/// paths left out unless `include_vendored`; sorted by commits, most first.
pub async fn entries(
    db: &impl ConnectionTrait,
    range: &Range,
    folder: Option<&str>,
    include_vendored: bool,
) -> Result<Vec<Entry>, QueryError> {
    let since = range.since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let until = (range.until + chrono::Days::new(1)).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let mut query = commit_file::Entity::find()
        .select_only()
        .column(path::Column::Path)
        .column(path::Column::Language)
        .column(commit_file::Column::CommitId)
        .column(commit::Column::AuthorEmail)
        .column(commit::Column::CommittedAt)
        .column(commit_file::Column::Insertions)
        .column(commit_file::Column::Deletions)
        .join(JoinType::InnerJoin, commit_file::Relation::Path.def())
        .join(JoinType::InnerJoin, commit_file::Relation::Commit.def())
        .filter(commit::Column::CommittedAt.gte(since))
        .filter(commit::Column::CommittedAt.lt(until))
        .filter(range.filters.on_commits());
    if let Some(id) = range.repository {
        query = query.filter(path::Column::RepositoryId.eq(id));
    }
    if !include_vendored {
        query = query.filter(path::Column::Vendored.eq(false));
    }
    if let Some(folder) = folder {
        query = query.filter(
            Expr::col((path::Entity, path::Column::Path))
                .gte(format!("{folder}/"))
                .and(Expr::col((path::Entity, path::Column::Path)).lt(format!("{folder}0"))),
        );
    }
    type Row = (String, Option<String>, i64, String, DateTime<Utc>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = query.into_tuple().all(db).await?;

    let prefix = folder.map_or(0, |f| f.len() + 1);
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    for (full, language, commit_id, author, at, insertions, deletions) in rows {
        let rest = &full[prefix.min(full.len())..];
        let (name, is_folder) = rest.split_once('/').map_or((rest, false), |(first, _)| (first, true));
        let tally = tallies.entry(name.to_owned()).or_default();
        tally.is_folder |= is_folder;
        tally.commits.insert(commit_id);
        let lines = insertions.unwrap_or(0) + deletions.unwrap_or(0);
        tally.insertions += insertions.unwrap_or(0);
        tally.deletions += deletions.unwrap_or(0);
        tally.authors.insert(author);
        tally.last_change = Ord::max(tally.last_change, Some(at));
        if let Some(language) = language {
            *tally.languages.entry(language).or_default() += Ord::max(lines, 1);
        }
    }
    let mut entries: Vec<Entry> = tallies
        .into_iter()
        .map(|(name, t)| Entry {
            path: folder.map_or_else(|| name.clone(), |f| format!("{f}/{name}")),
            name,
            is_folder: t.is_folder,
            commits: t.commits.len() as i64,
            insertions: t.insertions,
            deletions: t.deletions,
            authors: t.authors.len() as i64,
            last_change: t.last_change.unwrap_or_default(),
            language: t.languages.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(l, _)| l),
        })
        .collect();
    entries.sort_by(|a, b| b.commits.cmp(&a.commits).then_with(|| a.name.cmp(&b.name)));
    Ok(entries)
}
