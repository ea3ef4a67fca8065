//! A scope's daily summary (`activity_daily`: one row per day, repository and author) held in
//! memory, oldest day first. Read once per version of the scope (see `aggregates`), it
//! answers every range's chart, totals, committers, committers per month and largest-change
//! candidates by walking that range's rows: a few thousand for a year of a busy repository,
//! tens of microseconds, where the same sums in SQL cost milliseconds per query and tens of
//! milliseconds over a whole history.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement};

use crate::{
    entities::activity_daily,
    error::QueryError,
    queries::{
        activity::{Committer, Point, Range, Totals},
        filters::Under,
    },
};

#[derive(Debug, Clone, Copy)]
struct Row {
    day: NaiveDate,
    repository: i64,
    /// Index into `Daily::emails`.
    author: u32,
    /// Index into `Daily::names`.
    name: u32,
    commits: i64,
    merges: i64,
    insertions: i64,
    deletions: i64,
    largest_change: i64,
}

#[derive(Debug, Default)]
pub struct Daily {
    rows: Vec<Row>,
    emails: Vec<String>,
    names: Vec<String>,
}

/// One of the range's largest changes is the largest of this day, repository and author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargestDay {
    pub repository: i64,
    pub day: NaiveDate,
    pub email: String,
}

/// (repository, day, email, name, commits, merges, insertions, deletions, largest change)
type Record = (i64, String, String, String, i64, i64, i64, i64, i64);

impl Daily {
    /// The summary of one repository, or of all of them.
    pub async fn load(db: &impl ConnectionTrait, repository: Option<i64>) -> Result<Self, QueryError> {
        let mut query = activity_daily::Entity::find()
            .select_only()
            .columns([
                activity_daily::Column::RepositoryId,
                activity_daily::Column::Day,
                activity_daily::Column::AuthorEmail,
                activity_daily::Column::AuthorName,
                activity_daily::Column::Commits,
                activity_daily::Column::Merges,
                activity_daily::Column::Insertions,
                activity_daily::Column::Deletions,
                activity_daily::Column::LargestChange,
            ])
            .order_by_asc(activity_daily::Column::Day);
        if let Some(id) = repository {
            query = query.filter(activity_daily::Column::RepositoryId.eq(id));
        }
        let records: Vec<Record> = query.into_tuple().all(db).await?;
        Ok(Self::from_records(records))
    }

