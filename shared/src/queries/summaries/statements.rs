//! The SQL that rewrites each summary for part of a repository: a `DELETE` of the rows
//! and an `INSERT ... SELECT` of them again from the commits, both narrowed the same way.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, Months, NaiveDate};
use sea_orm::{DatabaseBackend, Statement, Value};

use super::COUPLED_FILES;
use crate::queries::{start_of, stats::Params};

/// Which part of a summary a statement pair rewrites.
pub(super) enum Narrow<'a, Listed, Key> {
    /// The whole repository.
    All,
    /// The rows of these days, people or paths (what new commits touched).
    Listed(&'a BTreeSet<Listed>),
    /// Keys from the first (inclusive) to the second (exclusive); `None` leaves an end open.
    Between(Option<Key>, Option<Key>),
}

/// Days, by the first day of their month when in a range (a piece of a whole rebuild).
pub(super) type DaysNarrow<'a> = Narrow<'a, NaiveDate, NaiveDate>;
/// People by e-mail (after .mailmap).
pub(super) type PeopleNarrow<'a> = Narrow<'a, String, String>;
/// Paths: listed by name, ranged by id.
pub(super) type PathsNarrow<'a> = Narrow<'a, String, i64>;

/// Statements being written: placeholders in the backend's style, values in order.
pub(super) struct Sql {
    backend: DatabaseBackend,
    repository_id: i64,
    params: Params,
}

impl Sql {
    pub(super) fn new(backend: DatabaseBackend, repository_id: i64) -> Self {
        Self { backend, repository_id, params: Params::new(backend) }
    }

    fn param(&mut self, value: impl Into<Value>) -> String {
        self.params.push(value)
    }

    fn repository(&mut self) -> String {
        self.param(self.repository_id)
    }

    fn list<T: Into<Value> + Clone>(&mut self, items: impl IntoIterator<Item = T>) -> String {
        let params: Vec<String> = items.into_iter().map(|item| self.param(item)).collect();
        params.join(", ")
    }

    /// `column` from `from` (inclusive) to `until` (exclusive).
    fn between<T: Into<Value>>(&mut self, column: &str, from: Option<T>, until: Option<T>) -> String {
        let mut sql = String::new();
        if let Some(from) = from {
            sql += &format!(" AND {column} >= {}", self.param(from));
        }
        if let Some(until) = until {
            sql += &format!(" AND {column} < {}", self.param(until));
        }
        sql
    }

    fn statement(&mut self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, std::mem::take(&mut self.params.values))
    }

    fn day_and_month(&self) -> (String, String) {
        crate::queries::utc_day_and_month(self.backend, "committed_at")
    }

    /// The ids of the listed paths, as a sub-query.
    fn path_ids(&mut self, paths: &BTreeSet<String>) -> String {
        let repository = self.repository();
        format!(
            "(SELECT id FROM paths WHERE repository_id = {repository} AND path IN ({}))",
            self.list(paths.iter().cloned())
        )
    }

    /// The commits of the narrowed days (`committed_at`), the commit-time range first so
    /// the (repository, time) index finds the rows.
    fn commits_on(&mut self, days: &DaysNarrow, whole_months: bool) -> String {
        match days {
            Narrow::All => String::new(),
            Narrow::Listed(days) => {
                let (first, last) = (days.first().copied(), days.last().copied());
                let (day, month) = self.day_and_month();
                if whole_months {
                    let months: BTreeSet<String> = days.iter().map(|d| d.format("%Y-%m").to_string()).collect();
                    let from = first.and_then(|d| d.with_day(1)).map(start_of);
                    let until = last
                        .and_then(|d| d.with_day(1))
                        .and_then(|d| d.checked_add_months(Months::new(1)))
                        .map(start_of);
                    format!("{} AND {month} IN ({})", self.between("committed_at", from, until), self.list(months))
                } else {
                    let from = first.map(start_of);
                    let until = last.and_then(|d| d.checked_add_days(Days::new(1))).map(start_of);
                    let listed = days.iter().map(|d| d.to_string());
                    format!("{} AND {day} IN ({})", self.between("committed_at", from, until), self.list(listed))
                }
            }
            Narrow::Between(from, until) => self.between("committed_at", from.map(start_of), until.map(start_of)),
        }
    }
}

/// Bounds of days (`YYYY-MM-DD`) or months (`YYYY-MM`) as text, as the summaries keep them.
fn text_bounds(from: &Option<NaiveDate>, until: &Option<NaiveDate>, format: &str) -> (Option<String>, Option<String>) {
    (from.map(|d| d.format(format).to_string()), until.map(|d| d.format(format).to_string()))
}

