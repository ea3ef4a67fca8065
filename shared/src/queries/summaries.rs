//! Keeping the summaries the dashboard reads (`activity_daily`, `activity_authors`,
//! `activity_hours`, `path_authors`, `language_months`) in line with the commits: rebuilt
//! whole after a rewrite or a re-map, updated for the days, people and paths new commits
//! touched after a push.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};

use crate::{error::QueryError, queries::index::NewCommit, queries::start_of};

/// Past this many days or people, one whole rebuild costs less than the lists.
const MOST_TOUCHED: usize = 500;

/// Commits changing more files than this say nothing about which files belong together
/// (a rename of a folder, a reformatting): change coupling leaves them out.
pub const COUPLED_FILES: i64 = 30;

/// What new commits touched: their days (UTC, by commit time), authors (after .mailmap)
/// and paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    days: BTreeSet<NaiveDate>,
    authors: BTreeSet<String>,
    paths: BTreeSet<String>,
}

impl Touched {
    pub fn add(&mut self, commits: &[NewCommit]) {
        for commit in commits {
            self.days.insert(commit.committed_at.date_naive());
            self.authors.insert(commit.author_email.clone());
            self.paths.extend(commit.files.iter().map(|f| f.path.clone()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// Rebuilds a repository's summaries from its commits in one transaction.
pub async fn rebuild(db: &DatabaseConnection, repository_id: i64) -> Result<(), QueryError> {
    refresh(db, repository_id, None).await
}

/// Brings the summaries up to date after `touched` commits were added to a repository whose
/// summaries were whole before: only the touched days' rows and the touched people's totals
/// and hours are computed again.
pub async fn update(db: &DatabaseConnection, repository_id: i64, touched: &Touched) -> Result<(), QueryError> {
    if touched.is_empty() {
        return Ok(());
    }
    if touched.days.len() > MOST_TOUCHED || touched.authors.len() > MOST_TOUCHED || touched.paths.len() > MOST_TOUCHED {
        return rebuild(db, repository_id).await;
    }
    refresh(db, repository_id, Some(touched)).await
}

/// The SQL of one refresh: every statement narrowed to the repository, and to the touched
/// days or people when there are some.
struct Sql {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Sql {
    fn param(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    fn list<T: Into<Value> + Clone>(&mut self, items: impl IntoIterator<Item = T>) -> String {
        let params: Vec<String> = items.into_iter().map(|item| self.param(item)).collect();
        params.join(", ")
    }

    fn statement(&mut self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, std::mem::take(&mut self.values))
    }
}

/// Builds a repository's `language_months` again, whole: after the vendored marks of its
/// paths changed (a `.gitattributes` edit, a changed setting).
pub async fn rebuild_languages(db: &DatabaseConnection, repository_id: i64) -> Result<(), QueryError> {
    let backend = db.get_database_backend();
    let (_, month) = crate::queries::utc_day_and_month(backend, "committed_at");
    let mut sql = Sql { backend, values: Vec::new() };
    let txn = crate::db::begin_write(db).await?;
    let repository = sql.param(repository_id);
    txn.execute_raw(sql.statement(format!("DELETE FROM language_months WHERE repository_id = {repository}"))).await?;
    let repository = sql.param(repository_id);
    txn.execute_raw(sql.statement(language_months(&month, &repository, ""))).await?;
    txn.commit().await?;
    Ok(())
}

/// The statement that fills `language_months` for the repository (`repository`, a
/// placeholder) and the commits `narrow` leaves.
fn language_months(month: &str, repository: &str, narrow: &str) -> String {
    format!(
        "INSERT INTO language_months (repository_id, month, language, vendored, insertions, deletions) \
         SELECT c.repository_id, {month}, COALESCE(p.language, ''), p.vendored, \
         COALESCE(SUM(f.insertions), 0), COALESCE(SUM(f.deletions), 0) \
         FROM commit_files f JOIN commits c ON c.id = f.commit_id JOIN paths p ON p.id = f.path_id \
         WHERE c.repository_id = {repository}{narrow} \
         GROUP BY c.repository_id, {month}, COALESCE(p.language, ''), p.vendored"
    )
}

async fn refresh(db: &DatabaseConnection, repository_id: i64, touched: Option<&Touched>) -> Result<(), QueryError> {
    let backend = db.get_database_backend();
    let (day, month) = crate::queries::utc_day_and_month(backend, "committed_at");
    let mut sql = Sql { backend, values: Vec::new() };
    // Each statement takes its own parameters, so each narrowing is written per statement.
    let days_of_daily = |sql: &mut Sql| match touched {
        Some(t) => format!(" AND day IN ({})", sql.list(t.days.iter().map(|d| d.to_string()))),
        None => String::new(),
    };
    let days_of_commits = |sql: &mut Sql| match touched {
        Some(t) => {
            // The commit-time range first, so the (repository, time) index finds the rows.
            let (first, last) = (t.days.first().copied(), t.days.last().copied());
            let from = first.map(start_of);
            let until = last.and_then(|d| d.checked_add_days(Days::new(1))).map(start_of);
            format!(
                " AND committed_at >= {} AND committed_at < {} AND {day} IN ({})",
                sql.param(from),
                sql.param(until),
                sql.list(t.days.iter().map(|d| d.to_string()))
            )
        }
        None => String::new(),
    };
    let months = |sql: &mut Sql| match touched {
        Some(t) => {
            let months: BTreeSet<String> = t.days.iter().map(|d| d.format("%Y-%m").to_string()).collect();
            format!(" AND month IN ({})", sql.list(months))
        }
        None => String::new(),
    };
    let months_of_commits = |sql: &mut Sql| match touched {
        Some(t) => {
            // The commit-time range first, as for the days.
            let months: BTreeSet<String> = t.days.iter().map(|d| d.format("%Y-%m").to_string()).collect();
            let (first, last) = (t.days.first().copied(), t.days.last().copied());
            let from = first.and_then(|d| d.with_day(1)).map(start_of);
            let until =
                last.and_then(|d| d.with_day(1)).and_then(|d| d.checked_add_months(Months::new(1))).map(start_of);
            format!(
                " AND committed_at >= {} AND committed_at < {} AND {month} IN ({})",
                sql.param(from),
                sql.param(until),
                sql.list(months)
            )
        }
        None => String::new(),
    };
    // The ids of the touched paths, as a sub-query.
    let path_ids = |sql: &mut Sql, t: &Touched| {
        format!(
            "(SELECT id FROM paths WHERE repository_id = {} AND path IN ({}))",
            sql.param(repository_id),
            sql.list(t.paths.iter().cloned())
        )
    };
    let paths = |sql: &mut Sql, column: &str| match touched {
        Some(t) => format!(" AND {column} IN {}", path_ids(sql, t)),
        None => String::new(),
    };
    // A pair changes when a commit changes both: only pairs with a touched path, counted
    // over the commits that changed a touched path.
    let pairs = |sql: &mut Sql| match touched {
        Some(t) => {
            let commits = path_ids(sql, t);
            let (a, b) = (path_ids(sql, t), path_ids(sql, t));
            format!(
                " AND a.commit_id IN (SELECT commit_id FROM commit_files WHERE path_id IN {commits}) \
                 AND (a.path_id IN {a} OR b.path_id IN {b})"
            )
        }
        None => String::new(),
    };
    let people = |sql: &mut Sql| match touched {
        Some(t) => format!(" AND author_email IN ({})", sql.list(t.authors.iter().cloned())),
        None => String::new(),
    };

    let txn = crate::db::begin_write(db).await?;
    let repository = sql.param(repository_id);
    let narrow = days_of_daily(&mut sql);
    txn.execute_raw(sql.statement(format!("DELETE FROM activity_daily WHERE repository_id = {repository}{narrow}")))
        .await?;
    let repository = sql.param(repository_id);
    let narrow = days_of_commits(&mut sql);
    txn.execute_raw(sql.statement(format!(
        "INSERT INTO activity_daily \
         (repository_id, day, author_email, author_name, commits, merges, insertions, deletions, largest_change) \
         SELECT repository_id, {day}, author_email, MAX(author_name), COUNT(*), \
         SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END), \
         COALESCE(SUM(insertions), 0), COALESCE(SUM(deletions), 0), MAX({written}) \
         FROM commits WHERE repository_id = {repository}{narrow} GROUP BY repository_id, {day}, author_email",
        written = crate::queries::highlights::WRITTEN_LINES
    )))
    .await?;
    let repository = sql.param(repository_id);
    let narrow = people(&mut sql);
    txn.execute_raw(sql.statement(format!("DELETE FROM activity_authors WHERE repository_id = {repository}{narrow}")))
        .await?;
    let repository = sql.param(repository_id);
    let narrow = people(&mut sql);
    txn.execute_raw(sql.statement(format!(
        "INSERT INTO activity_authors (repository_id, author_email, author_name, first_day, last_day, \
         commits, merges, insertions, deletions, active_days, work_first_day, work_last_day, work_days) \
         SELECT repository_id, author_email, MAX(author_name), MIN(day), MAX(day), SUM(commits), SUM(merges), \
         SUM(insertions), SUM(deletions), COUNT(*), MIN(CASE WHEN commits > merges THEN day END), \
         MAX(CASE WHEN commits > merges THEN day END), SUM(CASE WHEN commits > merges THEN 1 ELSE 0 END) \
         FROM activity_daily WHERE repository_id = {repository}{narrow} GROUP BY repository_id, author_email"
    )))
    .await?;
    let repository = sql.param(repository_id);
    let narrow = people(&mut sql);
    txn.execute_raw(sql.statement(format!("DELETE FROM activity_hours WHERE repository_id = {repository}{narrow}")))
        .await?;
    let repository = sql.param(repository_id);
    let narrow = people(&mut sql);
    txn.execute_raw(sql.statement(format!(
        "INSERT INTO activity_hours (repository_id, author_email, weekday, hour, commits, merges) \
         SELECT repository_id, author_email, author_weekday_hour / 24, author_weekday_hour % 24, COUNT(*), \
         SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END) \
         FROM commits WHERE repository_id = {repository}{narrow} \
         GROUP BY repository_id, author_email, author_weekday_hour"
    )))
    .await?;

    let repository = sql.param(repository_id);
    let narrow = paths(&mut sql, "path_id");
    txn.execute_raw(sql.statement(format!("DELETE FROM path_authors WHERE repository_id = {repository}{narrow}")))
        .await?;
    // Each commit's lines are credited to its author and to each of its co-authors.
    let repository = sql.param(repository_id);
    let narrow = paths(&mut sql, "f.path_id");
    let co_repository = sql.param(repository_id);
    let co_narrow = paths(&mut sql, "f.path_id");
    txn.execute_raw(sql.statement(format!(
        "INSERT INTO path_authors (repository_id, path_id, author_email, author_name, commits, insertions, \
         deletions, first_at, last_at) \
         SELECT repository_id, path_id, email, MAX(name), COUNT(*), COALESCE(SUM(insertions), 0), \
         COALESCE(SUM(deletions), 0), MIN(committed_at), MAX(committed_at) FROM (\
         SELECT c.repository_id, f.path_id, c.author_email AS email, c.author_name AS name, f.insertions, \
         f.deletions, c.committed_at \
         FROM commit_files f JOIN commits c ON c.id = f.commit_id WHERE c.repository_id = {repository}{narrow} \
         UNION ALL \
         SELECT c.repository_id, f.path_id, a.email, a.name, f.insertions, f.deletions, c.committed_at \
         FROM commit_coauthors a JOIN commits c ON c.id = a.commit_id JOIN commit_files f ON f.commit_id = c.id \
         WHERE a.repository_id = {co_repository}{co_narrow}) credited \
         GROUP BY repository_id, path_id, email"
    )))
    .await?;

    let repository = sql.param(repository_id);
    let narrow = match touched {
        Some(t) => {
            let (a, b) = (path_ids(&mut sql, t), path_ids(&mut sql, t));
            format!(" AND (path_a IN {a} OR path_b IN {b})")
        }
        None => String::new(),
    };
    txn.execute_raw(sql.statement(format!("DELETE FROM file_pairs WHERE repository_id = {repository}{narrow}")))
        .await?;
    let repository = sql.param(repository_id);
    let narrow = pairs(&mut sql);
    txn.execute_raw(sql.statement(format!(
        "INSERT INTO file_pairs (repository_id, path_a, path_b, commits) \
         SELECT c.repository_id, a.path_id, b.path_id, COUNT(*) \
         FROM commit_files a JOIN commit_files b ON b.commit_id = a.commit_id AND b.path_id >= a.path_id \
         JOIN commits c ON c.id = a.commit_id \
         WHERE c.repository_id = {repository} AND c.files_changed <= {COUPLED_FILES}{narrow} \
         GROUP BY c.repository_id, a.path_id, b.path_id"
    )))
    .await?;

    let repository = sql.param(repository_id);
    let narrow = months(&mut sql);
    txn.execute_raw(sql.statement(format!("DELETE FROM language_months WHERE repository_id = {repository}{narrow}")))
        .await?;
    let repository = sql.param(repository_id);
    let narrow = months_of_commits(&mut sql);
    txn.execute_raw(sql.statement(language_months(&month, &repository, &narrow))).await?;
    txn.commit().await?;
    Ok(())
}
