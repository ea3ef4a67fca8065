//! What a view may leave out: merge commits, and bots — authors whose name or email matches
//! the configured pattern (`crate::bots`). Charts and tables leave both out by
//! default, as GitHub's contributor graphs do; every view can take them back in. A view
//! may also be narrowed to a folder or file (`Under`): then it counts only the commits that
//! changed something there, with their lines there.

use std::sync::Arc;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{bots::BotPattern, entities::activity_author, error::QueryError};

/// A folder or file a view is narrowed to, in one repository or in all of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Under {
    pub repository: Option<i64>,
    /// As the index stores paths: no leading or trailing slash.
    pub path: Arc<str>,
}

impl Under {
    /// `None` for an empty path (the whole tree).
    pub fn new(repository: Option<i64>, path: &str) -> Option<Self> {
        crate::queries::files::normal_path(path).map(|path| Self { repository, path: Arc::from(path) })
    }
}

/// What a query leaves out. The default leaves nothing out.
#[derive(Debug, Clone)]
pub struct Filters {
    pub include_merges: bool,
    /// Emails (after .mailmap) of authors left out.
    pub excluded_authors: Arc<[String]>,
    /// Only the commits that changed this folder or file (merges change none).
    pub under: Option<Under>,
}

impl Default for Filters {
    fn default() -> Self {
        Self { include_merges: true, excluded_authors: Arc::from(Vec::new()), under: None }
    }
}

impl Filters {
    /// The condition on the `commits` table: no merges, no excluded authors, as asked.
    pub fn on_commits(&self) -> sea_orm::Condition {
        use crate::entities::commit;
        let mut condition = sea_orm::Condition::all();
        if !self.include_merges {
            condition = condition.add(commit::Column::ParentCount.lte(1));
        }
        if !self.excluded_authors.is_empty() {
            condition = condition.add(commit::Column::AuthorEmail.is_not_in(self.excluded_authors.iter().cloned()));
        }
        if let Some(under) = &self.under {
            let changing = crate::queries::files::commits_changing(under.repository, &under.path);
            condition = condition.add(commit::Column::Id.in_subquery(changing));
        }
        condition
    }
}

/// The emails of the authors in a scope (one repository or all) that `pattern` calls bots.
/// Reads one row per author from the authors summary, never the commits.
pub async fn bot_emails(
    db: &impl ConnectionTrait,
    repository: Option<i64>,
    pattern: &BotPattern,
) -> Result<Vec<String>, QueryError> {
    let mut query = activity_author::Entity::find()
        .select_only()
        .column(activity_author::Column::AuthorEmail)
        .column(activity_author::Column::AuthorName)
        .distinct();
    if let Some(id) = repository {
        query = query.filter(activity_author::Column::RepositoryId.eq(id));
    }
    let authors: Vec<(String, String)> = query.into_tuple().all(db).await?;
    let mut bots: Vec<String> =
        authors.into_iter().filter(|(email, name)| pattern.is_bot(name, email)).map(|(email, _)| email).collect();
    bots.sort();
    bots.dedup();
    Ok(bots)
}
