//! Statistics beyond the commit history: the punch card (weekday by hour, in each author's
//! own time zone) and committers per month.

use chrono::{Days, NaiveDate};
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

/// SQL for a commit's weekday (0 = Sunday) and hour in its author's own time zone.
pub(crate) fn local_weekday_and_hour(backend: DatabaseBackend) -> (&'static str, &'static str) {
    match backend {
        DatabaseBackend::Postgres => (
            "CAST(EXTRACT(DOW FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute') AS BIGINT)",
            "CAST(EXTRACT(HOUR FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute') AS BIGINT)",
        ),
        _ => (
            "CAST(strftime('%w', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER)",
            "CAST(strftime('%H', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER)",
        ),
    }
}

/// Commits by weekday and hour. A range that spans the scope's whole history reads the
/// `activity_hours` summary; a narrower one reads the commits of its days.
pub async fn punch_card(db: &impl ConnectionTrait, range: &Range) -> Result<PunchCard, QueryError> {
    let backend = db.get_database_backend();
    if crate::queries::activity::spans_whole_history(db, range).await? {
        let mut params = Params::new(backend);
        let commits = range.commits_column();
        let mut sql = format!(
            "SELECT CAST(weekday AS BIGINT) AS dow, CAST(hour AS BIGINT) AS hour, CAST(SUM({commits}) AS BIGINT) AS commits \
             FROM activity_hours WHERE 1 = 1"
        );
        sql.push_str(&params.scope(range, Table::Summary));
        sql.push_str(" GROUP BY weekday, hour");
        let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, params.values)).await?;
        return card_from(rows);
    }
    let (dow, hour) = local_weekday_and_hour(backend);
    let (since, until) = bounds(range);
    let mut params = Params::new(backend);
    let mut sql = format!(
        "SELECT {dow} AS dow, {hour} AS hour, COUNT(*) AS commits FROM commits \
         WHERE committed_at >= {} AND committed_at < {}",
        params.push(since),
        params.push(until)
    );
    sql.push_str(&params.scope(range, Table::Commits));
    sql.push_str(" GROUP BY 1, 2");
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, params.values)).await?;
    card_from(rows)
}

fn card_from(rows: Vec<sea_orm::QueryResult>) -> Result<PunchCard, QueryError> {
    let mut card = [[0i64; 24]; 7];
    for row in rows {
        let dow: i64 = row.try_get("", "dow")?;
        let hour: i64 = row.try_get("", "hour")?;
        let commits: i64 = row.try_get("", "commits")?;
        if let (Ok(dow), Ok(hour)) = (usize::try_from(dow), usize::try_from(hour))
            && dow < 7
            && hour < 24
        {
            // SQL counts Sunday as 0; the card starts on Monday.
            card[(dow + 6) % 7][hour] += commits;
        }
    }
    Ok(card)
}

/// Distinct committers per month (`YYYY-MM`), oldest first.
pub async fn committers_per_month(db: &impl ConnectionTrait, range: &Range) -> Result<Vec<(String, i64)>, QueryError> {
    let backend = db.get_database_backend();
    let mut params = Params::new(backend);
    let mut sql = format!(
        "SELECT substr(day, 1, 7) AS month, COUNT(DISTINCT author_email) AS committers FROM activity_daily \
         WHERE day >= {} AND day <= {}",
        params.push(range.since.format("%Y-%m-%d").to_string()),
        params.push(range.until.format("%Y-%m-%d").to_string())
    );
    sql.push_str(&params.scope(range, Table::Summary));
    sql.push_str(" GROUP BY 1 ORDER BY 1");
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, params.values)).await?;
    let mut months = Vec::with_capacity(rows.len());
    for row in rows {
        months.push((row.try_get::<String>("", "month")?, row.try_get::<i64>("", "committers")?));
    }
    Ok(months)
}