pub(super) fn activity_daily(sql: &mut Sql, days: &DaysNarrow) -> [Statement; 2] {
    let repository = sql.repository();
    let narrow = match days {
        Narrow::All => String::new(),
        Narrow::Listed(days) => format!(" AND day IN ({})", sql.list(days.iter().map(|d| d.to_string()))),
        Narrow::Between(from, until) => {
            let (from, until) = text_bounds(from, until, "%Y-%m-%d");
            sql.between("day", from, until)
        }
    };
    let delete = sql.statement(format!("DELETE FROM activity_daily WHERE repository_id = {repository}{narrow}"));
    let repository = sql.repository();
    let narrow = sql.commits_on(days, false);
    let (day, _) = sql.day_and_month();
    let insert = sql.statement(format!(
        "INSERT INTO activity_daily \
         (repository_id, day, author_email, author_name, commits, merges, insertions, deletions, largest_change) \
         SELECT repository_id, {day}, author_email, MAX(author_name), COUNT(*), \
         SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END), \
         COALESCE(SUM(insertions), 0), COALESCE(SUM(deletions), 0), MAX({written}) \
         FROM commits WHERE repository_id = {repository}{narrow} GROUP BY repository_id, {day}, author_email",
        written = crate::queries::highlights::WRITTEN_LINES
    ));
    [delete, insert]
}

fn people(sql: &mut Sql, people: &PeopleNarrow) -> String {
    match people {
        Narrow::All => String::new(),
        Narrow::Listed(people) => format!(" AND author_email IN ({})", sql.list(people.iter().cloned())),
        Narrow::Between(from, until) => sql.between("author_email", from.clone(), until.clone()),
    }
}

/// A person's totals, from `activity_daily` (so after it).
pub(super) fn activity_authors(sql: &mut Sql, narrow: &PeopleNarrow) -> [Statement; 2] {
    let repository = sql.repository();
    let rows = people(sql, narrow);
    let delete = sql.statement(format!("DELETE FROM activity_authors WHERE repository_id = {repository}{rows}"));
    let repository = sql.repository();
    let source = people(sql, narrow);
    let insert = sql.statement(format!(
        "INSERT INTO activity_authors (repository_id, author_email, author_name, first_day, last_day, \
         commits, merges, insertions, deletions, active_days, work_first_day, work_last_day, work_days) \
         SELECT repository_id, author_email, MAX(author_name), MIN(day), MAX(day), SUM(commits), SUM(merges), \
         SUM(insertions), SUM(deletions), COUNT(*), MIN(CASE WHEN commits > merges THEN day END), \
         MAX(CASE WHEN commits > merges THEN day END), SUM(CASE WHEN commits > merges THEN 1 ELSE 0 END) \
         FROM activity_daily WHERE repository_id = {repository}{source} GROUP BY repository_id, author_email"
    ));
    [delete, insert]
}

pub(super) fn activity_hours(sql: &mut Sql, narrow: &PeopleNarrow) -> [Statement; 2] {
    let repository = sql.repository();
    let rows = people(sql, narrow);
    let delete = sql.statement(format!("DELETE FROM activity_hours WHERE repository_id = {repository}{rows}"));
    let repository = sql.repository();
    let source = people(sql, narrow);
    let insert = sql.statement(format!(
        "INSERT INTO activity_hours (repository_id, author_email, weekday, hour, commits, merges) \
         SELECT repository_id, author_email, author_weekday_hour / 24, author_weekday_hour % 24, COUNT(*), \
         SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END) \
         FROM commits WHERE repository_id = {repository}{source} \
         GROUP BY repository_id, author_email, author_weekday_hour"
    ));
    [delete, insert]
}

fn paths(sql: &mut Sql, column: &str, paths: &PathsNarrow) -> String {
    match paths {
        Narrow::All => String::new(),
        Narrow::Listed(paths) => format!(" AND {column} IN {}", sql.path_ids(paths)),
        Narrow::Between(from, until) => sql.between(column, *from, *until),
    }
}

