//! The punch card: commits by weekday and hour, in each author's own time zone.

use chrono::{Datelike, Days, NaiveDate, Timelike};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, Statement, Value,
    sea_query::Expr,
};

use crate::{
    entities::commit,
    error::QueryError,
    queries::{activity::Range, filters::Under},
};

/// Commits by weekday (Monday first) and hour of the author's local time.
pub type PunchCard = [[i64; 24]; 7];

fn bounds(range: &Range) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    (start(range.since), start(range.until + Days::new(1)))
}

/// Placeholders numbered for the backend (`?` or `$n`) and their values, in order.
pub(crate) struct Params {
    backend: DatabaseBackend,
    pub(crate) values: Vec<Value>,
}

impl Params {
    pub(crate) fn new(backend: DatabaseBackend) -> Self {
        Self { backend, values: Vec::new() }
    }

    pub(crate) fn push(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// The condition on a `paths` table aliased `alias` for the paths at or under `under`
    /// (a folder's paths as a range on the paths index: `folder/` up to `folder0`).
    pub(crate) fn under(&mut self, under: &Under, alias: &str) -> String {
        let path = under.path.to_string();
        let (exact, from, to) = (self.push(path.clone()), self.push(format!("{path}/")), self.push(format!("{path}0")));
        let mut sql = format!("({alias}.path = {exact} OR ({alias}.path >= {from} AND {alias}.path < {to}))");
        if let Some(id) = under.repository {
            sql.push_str(&format!(" AND {alias}.repository_id = {}", self.push(id)));
        }
        sql
    }

    /// ` AND repository_id = ..`, the merge and the author filters, for a summary table
    /// (`activity_daily` or `activity_hours`: counts of commits and of merges per row).
    fn scope(&mut self, range: &Range) -> String {
        let mut sql = String::new();
        if let Some(id) = range.repository {
            sql.push_str(&format!(" AND repository_id = {}", self.push(id)));
        }
        if !range.filters.include_merges {
            sql.push_str(" AND commits > merges");
        }
        if !range.filters.excluded_authors.is_empty() {
            let list: Vec<String> =
                range.filters.excluded_authors.iter().map(|email| self.push(email.clone())).collect();
            sql.push_str(&format!(" AND author_email NOT IN ({})", list.join(", ")));
        }
        sql
    }
}

/// The punch card's cell of a commit authored at `at` with the author's UTC offset: the
/// weekday of the author's own time (0 = Sunday) times 24 plus its hour, as stored in
/// `commits.author_weekday_hour`.
pub fn weekday_hour(at: chrono::DateTime<chrono::Utc>, utc_offset_minutes: i32) -> i32 {
    let local = at + chrono::Duration::minutes(utc_offset_minutes.into());
    (local.weekday().num_days_from_sunday() * 24 + local.hour()) as i32
}

/// Commits by weekday and hour. A range that spans the scope's whole history reads the
/// `activity_hours` summary; a narrower one, or one narrowed to a path, reads its commits'
/// cells from an index.
pub async fn punch_card(
    db: &impl ConnectionTrait,
    range: &Range,
    spans_whole_history: bool,
) -> Result<PunchCard, QueryError> {
    let cells: Vec<(i64, i64)> = if spans_whole_history && range.filters.under.is_none() {
        let backend = db.get_database_backend();
        let mut params = Params::new(backend);
        let sql = format!(
            "SELECT CAST(weekday * 24 + hour AS BIGINT) AS cell, CAST(SUM({}) AS BIGINT) AS commits \
             FROM activity_hours WHERE 1 = 1{} GROUP BY weekday, hour",
            range.commits_column(),
            params.scope(range)
        );
        let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, params.values)).await?;
        rows.iter()
            .map(|row| Ok((row.try_get("", "cell")?, row.try_get("", "commits")?)))
            .collect::<Result<_, DbErr>>()?
    } else {
        let (since, until) = bounds(range);
        let mut query = commit::Entity::find()
            .select_only()
            .column_as(Expr::cust("CAST(author_weekday_hour AS BIGINT)"), "cell")
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "commits")
            .filter(commit::Column::CommittedAt.gte(since))
            .filter(commit::Column::CommittedAt.lt(until))
            .filter(range.filters.on_commits())
            .group_by(commit::Column::AuthorWeekdayHour);
        if let Some(id) = range.repository {
            query = query.filter(commit::Column::RepositoryId.eq(id));
        }
        query.into_tuple().all(db).await?
    };
    let mut card = [[0i64; 24]; 7];
    for (cell, commits) in cells {
        let (Ok(dow), Ok(hour)) = (usize::try_from(cell / 24), usize::try_from(cell % 24)) else { continue };
        if dow < 7 {
            // Cells count Sunday as 0; the card starts on Monday.
            card[(dow + 6) % 7][hour] += commits;
        }
    }
    Ok(card)
}
