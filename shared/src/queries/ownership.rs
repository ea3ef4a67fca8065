//! Who knows the code under a folder, from the `path_authors` summary (all history, no
//! blame): each person's share of the changed lines, the authors of each file by degree of
//! authorship, the truck factor, and the folders whose main author has gone quiet.
//! Only files of each repository's head tree count: knowledge of deleted code is not at risk.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait, sea_query::JoinType,
};

use crate::{
    authorship::{authors_of, credit, truck_factor},
    entities::{activity_author, path, path_author},
    error::QueryError,
    queries::filters::Filters,
};

/// Which files: one repository or all, under a folder or anywhere.
#[derive(Debug, Clone, Default)]
pub struct Scope<'a> {
    pub repository: Option<i64>,
    pub folder: Option<&'a str>,
    pub include_vendored: bool,
    pub filters: Filters,
}

/// One person's part in the files of a scope or an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub email: String,
    pub name: String,
    /// Lines they added and removed in these files.
    pub lines: i64,
    /// Their part of everyone's changed lines, 0 to 1.
    pub share: f64,
    /// Files of which they are an author (degree of authorship).
    pub files_authored: i64,
    /// Their last commit day in the repository (or any, for all repositories).
    pub last_day: Option<NaiveDate>,
    /// No commit since the day knowledge counts as at risk.
    pub inactive: bool,
}

/// One file or sub-folder of the folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub path: String,
    pub is_folder: bool,
    pub files: i64,
    pub lines: i64,
    /// The person with the most changed lines in it.
    pub main: Option<Person>,
    /// People who author at least one of its files.
    pub knowers: i64,
    pub truck_factor: i64,
    /// Its main author has not committed since the cut-off.
    pub at_risk: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ownership {
    /// Files of the head tree in the scope (with at least one commit by someone counted).
    pub files: i64,
    /// The people whose leaving would orphan more than half of the files, in the order the
    /// algorithm takes them; the truck factor is their number.
    pub truck: Vec<Person>,
    /// Everyone with changed lines in the scope, largest share first.
    pub people: Vec<Person>,
    pub entries: Vec<Entry>,
}

struct Row {
    path_id: i64,
    path: String,
    email: String,
    name: String,
    commits: i64,
    lines: i64,
    first_at: DateTime<Utc>,
}

async fn rows(db: &impl ConnectionTrait, scope: &Scope<'_>) -> Result<Vec<Row>, QueryError> {
    let mut query = path_author::Entity::find()
        .select_only()
        .column(path_author::Column::PathId)
        .column(path::Column::Path)
        .column(path_author::Column::AuthorEmail)
        .column(path_author::Column::AuthorName)
        .column(path_author::Column::Commits)
        .column(path_author::Column::Insertions)
        .column(path_author::Column::Deletions)
        .column(path_author::Column::FirstAt)
        .join(JoinType::InnerJoin, path_author::Relation::Path.def())
        .filter(path::Column::InHead.eq(true));
    if let Some(id) = scope.repository {
        query = query.filter(path_author::Column::RepositoryId.eq(id));
    }
    if !scope.include_vendored {
        query = query.filter(path::Column::Vendored.eq(false));
    }
    if let Some(folder) = scope.folder {
        query = query.filter(crate::queries::files::under(folder));
    }
    if !scope.filters.excluded_authors.is_empty() {
        query =
            query.filter(path_author::Column::AuthorEmail.is_not_in(scope.filters.excluded_authors.iter().cloned()));
    }
    type Tuple = (i64, String, String, String, i64, i64, i64, DateTime<Utc>);
    let rows: Vec<Tuple> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(path_id, path, email, name, commits, insertions, deletions, first_at)| Row {
            path_id,
            path,
            email,
            name,
            commits,
            lines: insertions + deletions,
            first_at,
        })
        .collect())
}

/// Each person's last commit day in the scope's repository (or any).
async fn last_days(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
) -> Result<HashMap<String, NaiveDate>, QueryError> {
    let mut query = activity_author::Entity::find()
        .select_only()
        .column(activity_author::Column::AuthorEmail)
        .column(activity_author::Column::LastDay);
    if let Some(id) = repository {
        query = query.filter(activity_author::Column::RepositoryId.eq(id));
    }
    let rows: Vec<(String, String)> = query.into_tuple().all(db).await?;
    let mut last: HashMap<String, NaiveDate> = HashMap::new();
    for (email, day) in rows {
        if let Ok(day) = day.parse::<NaiveDate>() {
            let entry = last.entry(email).or_insert(day);
            *entry = Ord::max(*entry, day);
        }
    }
    Ok(last)
}

