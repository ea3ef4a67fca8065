//! Highlighted commits: the commits of a range that stand out, each with why — the largest
//! changes, the first commit of each person new in the range, and tagged releases.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    entities::{activity_author, activity_daily, commit},
    error::QueryError,
    queries::activity::Range,
};

/// How many of each kind are looked at; the list shows at most [`MAX_HIGHLIGHTS`].
const PER_KIND: u64 = 5;
const MAX_HIGHLIGHTS: usize = 15;

#[derive(Debug, Clone)]
pub struct Highlight {
    pub commit: commit::Model,
    /// Why it stands out, for people ("largest change: +1200 −30 in 14 files").
    pub reasons: Vec<String>,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The range's days and repository, without its filters.
fn in_days(range: &Range) -> sea_orm::Condition {
    let mut condition = sea_orm::Condition::all()
        .add(commit::Column::CommittedAt.gte(start_of(range.since)))
        .add(commit::Column::CommittedAt.lt(start_of(range.until + Days::new(1))));
    if let Some(id) = range.repository {
        condition = condition.add(commit::Column::RepositoryId.eq(id));
    }
    condition
}

pub async fn highlights(db: &impl ConnectionTrait, range: &Range) -> Result<Vec<Highlight>, QueryError> {
    let mut found: BTreeMap<i64, Highlight> = BTreeMap::new();
    let mut add = |commit: commit::Model, reason: String| {
        found.entry(commit.id).or_insert_with(|| Highlight { commit, reasons: Vec::new() }).reasons.push(reason);
    };

    for c in largest_changes(db, range).await? {
        let reason = format!(
            "largest change: +{} −{} in {} files",
            c.insertions.unwrap_or(0),
            c.deletions.unwrap_or(0),
            c.files_changed.unwrap_or(0)
        );
        add(c, reason);
    }

    // People whose first day (over all time, in this scope) falls in the range, from the
    // authors summary: one row per author and repository.
    let since = range.since.format("%Y-%m-%d").to_string();
    let until = range.until.format("%Y-%m-%d").to_string();
    let first_day = activity_author::Column::FirstDay.min();
    let mut first_days = activity_author::Entity::find()
        .select_only()
        .column(activity_author::Column::AuthorEmail)
        .column_as(first_day.clone(), "first_day")
        .group_by(activity_author::Column::AuthorEmail)
        .having(Condition::all().add(first_day.clone().gte(since)).add(first_day.lte(until)));
    if let Some(id) = range.repository {
        first_days = first_days.filter(activity_author::Column::RepositoryId.eq(id));
    }
    let mut newcomers: Vec<(String, String)> = first_days.into_tuple().all(db).await?;
    newcomers.retain(|(email, _)| !range.filters.excluded_authors.contains(email));
    newcomers.sort_by(|a, b| b.1.cmp(&a.1));
    for (email, _) in newcomers.into_iter().take(PER_KIND as usize) {
        let mut first = commit::Entity::find()
            .filter(commit::Column::AuthorEmail.eq(email.as_str()))
            .filter(range.filters.on_commits());
        if let Some(id) = range.repository {
            first = first.filter(commit::Column::RepositoryId.eq(id));
        }
        if let Some(c) = first.order_by_asc(commit::Column::CommittedAt).one(db).await? {
            let reason = format!("first commit by {}", c.author_name);
            add(c, reason);
        }
    }

    // Tagged commits of the range, newest first, found through the tags' index rather than
    // by listing every tag of the scope.
    let tagged = commit::Entity::find()
        .filter(in_days(range))
        // One lookup in the tags' (repository, sha) index per commit of the range.
        .filter(Expr::cust(
            "EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = commits.repository_id AND t.sha = commits.sha)",
        ))
        .order_by_desc(commit::Column::CommittedAt)
        .limit(PER_KIND * 4)
        .all(db)
        .await?;
    let names = crate::queries::commits::tags_of(db, &tagged).await?;
    for c in tagged {
        if let Some(names) = names.get(&(c.repository_id, c.sha.clone())) {
            let reason = format!("tagged {}", names.join(", "));
            add(c, reason);
        }
    }

    let mut list: Vec<Highlight> = found.into_values().collect();
    list.sort_by(|a, b| b.commit.committed_at.cmp(&a.commit.committed_at).then(b.commit.id.cmp(&a.commit.id)));
    list.truncate(MAX_HIGHLIGHTS);
    Ok(list)
}

fn size(c: &commit::Model) -> i64 {
    c.insertions.unwrap_or(0) + c.deletions.unwrap_or(0)
}

/// The range's largest non-merge commits by lines added and removed, largest first.
///
/// The daily summary keeps each day's and author's largest change, so this reads one row per
/// day and author, then the commits of the few with the largest: each of the range's largest
/// commits is the largest of its day and author, or shares them with a larger one, so it is
/// among those commits.
async fn largest_changes(db: &impl ConnectionTrait, range: &Range) -> Result<Vec<commit::Model>, QueryError> {
    let days: Vec<(i64, String, String)> = activity_daily::Entity::find()
        .select_only()
        .column(activity_daily::Column::RepositoryId)
        .column(activity_daily::Column::Day)
        .column(activity_daily::Column::AuthorEmail)
        .filter(crate::queries::activity::in_range(range))
        .filter(activity_daily::Column::LargestChange.gt(0))
        .order_by_desc(activity_daily::Column::LargestChange)
        .limit(PER_KIND)
        .into_tuple()
        .all(db)
        .await?;
    let mut largest = Vec::new();
    for (repository_id, day, email) in days {
        let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else { continue };
        let commits = commit::Entity::find()
            .filter(commit::Column::RepositoryId.eq(repository_id))
            .filter(commit::Column::AuthorEmail.eq(email))
            .filter(commit::Column::CommittedAt.gte(start_of(day)))
            .filter(commit::Column::CommittedAt.lt(start_of(day + Days::new(1))))
            .filter(range.filters.on_commits())
            .filter(Expr::cust("COALESCE(insertions, 0) + COALESCE(deletions, 0) > 0"))
            .order_by_desc(Expr::cust("COALESCE(insertions, 0) + COALESCE(deletions, 0)"))
            .limit(PER_KIND)
            .all(db)
            .await?;
        largest.extend(commits);
    }
    largest.sort_by(|a, b| size(b).cmp(&size(a)).then(b.committed_at.cmp(&a.committed_at)).then(b.id.cmp(&a.id)));
    largest.truncate(PER_KIND as usize);
    Ok(largest)
}
