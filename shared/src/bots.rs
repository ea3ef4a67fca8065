//! Who counts as a bot: a regular expression tried on an author's name and email
//! (`GITDASH_BOT_PATTERN`). A small value type of the settings layer: configuration reads it,
//! the query layer applies it.

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