/// The ownership of the files in `scope`; people without a commit since `active_since`
/// are inactive.
pub async fn ownership(
    db: &impl ConnectionTrait,
    scope: &Scope<'_>,
    active_since: NaiveDate,
) -> Result<Ownership, QueryError> {
    let rows = rows(db, scope).await?;
    let last = last_days(db, scope.repository).await?;
    Ok(summarise(&rows, scope.folder, &last, active_since))
}

/// A file's rows gathered: its path and each person's work.
struct File<'a> {
    path: &'a str,
    work: Vec<&'a Row>,
    authors: Vec<&'a str>,
}

fn summarise(rows: &[Row], folder: Option<&str>, last: &HashMap<String, NaiveDate>, since: NaiveDate) -> Ownership {
    let mut by_path: HashMap<i64, Vec<&Row>> = HashMap::new();
    for row in rows {
        by_path.entry(row.path_id).or_default().push(row);
    }
    let mut files: Vec<File<'_>> = by_path
        .into_values()
        .map(|work| {
            let credited = credit(work.iter().map(|r| (r.email.as_str(), r.commits, r.first_at)));
            File { path: &work[0].path, authors: authors_of(&credited), work }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(b.path));
    let names: HashMap<&str, &str> = rows.iter().map(|r| (r.email.as_str(), r.name.as_str())).collect();
    let person = |email: &str, lines: i64, total: i64, files_authored: i64| {
        let last_day = last.get(email).copied();
        Person {
            email: email.to_owned(),
            name: names.get(email).copied().unwrap_or(email).to_owned(),
            lines,
            share: if total > 0 { lines as f64 / total as f64 } else { 0.0 },
            files_authored,
            last_day,
            inactive: last_day.is_none_or(|day| day < since),
        }
    };
    let people_of = |files: &[&File<'_>]| {
        let mut lines: HashMap<&str, i64> = HashMap::new();
        let mut authored: HashMap<&str, i64> = HashMap::new();
        for file in files {
            for row in &file.work {
                *lines.entry(&row.email).or_default() += row.lines;
            }
            for author in &file.authors {
                *authored.entry(author).or_default() += 1;
            }
        }
        let total: i64 = lines.values().sum();
        let mut people: Vec<Person> = lines
            .iter()
            .map(|(email, l)| person(email, *l, total, authored.get(email).copied().unwrap_or(0)))
            .collect();
        people.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.email.cmp(&b.email)));
        people
    };
    fn truck_of<'a>(files: &[&File<'a>]) -> Vec<&'a str> {
        let lists: Vec<Vec<&str>> = files.iter().map(|f| f.authors.clone()).collect();
        truck_factor(&lists)
    }

    let all: Vec<&File<'_>> = files.iter().collect();
    let people = people_of(&all);
    let truck = truck_of(&all)
        .into_iter()
        .map(|email| people.iter().find(|p| p.email == email).cloned().unwrap_or_else(|| person(email, 0, 0, 0)))
        .collect();

    let prefix = folder.map_or(0, |f| f.len() + 1);
    let mut groups: HashMap<&str, (bool, Vec<&File<'_>>)> = HashMap::new();
    for file in &files {
        let rest = &file.path[prefix.min(file.path.len())..];
        let (name, is_folder) = rest.split_once('/').map_or((rest, false), |(first, _)| (first, true));
        let group = groups.entry(name).or_default();
        group.0 |= is_folder;
        group.1.push(file);
    }
    let mut entries: Vec<Entry> = groups
        .into_iter()
        .map(|(name, (is_folder, files))| {
            let people = people_of(&files);
            let knowers: BTreeSet<&str> = files.iter().flat_map(|f| f.authors.iter().copied()).collect();
            let main = people.into_iter().next();
            Entry {
                path: folder.map_or_else(|| name.to_owned(), |f| format!("{f}/{name}")),
                name: name.to_owned(),
                is_folder,
                files: files.len() as i64,
                lines: files.iter().flat_map(|f| f.work.iter()).map(|r| r.lines).sum(),
                at_risk: main.as_ref().is_some_and(|m| m.inactive),
                main,
                knowers: knowers.len() as i64,
                truck_factor: truck_of(&files).len() as i64,
            }
        })
        .collect();
    entries.sort_by(|a, b| (!a.is_folder, &a.name).cmp(&(!b.is_folder, &b.name)));
    Ownership { files: files.len() as i64, truck, people, entries }
}
