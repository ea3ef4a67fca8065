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

pub async fn punch_card(db: &impl ConnectionTrait, range: Range) -> Result<PunchCard, QueryError> {
    let backend = db.get_database_backend();
    let (dow, hour, p) = match backend {
        DatabaseBackend::Postgres => (
            "CAST(EXTRACT(DOW FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute') AS BIGINT)",
            "CAST(EXTRACT(HOUR FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute') AS BIGINT)",
            ["$1", "$2", "$3"],
        ),
        _ => (
            "CAST(strftime('%w', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER)",
            "CAST(strftime('%H', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER)",
            ["?", "?", "?"],
        ),
    };
    let (since, until) = bounds(&range);
    let mut values: Vec<Value> = vec![since.into(), until.into()];
    let mut sql = format!(
        "SELECT {dow} AS dow, {hour} AS hour, COUNT(*) AS commits FROM commits \
         WHERE committed_at >= {} AND committed_at < {}",
        p[0], p[1]
    );
    if let Some(id) = range.repository {
        sql.push_str(&format!(" AND repository_id = {}", p[2]));
        values.push(id.into());
    }
    sql.push_str(" GROUP BY 1, 2");
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
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
pub async fn committers_per_month(db: &impl ConnectionTrait, range: Range) -> Result<Vec<(String, i64)>, QueryError> {
    let backend = db.get_database_backend();
    let p = match backend {
        DatabaseBackend::Postgres => ["$1", "$2", "$3"],
        _ => ["?", "?", "?"],
    };
    let mut values: Vec<Value> =
        vec![range.since.format("%Y-%m-%d").to_string().into(), range.until.format("%Y-%m-%d").to_string().into()];
    let mut sql = format!(
        "SELECT substr(day, 1, 7) AS month, COUNT(DISTINCT author_email) AS committers FROM activity_daily \
         WHERE day >= {} AND day <= {}",
        p[0], p[1]
    );
    if let Some(id) = range.repository {
        sql.push_str(&format!(" AND repository_id = {}", p[2]));
        values.push(id.into());
    }
    sql.push_str(" GROUP BY 1 ORDER BY 1");
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    let mut months = Vec::with_capacity(rows.len());
    for row in rows {
        months.push((row.try_get::<String>("", "month")?, row.try_get::<i64>("", "committers")?));
    }
    Ok(months)
}
