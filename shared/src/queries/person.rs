//! One person (an email after .mailmap): their repositories with first and last commits,
//! their commits per month, their weekdays and hours, and the folders they own — all from
//! the summaries (`activity_*`, `path_authors`), never the commits.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait, sea_query::JoinType,
};

use crate::{
    entities::{activity_author, activity_daily, activity_hour, path, path_author},
    error::QueryError,
    queries::{activity::Range, stats::PunchCard},
};

/// What a person's page and API show of them, read together so the view can be kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub repositories: Vec<InRepository>,
    /// Commits per month (`YYYY-MM`) in the range.
    pub months: BTreeMap<String, i64>,
    /// Commits by weekday and hour, all history.
    pub hours: PunchCard,
    /// Commits (all history) whose `Co-authored-by:` trailers name them, and the name the
    /// latest of those gives.
    pub co_authored: i64,
    pub co_author_name: Option<String>,
}

/// Everything [`Facts`] holds of `email` in the range's scope; merges counted only if the
/// range says so.
pub async fn facts(db: &impl ConnectionTrait, range: &Range, email: &str) -> Result<Facts, QueryError> {
    let (co_authored, co_author_name) = crate::queries::coauthors::coauthored_by(db, range.repository, email).await?;
    Ok(Facts {
        repositories: repositories(db, range.repository, email).await?,
        months: months(db, range, email).await?,
        hours: hours(db, range.repository, email, range.filters.include_merges).await?,
        co_authored,
        co_author_name,
    })
}

/// Their work in one repository, all history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InRepository {
    pub repository_id: i64,
    pub name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub commits: i64,
    pub merges: i64,
    pub insertions: i64,
    pub deletions: i64,
    pub active_days: i64,
}

/// Their work in each repository of the scope (one or all), most commits first; empty when
/// they have no commit there.
async fn repositories(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    email: &str,
) -> Result<Vec<InRepository>, QueryError> {
    let mut query = activity_author::Entity::find().filter(activity_author::Column::AuthorEmail.eq(email));
    if let Some(id) = repository {
        query = query.filter(activity_author::Column::RepositoryId.eq(id));
    }
    let mut found: Vec<InRepository> = query
        .all(db)
        .await?
        .into_iter()
        .filter_map(|a| {
            Some(InRepository {
                repository_id: a.repository_id,
                name: a.author_name,
                first_day: a.first_day.parse().ok()?,
                last_day: a.last_day.parse().ok()?,
                commits: a.commits,
                merges: a.merges,
                insertions: a.insertions,
                deletions: a.deletions,
                active_days: a.active_days,
            })
        })
        .collect();
    found.sort_by(|a, b| b.commits.cmp(&a.commits).then(a.repository_id.cmp(&b.repository_id)));
    Ok(found)
}

/// Their commits per month (`YYYY-MM`) in the range, merges counted only if it says so.
async fn months(db: &impl ConnectionTrait, range: &Range, email: &str) -> Result<BTreeMap<String, i64>, QueryError> {
    let mut query = activity_daily::Entity::find()
        .select_only()
        .column(activity_daily::Column::Day)
        .column(activity_daily::Column::Commits)
        .column(activity_daily::Column::Merges)
        .filter(activity_daily::Column::AuthorEmail.eq(email))
        .filter(activity_daily::Column::Day.gte(range.since.to_string()))
        .filter(activity_daily::Column::Day.lte(range.until.to_string()));
    if let Some(id) = range.repository {
        query = query.filter(activity_daily::Column::RepositoryId.eq(id));
    }
    let rows: Vec<(String, i64, i64)> = query.into_tuple().all(db).await?;
    let mut months = BTreeMap::new();
    for (day, commits, merges) in rows {
        let counted = if range.filters.include_merges { commits } else { commits - merges };
        *months.entry(day.chars().take(7).collect::<String>()).or_default() += counted;
    }
    Ok(months)
}

/// Their commits by weekday (Monday first) and hour of their own time, all history.
async fn hours(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    email: &str,
    include_merges: bool,
) -> Result<PunchCard, QueryError> {
    let mut query = activity_hour::Entity::find().filter(activity_hour::Column::AuthorEmail.eq(email));
    if let Some(id) = repository {
        query = query.filter(activity_hour::Column::RepositoryId.eq(id));
    }
    let mut card = [[0i64; 24]; 7];
    for cell in query.all(db).await? {
        let (Ok(weekday), Ok(hour)) = (usize::try_from(cell.weekday), usize::try_from(cell.hour)) else { continue };
        if weekday < 7 && hour < 24 {
            // Stored with Sunday as 0; the card starts on Monday.
            card[(weekday + 6) % 7][hour] += if include_merges { cell.commits } else { cell.commits - cell.merges };
        }
    }
    Ok(card)
}

/// A folder (of files of the head tree) in which the person changed the most lines.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedFolder {
    /// "" for the files at the top.
    pub folder: String,
    /// Their lines added and removed in its files, and their share of everyone's.
    pub lines: i64,
    pub share: f64,
    pub files: i64,
}

/// Every person's owned folders in a scope: for each folder (its own files of the head tree,
/// not those of sub-folders; vendored and generated files left out), the person who changed
/// the most of its lines, with their share; each person's list largest share first. One
/// read of the scope's authors per file, so a person's page looks theirs up.
pub async fn folder_owners(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
) -> Result<HashMap<String, Vec<OwnedFolder>>, QueryError> {
    let mut query = path_author::Entity::find()
        .join(JoinType::InnerJoin, path_author::Relation::Path.def())
        .filter(path::Column::InHead.eq(true))
        .filter(path::Column::Vendored.eq(false))
        .select_only()
        .column(path::Column::Folder)
        .column(path_author::Column::PathId)
        .column(path_author::Column::AuthorEmail)
        .column(path_author::Column::Insertions)
        .column(path_author::Column::Deletions);
    if let Some(id) = repository {
        query = query.filter(path_author::Column::RepositoryId.eq(id));
    }
    type Row = (String, i64, String, i64, i64);
    let rows: Vec<Row> = query.into_tuple().all(db).await?;
    let mut lines: HashMap<String, BTreeMap<String, i64>> = HashMap::new();
    let mut files: HashMap<String, BTreeSet<i64>> = HashMap::new();
    for (folder, path_id, author, insertions, deletions) in rows {
        *lines.entry(folder.clone()).or_default().entry(author).or_default() += insertions + deletions;
        files.entry(folder).or_default().insert(path_id);
    }
    let mut owners: HashMap<String, Vec<OwnedFolder>> = HashMap::new();
    for (folder, people) in lines {
        let total: i64 = people.values().sum();
        let Some((main, most)) = people.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))) else {
            continue;
        };
        if most > 0 {
            owners.entry(main).or_default().push(OwnedFolder {
                files: files.get(&folder).map_or(0, |f| f.len() as i64),
                share: most as f64 / total as f64,
                lines: most,
                folder,
            });
        }
    }
    for owned in owners.values_mut() {
        owned.sort_by(|a, b| b.share.total_cmp(&a.share).then(b.lines.cmp(&a.lines)).then(a.folder.cmp(&b.folder)));
    }
    Ok(owners)
}