    /// The same summary for the commits that changed something under a folder or file,
    /// counting their lines there, from the file rows under it: as many rows as that part of
    /// the tree has file changes, not the whole history's. Merges change no file here.
    pub async fn load_under(db: &impl ConnectionTrait, under: &Under) -> Result<Self, QueryError> {
        let backend = db.get_database_backend();
        let (day, _) = crate::queries::utc_day_and_month(backend, "c.committed_at");
        let mut params = crate::queries::stats::Params::new(backend);
        let condition = params.under(under, "p");
        let sql = format!(
            "SELECT c.repository_id AS repository_id, {day} AS day, c.author_email AS email, \
             MAX(c.author_name) AS name, CAST(COUNT(*) AS BIGINT) AS commits, \
             CAST(SUM(x.ins) AS BIGINT) AS insertions, CAST(SUM(x.del) AS BIGINT) AS deletions, \
             CAST(MAX(x.ins + x.del) AS BIGINT) AS largest \
             FROM (SELECT f.commit_id AS commit_id, COALESCE(SUM(f.insertions), 0) AS ins, \
             COALESCE(SUM(f.deletions), 0) AS del FROM commit_files f JOIN paths p ON p.id = f.path_id \
             WHERE {condition} \
             GROUP BY f.commit_id) x JOIN commits c ON c.id = x.commit_id \
             GROUP BY c.repository_id, {day}, c.author_email ORDER BY day"
        );
        let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, params.values)).await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            records.push((
                row.try_get("", "repository_id")?,
                row.try_get("", "day")?,
                row.try_get("", "email")?,
                row.try_get("", "name")?,
                row.try_get("", "commits")?,
                0,
                row.try_get("", "insertions")?,
                row.try_get("", "deletions")?,
                row.try_get("", "largest")?,
            ));
        }
        Ok(Self::from_records(records))
    }

    /// Rows read in day order.
    fn from_records(records: Vec<Record>) -> Self {
        let mut daily = Daily { rows: Vec::with_capacity(records.len()), ..Daily::default() };
        let mut emails = Interner::default();
        let mut names = Interner::default();
        for (repository, day, email, name, commits, merges, insertions, deletions, largest_change) in records {
            let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else { continue };
            daily.rows.push(Row {
                day,
                repository,
                author: emails.index(email),
                name: names.index(name),
                commits,
                merges,
                insertions,
                deletions,
                largest_change,
            });
        }
        daily.emails = emails.values;
        daily.names = names.values;
        daily
    }

    /// The first and last day with a commit.
    pub fn first_and_last_day(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.rows.first()?.day, self.rows.last()?.day))
    }

    /// Whether the range covers every day with a commit.
    pub fn spans_whole_history(&self, range: &Range) -> bool {
        self.first_and_last_day().is_some_and(|(first, last)| range.since <= first && range.until >= last)
    }

    /// The range's rows under its filters (merges counted apart; authors left out).
    fn in_range<'a>(&'a self, range: &'a Range) -> impl Iterator<Item = (&'a Row, i64)> + 'a {
        let start = self.rows.partition_point(|r| r.day < range.since);
        let end = self.rows.partition_point(|r| r.day <= range.until);
        let excluded: Vec<bool> =
            self.emails.iter().map(|email| range.filters.excluded_authors.contains(email)).collect();
        let include_merges = range.filters.include_merges;
        self.rows[start..end.max(start)].iter().filter_map(move |row| {
            let commits = if include_merges { row.commits } else { row.commits - row.merges };
            // A day on which someone only merged is no activity of theirs.
            (commits > 0 && !excluded[row.author as usize]).then_some((row, commits))
        })
    }

    /// The range's days that have commits, oldest first: one point per day.
    pub fn days(&self, range: &Range) -> Vec<Point> {
        let mut points: Vec<Point> = Vec::new();
        for (row, commits) in self.in_range(range) {
            match points.last_mut() {
                Some(point) if point.start == Some(row.day) => {
                    point.commits += commits;
                    point.insertions += row.insertions;
                    point.deletions += row.deletions;
                }
                _ => points.push(Point {
                    start: Some(row.day),
                    commits,
                    insertions: row.insertions,
                    deletions: row.deletions,
                }),
            }
        }
        points
    }

    pub fn totals(&self, range: &Range) -> Totals {
        let mut seen = vec![false; self.emails.len()];
        let mut totals = Totals::default();
        for (row, commits) in self.in_range(range) {
            totals.commits += commits;
            totals.insertions += row.insertions;
            totals.deletions += row.deletions;
            if !std::mem::replace(&mut seen[row.author as usize], true) {
                totals.committers += 1;
            }
        }
        totals
    }

    /// Everyone who committed in the range, in the order they first did.
    pub fn committers(&self, range: &Range) -> Vec<Committer> {
        struct Person {
            name: u32,
            commits: i64,
            insertions: i64,
            deletions: i64,
            first_day: NaiveDate,
            last_day: NaiveDate,
            active_days: i64,
        }
        let mut people: HashMap<u32, Person> = HashMap::new();
        let mut order = Vec::new();
        for (row, commits) in self.in_range(range) {
            let person = people.entry(row.author).or_insert_with(|| {
                order.push(row.author);
                Person {
                    name: row.name,
                    commits: 0,
                    insertions: 0,
                    deletions: 0,
                    first_day: row.day,
                    last_day: row.day,
                    active_days: 1,
                }
            });
            person.commits += commits;
            person.insertions += row.insertions;
            person.deletions += row.deletions;
            // Rows come day by day: a later day is a new active day (the same day in another
            // repository is not).
            if row.day > person.last_day {
                person.last_day = row.day;
                person.active_days += 1;
            }
            // The same name SQL's MAX(author_name) would pick.
            if self.names[row.name as usize] > self.names[person.name as usize] {
                person.name = row.name;
            }
        }
        order
            .into_iter()
            .filter_map(|author| {
                let person = people.remove(&author)?;
                Some(Committer {
                    email: self.emails[author as usize].clone(),
                    name: self.names[person.name as usize].clone(),
                    commits: person.commits,
                    insertions: person.insertions,
                    deletions: person.deletions,
                    first_day: person.first_day.format("%Y-%m-%d").to_string(),
                    last_day: person.last_day.format("%Y-%m-%d").to_string(),
                    active_days: person.active_days,
                    co_authored: 0,
                })
            })
            .collect()
    }

    /// Distinct committers per month (`YYYY-MM`) with any, oldest first.
    pub fn committers_per_month(&self, range: &Range) -> Vec<(String, i64)> {
        // The month (year * 12 + month) in which each author was last counted.
        let mut counted_in = vec![i32::MIN; self.emails.len()];
        let mut months: Vec<(i32, i64)> = Vec::new();
        for (row, _) in self.in_range(range) {
            let month = row.day.year() * 12 + row.day.month0() as i32;
            if months.last().is_none_or(|(m, _)| *m != month) {
                months.push((month, 0));
            }
            if std::mem::replace(&mut counted_in[row.author as usize], month) != month
                && let Some((_, people)) = months.last_mut()
            {
                *people += 1;
            }
        }
        months
            .into_iter()
            .map(|(month, people)| (format!("{:04}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1), people))
            .collect()
    }

    /// Each of `emails`' commits in the range, counted in `slices` equal spans of days
    /// (oldest first): the small activity chart of a committer's row.
    pub fn activity_of(&self, range: &Range, emails: &[&str], slices: usize) -> Vec<Vec<i64>> {
        let slices = slices.max(1);
        let wanted: HashMap<u32, usize> = emails
            .iter()
            .enumerate()
            .filter_map(|(i, email)| Some((self.emails.iter().position(|known| known == email)? as u32, i)))
            .collect();
        let days = ((range.until - range.since).num_days() + 1).max(1) as usize;
        let mut counts = vec![vec![0; slices]; emails.len()];
        for (row, commits) in self.in_range(range) {
            if let Some(&person) = wanted.get(&row.author) {
                let day = (row.day - range.since).num_days().max(0) as usize;
                counts[person][(day * slices / days).min(slices - 1)] += commits;
            }
        }
        counts
    }

    /// The `n` days, repositories and authors of the range with the largest single changes,
    /// largest first (the newer first among equals).
    pub fn largest_days(&self, range: &Range, n: usize) -> Vec<LargestDay> {
        let mut rows: Vec<&Row> = self.in_range(range).map(|(row, _)| row).filter(|r| r.largest_change > 0).collect();
        rows.sort_by(|a, b| b.largest_change.cmp(&a.largest_change).then(b.day.cmp(&a.day)));
        rows.truncate(n);
        rows.into_iter()
            .map(|row| LargestDay {
                repository: row.repository,
                day: row.day,
                email: self.emails[row.author as usize].clone(),
            })
            .collect()
    }
}

/// Numbers each distinct string once.
#[derive(Default)]
struct Interner {
    values: Vec<String>,
    indexes: HashMap<String, u32>,
}

impl Interner {
    fn index(&mut self, value: String) -> u32 {
        if let Some(&index) = self.indexes.get(&value) {
            return index;
        }
        let index = self.values.len() as u32;
        self.indexes.insert(value.clone(), index);
        self.values.push(value);
        index
    }
}
