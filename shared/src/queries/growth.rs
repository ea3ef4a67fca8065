//! How the code grew: lines of code and each language's lines at the end of every month,
//! from the `language_months` summary (GitStats' method: the running sum of lines added
//! minus lines removed; here over every non-merge commit, by commit month).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement};

use crate::{
    entities::language_month,
    error::QueryError,
    queries::{filters::Under, stats::Params},
};

/// One language's lines at the end of each month of [`Growth::months`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// "" when no language is known for the files.
    pub name: String,
    pub lines: Vec<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Growth {
    /// Every month from the first commit's to the last one's, by its first day.
    pub months: Vec<NaiveDate>,
    /// Lines of code at the end of each month.
    pub total: Vec<i64>,
    /// Each language's lines, most lines at the end first.
    pub languages: Vec<Language>,
}

impl Growth {
    /// The lines of code at the end of the last month.
    pub fn now(&self) -> i64 {
        self.total.last().copied().unwrap_or(0)
    }
}

/// The growth of one repository or all, vendored and generated files left out unless
/// `include_vendored`.
pub async fn growth(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    include_vendored: bool,
) -> Result<Growth, QueryError> {
    let mut query = language_month::Entity::find()
        .select_only()
        .column(language_month::Column::Month)
        .column(language_month::Column::Language)
        .column(language_month::Column::Insertions)
        .column(language_month::Column::Deletions);
    if let Some(id) = repository {
        query = query.filter(language_month::Column::RepositoryId.eq(id));
    }
    if !include_vendored {
        query = query.filter(language_month::Column::Vendored.eq(false));
    }
    let rows: Vec<(String, String, i64, i64)> = query.into_tuple().all(db).await?;
    Ok(from_rows(rows))
}

/// The growth of the files under a folder (or of one file), from their own rows.
pub async fn growth_under(
    db: &impl ConnectionTrait,
    under: &Under,
    include_vendored: bool,
) -> Result<Growth, QueryError> {
    let backend = db.get_database_backend();
    let (_, month) = crate::queries::utc_day_and_month(backend, "c.committed_at");
    let mut params = Params::new(backend);
    let mut condition = params.under(under, "p");
    if !include_vendored {
        condition.push_str(&format!(" AND p.vendored = {}", params.push(false)));
    }
    let sql = format!(
        "SELECT {month} AS month, COALESCE(p.language, '') AS language, \
         CAST(COALESCE(SUM(f.insertions), 0) AS BIGINT) AS insertions, \
         CAST(COALESCE(SUM(f.deletions), 0) AS BIGINT) AS deletions \
         FROM commit_files f JOIN paths p ON p.id = f.path_id JOIN commits c ON c.id = f.commit_id \
         WHERE {condition} GROUP BY {month}, COALESCE(p.language, '')"
    );
    let found = db.query_all_raw(Statement::from_sql_and_values(backend, sql, params.values)).await?;
    let mut rows = Vec::with_capacity(found.len());
    for row in found {
        rows.push((
            row.try_get("", "month")?,
            row.try_get("", "language")?,
            row.try_get("", "insertions")?,
            row.try_get("", "deletions")?,
        ));
    }
    Ok(from_rows(rows))
}

/// Months and languages from (month `YYYY-MM`, language, lines added, lines removed) rows.
fn from_rows(rows: Vec<(String, String, i64, i64)>) -> Growth {
    let mut net: BTreeMap<NaiveDate, BTreeMap<String, i64>> = BTreeMap::new();
    for (month, language, insertions, deletions) in rows {
        let Ok(first_day) = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d") else { continue };
        *net.entry(first_day).or_default().entry(language).or_default() += insertions - deletions;
    }
    let (Some(first), Some(last)) = (net.keys().next().copied(), net.keys().next_back().copied()) else {
        return Growth::default();
    };
    let months: Vec<NaiveDate> = std::iter::successors(Some(first), |m| m.checked_add_months(chrono::Months::new(1)))
        .take_while(|m| *m <= last)
        .collect();
    let names: BTreeSet<String> = net.values().flat_map(|m| m.keys().cloned()).collect();
    let mut languages: Vec<Language> = names
        .into_iter()
        .map(|name| {
            let mut running = 0;
            let lines = months
                .iter()
                .map(|month| {
                    running += net.get(month).and_then(|m| m.get(&name)).copied().unwrap_or(0);
                    running
                })
                .collect();
            Language { name, lines }
        })
        .collect();
    let total = (0..months.len()).map(|i| languages.iter().map(|l| l.lines[i]).sum()).collect();
    languages.sort_by(|a, b| b.lines.last().cmp(&a.lines.last()).then_with(|| a.name.cmp(&b.name)));
    Growth { months, total, languages }
}
