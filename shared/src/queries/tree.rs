//! A folder's entries (its files and sub-folders) with what happened to each in a range:
//! commits, lines added and removed, authors, last change and language, from the files each
//! commit changed (`commit_files`), for one repository or all of them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait, sea_query::JoinType,
};

use crate::{
    entities::{commit, commit_file, path},
    error::QueryError,
    queries::{activity::Range, start_of},
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

/// One file change in the range: path, language, commit, author (email, name), time, lines.
struct Change {
    path: String,
    language: Option<String>,
    commit_id: i64,
    email: String,
    name: String,
    at: DateTime<Utc>,
    insertions: i64,
    deletions: i64,
}

/// Every change in `range` to a path under `folder` (`None`: anywhere), vendored and
/// generated paths left out unless `include_vendored`.
async fn changes(
    db: &impl ConnectionTrait,
    range: &Range,
    folder: Option<&str>,
    include_vendored: bool,
) -> Result<Vec<Change>, QueryError> {
    let (since, until) = (start_of(range.since), start_of(range.until + chrono::Days::new(1)));
    let mut query = commit_file::Entity::find()
        .select_only()
        .column(path::Column::Path)
        .column(path::Column::Language)
        .column(commit_file::Column::CommitId)
        .column(commit::Column::AuthorEmail)
        .column(commit::Column::AuthorName)
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
        query = query.filter(crate::queries::files::under(folder));
    }
    type Row = (String, Option<String>, i64, String, String, DateTime<Utc>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(path, language, commit_id, email, name, at, insertions, deletions)| Change {
            path,
            language,
            commit_id,
            email,
            name,
            at,
            insertions: insertions.unwrap_or(0),
            deletions: deletions.unwrap_or(0),
        })
        .collect())
}

/// How many hotspots a folder lists.
pub const HOTSPOTS: usize = 10;

/// The entries of `folder` and its [`HOTSPOTS`] hotspots, from one read of its file rows.
pub async fn folder(
    db: &impl ConnectionTrait,
    range: &Range,
    folder: Option<&str>,
    include_vendored: bool,
) -> Result<(Vec<Entry>, Vec<Hotspot>), QueryError> {
    let rows = changes(db, range, folder, include_vendored).await?;
    Ok((entries_of(&rows, folder), hotspots_of(&rows, range, HOTSPOTS)))
}

fn entries_of(rows: &[Change], folder: Option<&str>) -> Vec<Entry> {
    let prefix = folder.map_or(0, |f| f.len() + 1);
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    for Change { path: full, language, commit_id, email: author, at, insertions, deletions, .. } in rows {
        let (commit_id, at, insertions, deletions) = (*commit_id, *at, *insertions, *deletions);
        let rest = &full[prefix.min(full.len())..];
        let (name, is_folder) = rest.split_once('/').map_or((rest, false), |(first, _)| (first, true));
        let tally = tallies.entry(name.to_owned()).or_default();
        tally.is_folder |= is_folder;
        tally.commits.insert(commit_id);
        let lines = insertions + deletions;
        tally.insertions += insertions;
        tally.deletions += deletions;
        tally.authors.insert(author.clone());
        tally.last_change = Ord::max(tally.last_change, Some(at));
        if let Some(language) = language {
            *tally.languages.entry(language.clone()).or_default() += Ord::max(lines, 1);
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
    entries
}

/// A file that changes often: the first place a reviewer or a newcomer looks.
#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    pub path: String,
    pub commits: i64,
    /// Lines added plus removed.
    pub churn: i64,
    /// Each commit counts `1 + ln(1 + its lines)`, halved for every [`half_life_days`] it
    /// lies before the range's end: frequent, large and recent changes rank first.
    pub score: f64,
    pub last_change: DateTime<Utc>,
    /// The people with the most changed lines in it (email, name, share of its lines),
    /// largest share first, at most three.
    pub main_authors: Vec<(String, String, f64)>,
}

/// How fast a change's weight fades: a quarter of the range, at least a week.
pub fn half_life_days(range: &Range) -> f64 {
    (((range.until - range.since).num_days() + 1) as f64 / 4.0).max(7.0)
}

/// The `limit` files of `rows` with the highest [`Hotspot::score`] in `range`.
fn hotspots_of(rows: &[Change], range: &Range, limit: usize) -> Vec<Hotspot> {
    let end = start_of(range.until + chrono::Days::new(1));
    let half_life = half_life_days(range);
    #[derive(Default)]
    struct File {
        commits: HashSet<i64>,
        churn: i64,
        score: f64,
        last: Option<DateTime<Utc>>,
        authors: HashMap<String, (String, i64)>,
    }
    let mut files: HashMap<String, File> = HashMap::new();
    for c in rows {
        let file = files.entry(c.path.clone()).or_default();
        let lines = c.insertions + c.deletions;
        if file.commits.insert(c.commit_id) {
            let age_days = Ord::max((end - c.at).num_seconds(), 0) as f64 / 86_400.0;
            file.score += (1.0 + (1.0 + lines as f64).ln()) * 0.5f64.powf(age_days / half_life);
        }
        file.churn += lines;
        file.last = Ord::max(file.last, Some(c.at));
        let author = file.authors.entry(c.email.clone()).or_insert_with(|| (c.name.clone(), 0));
        author.1 += lines;
    }
    let mut spots: Vec<Hotspot> = files
        .into_iter()
        .map(|(path, f)| {
            let total = Ord::max(f.authors.values().map(|(_, lines)| lines).sum::<i64>(), 1) as f64;
            let mut authors: Vec<(String, String, f64)> =
                f.authors.into_iter().map(|(email, (name, lines))| (email, name, lines as f64 / total)).collect();
            authors.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
            authors.truncate(3);
            Hotspot {
                path,
                commits: f.commits.len() as i64,
                churn: f.churn,
                score: f.score,
                last_change: f.last.unwrap_or_default(),
                main_authors: authors,
            }
        })
        .collect();
    spots.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.path.cmp(&b.path)));
    spots.truncate(limit);
    spots
}