/// Who changed each path, each commit's lines credited to its author and to each of its
/// co-authors. The file rows lead (`CROSS JOIN` fixes SQLite's join order), so a range of
/// paths reads only its own rows through the path index.
pub(super) fn path_authors(sql: &mut Sql, narrow: &PathsNarrow) -> [Statement; 2] {
    let repository = sql.repository();
    let rows = paths(sql, "path_id", narrow);
    let delete = sql.statement(format!("DELETE FROM path_authors WHERE repository_id = {repository}{rows}"));
    let repository = sql.repository();
    let source = paths(sql, "f.path_id", narrow);
    let co_repository = sql.repository();
    let co_source = paths(sql, "f.path_id", narrow);
    let insert = sql.statement(format!(
        "INSERT INTO path_authors (repository_id, path_id, author_email, author_name, commits, insertions, \
         deletions, first_at, last_at) \
         SELECT repository_id, path_id, email, MAX(name), COUNT(*), COALESCE(SUM(insertions), 0), \
         COALESCE(SUM(deletions), 0), MIN(committed_at), MAX(committed_at) FROM (\
         SELECT c.repository_id, f.path_id, c.author_email AS email, c.author_name AS name, f.insertions, \
         f.deletions, c.committed_at \
         FROM commit_files f CROSS JOIN commits c WHERE c.id = f.commit_id AND c.repository_id = {repository}{source} \
         UNION ALL \
         SELECT c.repository_id, f.path_id, a.email, a.name, f.insertions, f.deletions, c.committed_at \
         FROM commit_coauthors a JOIN commits c ON c.id = a.commit_id JOIN commit_files f ON f.commit_id = c.id \
         WHERE a.repository_id = {co_repository}{co_source}) credited \
         GROUP BY repository_id, path_id, email"
    ));
    [delete, insert]
}

/// Pairs of files changed by the same commits (commits changing more than
/// [`COUPLED_FILES`] files left out), each pair once, under its smaller path id.
pub(super) fn file_pairs(sql: &mut Sql, narrow: &PathsNarrow) -> [Statement; 2] {
    let repository = sql.repository();
    let rows = match narrow {
        Narrow::Listed(listed) => {
            let (a, b) = (sql.path_ids(listed), sql.path_ids(listed));
            format!(" AND (path_a IN {a} OR path_b IN {b})")
        }
        other => paths(sql, "path_a", other),
    };
    let delete = sql.statement(format!("DELETE FROM file_pairs WHERE repository_id = {repository}{rows}"));
    let repository = sql.repository();
    let source = match narrow {
        // A pair changes when a commit changes both: only pairs with a listed path, counted
        // over the commits that changed a listed path.
        Narrow::Listed(listed) => {
            let commits = sql.path_ids(listed);
            let (a, b) = (sql.path_ids(listed), sql.path_ids(listed));
            format!(
                " AND a.commit_id IN (SELECT commit_id FROM commit_files WHERE path_id IN {commits}) \
                 AND (a.path_id IN {a} OR b.path_id IN {b})"
            )
        }
        other => paths(sql, "a.path_id", other),
    };
    let insert = sql.statement(format!(
        "INSERT INTO file_pairs (repository_id, path_a, path_b, commits) \
         SELECT c.repository_id, a.path_id, b.path_id, COUNT(*) \
         FROM commit_files a CROSS JOIN commits c CROSS JOIN commit_files b \
         WHERE c.id = a.commit_id AND b.commit_id = a.commit_id AND b.path_id >= a.path_id \
         AND c.repository_id = {repository} AND c.files_changed <= {COUPLED_FILES}{source} \
         GROUP BY c.repository_id, a.path_id, b.path_id"
    ));
    [delete, insert]
}

/// Net lines per language and month (vendored paths kept apart).
pub(super) fn language_months(sql: &mut Sql, days: &DaysNarrow) -> [Statement; 2] {
    let repository = sql.repository();
    let rows = match days {
        Narrow::All => String::new(),
        Narrow::Listed(days) => {
            let months: BTreeSet<String> = days.iter().map(|d| d.format("%Y-%m").to_string()).collect();
            format!(" AND month IN ({})", sql.list(months))
        }
        Narrow::Between(from, until) => {
            let (from, until) = text_bounds(from, until, "%Y-%m");
            sql.between("month", from, until)
        }
    };
    let delete = sql.statement(format!("DELETE FROM language_months WHERE repository_id = {repository}{rows}"));
    let repository = sql.repository();
    let narrow = sql.commits_on(days, true);
    let (_, month) = sql.day_and_month();
    let insert = sql.statement(format!(
        "INSERT INTO language_months (repository_id, month, language, vendored, insertions, deletions) \
         SELECT c.repository_id, {month}, COALESCE(p.language, ''), p.vendored, \
         COALESCE(SUM(f.insertions), 0), COALESCE(SUM(f.deletions), 0) \
         FROM commit_files f JOIN commits c ON c.id = f.commit_id JOIN paths p ON p.id = f.path_id \
         WHERE c.repository_id = {repository}{narrow} \
         GROUP BY c.repository_id, {month}, COALESCE(p.language, ''), p.vendored"
    ));
    [delete, insert]
}
