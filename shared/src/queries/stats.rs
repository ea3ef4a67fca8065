//! The punch card: commits by weekday and hour, in each author's own time zone.

use chrono::{Datelike, Days, NaiveDate, Timelike};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

use crate::{error::QueryError, queries::activity::Range};

/// Commits by weekday (Monday first) and hour of the author's local time.
pub type PunchCard = [[i64; 24]; 7];

fn bounds(range: &Range) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    (start(range.since), start(range.until + Days::new(1)))
}

/// Placeholders numbered for the backend (`?` or `$n`) and their values, in order.
struct Params {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Params {
    fn new(backend: DatabaseBackend) -> Self {
        Self { backend, values: Vec::new() }
    }

    fn push(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// ` AND repository_id = ..`, the merge and the author filters, for `commits` or the summary.
    fn scope(&mut self, range: &Range, table: Table) -> String {
        let mut sql = String::new();
        if let Some(id) = range.repository {
            sql.push_str(&format!(" AND repository_id = {}", self.push(id)));
        }
        if !range.filters.include_merges {
            sql.push_str(match table {
                Table::Commits => " AND parent_count <= 1",
                Table::Summary => " AND commits > merges",
            });
        }
        if !range.filters.excluded_authors.is_empty() {
            let list: Vec<String> =
                range.filters.excluded_authors.iter().map(|email| self.push(email.clone())).collect();
            sql.push_str(&format!(" AND author_email NOT IN ({})", list.join(", ")));
        }
        sql
    }
}

#[derive(Clone, Copy)]
enum Table {
    Commits,
    /// `activity_daily` or `activity_hours`: counts of commits and of merges per row.
    Summary,
}

/// The punch card's cell of a commit authored at `at` with the author's UTC offset: the
/// weekday of the author's own time (0 = Sunday) times 24 plus its hour, as stored in
/// `commits.author_weekday_hour`.
pub fn weekday_hour(at: chrono::DateTime<chrono::Utc>, utc_offset_minutes: i32) -> i32 {
    let local = at + chrono::Duration::minutes(utc_offset_minutes.into());
    (local.weekday().num_days_from_sunday() * 24 + local.hour()) as i32
}

/// Commits by weekday and hour. A range that spans the scope's whole history reads the
/// `activity_hours` summary; a narrower one reads its commits' cells from an index.
pub async fn punch_card(
    db: &impl ConnectionTrait,
    range: &Range,
    spans_whole_history: bool,
) -> Result<PunchCard, QueryError> {
    let backend = db.get_database_backend();
    let mut params = Params::new(backend);
    let sql = if spans_whole_history {
        let commits = range.commits_column();
        format!(
            "SELECT CAST(weekday * 24 + hour AS BIGINT) AS cell, CAST(SUM({commits}) AS BIGINT) AS commits \
             FROM activity_hours WHERE 1 = 1{} GROUP BY weekday, hour",
            params.scope(range, Table::Summary)
        )
    } else {
        let (since, until) = bounds(range);
        let since = params.push(since);
        let until = params.push(until);
        format!(
            "SELECT CAST(author_weekday_hour AS BIGINT) AS cell, COUNT(*) AS commits FROM commits \
             WHERE committed_at >= {since} AND committed_at < {until}{} GROUP BY author_weekday_hour",
            params.scope(range, Table::Commits)
        )
    };
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, params.values)).await?;
    let mut card = [[0i64; 24]; 7];
    for row in rows {
        let cell: i64 = row.try_get("", "cell")?;
        let commits: i64 = row.try_get("", "commits")?;
        let (Ok(dow), Ok(hour)) = (usize::try_from(cell / 24), usize::try_from(cell % 24)) else { continue };
        if dow < 7 {
            // Cells count Sunday as 0; the card starts on Monday.
            card[(dow + 6) % 7][hour] += commits;
        }
    }
    Ok(card)
}
