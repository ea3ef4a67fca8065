//! Highlighted commits: the commits of a range that stand out, each with why — the largest
//! changes, the first commit of each person new in the range, and tagged releases.

use std::collections::BTreeMap;

use chrono::Days;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    entities::{activity_author, commit, tag},
    error::QueryError,
    numbers::grouped,
    queries::start_of,
    queries::{
        activity::Range,
        daily::{Daily, LargestDay},
    },
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

/// `daily` is the scope's daily summary, which finds the largest changes' days.
pub async fn highlights(db: &impl ConnectionTrait, range: &Range, daily: &Daily) -> Result<Vec<Highlight>, QueryError> {
    let mut found: BTreeMap<i64, Highlight> = BTreeMap::new();
    let mut add = |commit: commit::Model, reason: String| {
        found.entry(commit.id).or_insert_with(|| Highlight { commit, reasons: Vec::new() }).reasons.push(reason);
    };

    for c in largest_changes(db, range, daily).await? {
        let mut reason = format!(
            "largest change: +{} −{} in {} {}",
            grouped(c.insertions.unwrap_or(0)),
            grouped(c.deletions.unwrap_or(0)),
            grouped(c.files_changed.unwrap_or(0).into()),
            if c.files_changed == Some(1) { "file" } else { "files" }
        );
        if let Some(generated) = c.generated_lines.filter(|&lines| lines > 0) {
            reason.push_str(&format!(" ({} of these lines in generated files, not counted)", grouped(generated)));
        }
        add(c, reason);
    }

    // People whose first day (over all time, in this scope) falls in the range.
    for (email, _) in newcomers(db, range).await? {
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

    // Tagged commits of the range, newest first, from the tags' own index of their commits'
    // times: a range without releases costs one seek, however many commits it holds.
    let mut tags = tag::Entity::find()
        .select_only()
        .column(tag::Column::RepositoryId)
        .column(tag::Column::Sha)
        .filter(tag::Column::CommittedAt.gte(start_of(range.since)))
        .filter(tag::Column::CommittedAt.lt(start_of(range.until + Days::new(1))));
    if let Some(id) = range.repository {
        tags = tags.filter(tag::Column::RepositoryId.eq(id));
    }
    let tagged: Vec<(i64, String)> =
        tags.order_by_desc(tag::Column::CommittedAt).limit(PER_KIND * 4).into_tuple().all(db).await?;
    // By sha, which the commits' (repository, sha) index finds; a sha shared by two
    // repositories' tags is kept only where it was tagged.
    let repositories: Vec<i64> = tagged.iter().map(|(id, _)| *id).collect();
    let mut tagged_commits = Vec::new();
    if !tagged.is_empty() {
        tagged_commits = commit::Entity::find()
            .filter(commit::Column::RepositoryId.is_in(repositories))
            .filter(commit::Column::Sha.is_in(tagged.iter().map(|(_, sha)| sha.clone())))
            .all(db)
            .await?;
        tagged_commits.retain(|c| tagged.iter().any(|(id, sha)| *id == c.repository_id && *sha == c.sha));
    }
    let tagged = tagged_commits;
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

/// The last [`PER_KIND`] of the scope's authors whose first day falls in the range, with that
/// day, newest first, leaving out the range's excluded authors. One repository's are a range
/// of its authors' first-day index; across repositories a person's first day is the
/// earliest of theirs.
async fn newcomers(db: &impl ConnectionTrait, range: &Range) -> Result<Vec<(String, String)>, QueryError> {
    let since = range.since.format("%Y-%m-%d").to_string();
    let until = range.until.format("%Y-%m-%d").to_string();
    let query = activity_author::Entity::find().select_only().column(activity_author::Column::AuthorEmail);
    let query = match range.repository {
        Some(id) => query
            .column(activity_author::Column::FirstDay)
            .filter(activity_author::Column::RepositoryId.eq(id))
            .filter(activity_author::Column::FirstDay.between(since, until)),
        None => {
            let first_day = activity_author::Column::FirstDay.min();
            query
                .column_as(first_day.clone(), "first_day")
                .group_by(activity_author::Column::AuthorEmail)
                .having(Condition::all().add(first_day.clone().gte(since)).add(first_day.lte(until)))
        }
    };
    let excluded = range.filters.excluded_authors.iter().cloned();
    Ok(query
        .filter(activity_author::Column::AuthorEmail.is_not_in(excluded))
        .order_by_desc(Expr::col("first_day"))
        .order_by_asc(activity_author::Column::AuthorEmail)
        .limit(PER_KIND)
        .into_tuple()
        .all(db)
        .await?)
}

/// A commit's size as its lines added and removed, less those in generated paths (lock
/// files, bundles, vendored code), in SQL: an update of dependencies is not a large change.
pub(crate) const WRITTEN_LINES: &str =
    "(COALESCE(insertions, 0) + COALESCE(deletions, 0) - COALESCE(generated_lines, 0))";

fn size(c: &commit::Model) -> i64 {
    c.insertions.unwrap_or(0) + c.deletions.unwrap_or(0) - c.generated_lines.unwrap_or(0)
}

/// The range's largest non-merge commits by lines added and removed, largest first.
///
/// The daily summary keeps each day's and author's largest change, so this reads one row per
/// day and author, then the commits of the few with the largest: each of the range's largest
/// commits is the largest of its day and author, or shares them with a larger one, so it is
/// among those commits.
async fn largest_changes(
    db: &impl ConnectionTrait,
    range: &Range,
    daily: &Daily,
) -> Result<Vec<commit::Model>, QueryError> {
    let mut largest = Vec::new();
    for LargestDay { repository: repository_id, day, email } in daily.largest_days(range, PER_KIND as usize) {
        let commits = commit::Entity::find()
            .filter(commit::Column::RepositoryId.eq(repository_id))
            .filter(commit::Column::AuthorEmail.eq(email))
            .filter(commit::Column::CommittedAt.gte(start_of(day)))
            .filter(commit::Column::CommittedAt.lt(start_of(day + Days::new(1))))
            .filter(range.filters.on_commits())
            .filter(Expr::cust(format!("{WRITTEN_LINES} > 0")))
            .order_by_desc(Expr::cust(WRITTEN_LINES))
            .limit(PER_KIND)
            .all(db)
            .await?;
        largest.extend(commits);
    }
    largest.sort_by(|a, b| size(b).cmp(&size(a)).then(b.committed_at.cmp(&a.committed_at)).then(b.id.cmp(&a.id)));
    largest.truncate(PER_KIND as usize);
    Ok(largest)
}
