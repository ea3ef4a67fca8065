//! What a view may leave out: merge commits, and bots — authors whose name or email matches
//! a configurable pattern (`GITDASH_BOT_PATTERN`). Charts and tables leave both out by
//! default, as GitHub's contributor graphs do; every view can take them back in.

use std::sync::Arc;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{entities::activity_author, error::QueryError};

/// Names ending in `[bot]` (GitHub Apps) and the accounts of common CI and dependency tools.
pub const DEFAULT_BOT_PATTERN: &str = r"(?i)\[bot\]$|^(dependabot|renovate|renovate-bot|greenkeeper|snyk-bot|github-actions|github-action|travis[ -]?ci|jenkins|gitlab-ci|semantic-release-bot|pre-commit-ci|codecov|mergify|imgbot|allcontributors|weblate|bors|homu)\b|\[bot\]@users\.noreply\.github\.com$";

/// The compiled pattern bots are recognised by, tried on an author's name and on their email.
#[derive(Debug, Clone)]
pub struct BotPattern(regex::Regex);

impl BotPattern {
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        regex::RegexBuilder::new(pattern).size_limit(1 << 20).build().map(Self)
    }

    pub fn is_bot(&self, name: &str, email: &str) -> bool {
        self.0.is_match(name) || self.0.is_match(email)
    }
}

impl Default for BotPattern {
    fn default() -> Self {
        Self::new(DEFAULT_BOT_PATTERN).expect("the default bot pattern compiles")
    }
}

/// What a query leaves out. The default leaves nothing out.
#[derive(Debug, Clone)]
pub struct Filters {
    pub include_merges: bool,
    /// Emails (after .mailmap) of authors left out.
    pub excluded_authors: Arc<[String]>,
}

impl Default for Filters {
    fn default() -> Self {
        Self { include_merges: true, excluded_authors: Arc::from(Vec::new()) }
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
        condition
    }

    /// The filters a person asked for: bots are the scope's authors the pattern matches.
    pub async fn choose(
        db: &impl ConnectionTrait,
        repository: Option<i64>,
        include_merges: bool,
        include_bots: bool,
        aggregates: &crate::queries::aggregates::Aggregates,
    ) -> Result<Self, QueryError> {
        let excluded_authors =
            if include_bots { Arc::from(Vec::new()) } else { aggregates.bots(db, repository).await? };
        Ok(Self { include_merges, excluded_authors })
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

#[cfg(test)]
mod tests {
    use super::BotPattern;

    #[test]
    fn the_default_pattern_knows_app_bots_and_ci_accounts_but_not_people() {
        let bots = BotPattern::default();
        assert!(bots.is_bot("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"));
        assert!(bots.is_bot("renovate[bot]", "bot@renovateapp.com"));
        assert!(bots.is_bot("github-actions", "41898282+github-actions[bot]@users.noreply.github.com"));
        assert!(bots.is_bot("Travis CI", "travis@example.org"));
        assert!(bots.is_bot("Jenkins", "jenkins@ci.example.org"));
        assert!(!bots.is_bot("Abbot Robertson", "abbot@example.org"));
        assert!(!bots.is_bot("Jenkinson Smith", "j.smith@example.org"));
        assert!(!bots.is_bot("Ada Lovelace", "ada@example.org"));
    }
}
