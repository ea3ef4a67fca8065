//! Change coupling: pairs of files of the head tree that keep changing in the same commits,
//! from the `file_pairs` summary (all history; commits of more than
//! [`COUPLED_FILES`](crate::queries::summaries::COUPLED_FILES) files left out). A pair counts
//! when it shares at least [`MIN_SHARED`] commits and those are at least [`MIN_SHARE`] of
//! either file's commits.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    entities::{file_pair, path},
    error::QueryError,
};

pub const MIN_SHARED: i64 = 5;
pub const MIN_SHARE: f64 = 0.3;

/// Two files that change together.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub file: String,
    pub other: String,
    /// Commits that changed both.
    pub commits: i64,
    /// Each file's own commits (of at most 30 files).
    pub file_commits: i64,
    pub other_commits: i64,
}

impl Pair {
    /// The shared commits as a part of the less often changed file's commits, 0 to 1.
    pub fn strength(&self) -> f64 {
        self.commits as f64 / Ord::max(Ord::min(self.file_commits, self.other_commits), 1) as f64
    }
}

/// Every coupled pair of one repository or all, each once (its files in name order);
/// vendored and generated files left out unless `include_vendored`. One read of the
/// summary, which [`select`] then narrows to a path.
pub async fn coupled(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    include_vendored: bool,
) -> Result<Vec<Pair>, QueryError> {
    let mut rows = file_pair::Entity::find()
        .select_only()
        .column(file_pair::Column::PathA)
        .column(file_pair::Column::PathB)
        .column(file_pair::Column::Commits)
        .filter(
            sea_orm::Condition::any()
                .add(file_pair::Column::Commits.gte(MIN_SHARED))
                .add(Expr::col(file_pair::Column::PathA).equals(file_pair::Column::PathB)),
        );
    if let Some(id) = repository {
        rows = rows.filter(file_pair::Column::RepositoryId.eq(id));
    }
    let rows: Vec<(i64, i64, i64)> = rows.into_tuple().all(db).await?;
    let own: HashMap<i64, i64> = rows.iter().filter(|(a, b, _)| a == b).map(|(a, _, n)| (*a, *n)).collect();

    let mut files = path::Entity::find()
        .select_only()
        .column(path::Column::Id)
        .column(path::Column::Path)
        .filter(path::Column::InHead.eq(true));
    if let Some(id) = repository {
        files = files.filter(path::Column::RepositoryId.eq(id));
    }
    if !include_vendored {
        files = files.filter(path::Column::Vendored.eq(false));
    }
    let names: HashMap<i64, String> = files.into_tuple::<(i64, String)>().all(db).await?.into_iter().collect();
    Ok(rows
        .iter()
        .filter(|(a, b, _)| a != b)
        .filter_map(|&(a, b, commits)| {
            let (name_a, name_b) = (names.get(&a)?, names.get(&b)?);
            let (own_a, own_b) = (own.get(&a).copied().unwrap_or(commits), own.get(&b).copied().unwrap_or(commits));
            let (file, other, file_commits, other_commits) =
                if name_a <= name_b { (name_a, name_b, own_a, own_b) } else { (name_b, name_a, own_b, own_a) };
            let pair = Pair { file: file.clone(), other: other.clone(), commits, file_commits, other_commits };
            (pair.strength() >= MIN_SHARE).then_some(pair)
        })
        .collect())
}

/// The pairs of `coupled` with at least one file at `path` or under it (`None`: all),
/// that file first (of two inside, the first by name), strongest first, at most `limit`.
pub fn select(coupled: &[Pair], path: Option<&str>, limit: usize) -> Vec<Pair> {
    let inside = |p: &str| path.is_none_or(|f| p == f || p.strip_prefix(f).is_some_and(|rest| rest.starts_with('/')));
    let mut found: Vec<Pair> = coupled
        .iter()
        .filter_map(|pair| match (inside(&pair.file), inside(&pair.other)) {
            (true, _) => Some(pair.clone()),
            (false, true) => Some(Pair {
                file: pair.other.clone(),
                other: pair.file.clone(),
                commits: pair.commits,
                file_commits: pair.other_commits,
                other_commits: pair.file_commits,
            }),
            (false, false) => None,
        })
        .collect();
    found.sort_by(|x, y| {
        y.strength()
            .total_cmp(&x.strength())
            .then(y.commits.cmp(&x.commits))
            .then_with(|| (&x.file, &x.other).cmp(&(&y.file, &y.other)))
    });
    found.truncate(limit);
    found
}
