//! What a dashboard page shows, read from its URL and written back into its links, so that
//! every view can be shared: the repository, the range (a preset or two dates) and what is
//! left out (merges and bots unless `merges=include` / `bots=include`).

use chrono::{Days, NaiveDate, Utc};
use gitdash_shared::{
    QueryError,
    queries::{activity, filters::Filters, repositories},
};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

/// The presets of the range picker; dates given in the URL override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeChoice {
    Week,
    Days30,
    Months12,
    All,
}

impl RangeChoice {
    pub const ALL: [RangeChoice; 4] = [Self::Week, Self::Days30, Self::Months12, Self::All];

    fn parse(text: &str) -> Option<Self> {
        match text {
            "week" => Some(Self::Week),
            "30d" => Some(Self::Days30),
            "12m" => Some(Self::Months12),
            "all" => Some(Self::All),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Days30 => "30d",
            Self::Months12 => "12m",
            Self::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Week => "This week",
            Self::Days30 => "30 days",
            Self::Months12 => "12 months",
            Self::All => "All time",
        }
    }
}

/// The query string of a page, as given. Anything unreadable falls back to the default.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct ViewParams {
    pub repository: Option<String>,
    pub range: Option<String>,
    /// `YYYY-MM-DD`; with `until`, replaces the preset.
    pub since: Option<String>,
    pub until: Option<String>,
    /// `include` to count merge commits.
    pub merges: Option<String>,
    /// `include` to count authors matching the bot pattern.
    pub bots: Option<String>,
}

/// A resolved view: the repository exists, the dates are in order.
#[derive(Debug, Clone)]
pub struct View {
    pub repository: Option<i64>,
    /// Every repository's id and name, for the picker and for naming the scope.
    pub names: Vec<(i64, String)>,
    /// `None` when the dates came from the URL.
    pub preset: Option<RangeChoice>,
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub include_merges: bool,
    pub include_bots: bool,
}

fn date(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?.trim(), "%Y-%m-%d").ok()
}

impl ViewParams {
    pub fn repository_id(&self) -> Option<i64> {
        self.repository.as_deref().and_then(|r| r.trim().parse().ok())
    }

    /// Resolves the view against the database: an unknown repository means all of them;
    /// "all time" starts at the scope's first commit.
    pub async fn resolve(&self, db: &DatabaseConnection, default: RangeChoice) -> Result<View, QueryError> {
        // Names only, no commit counts: every dashboard page reads them.
        let names = repositories::names(db).await?;
        let repository = self.repository_id().filter(|id| names.iter().any(|(known, _)| known == id));
        let today = Utc::now().date_naive();
        let custom = (date(self.since.as_deref()), date(self.until.as_deref()));
        let (preset, since, until) = match custom {
            (Some(since), until) if since <= until.unwrap_or(today) => (None, since, until.unwrap_or(today)),
            (None, Some(until)) => (None, until - Days::new(29), until),
            _ => {
                let preset = self.range.as_deref().and_then(RangeChoice::parse).unwrap_or(default);
                let since = match preset {
                    RangeChoice::Week => today - Days::new(6),
                    RangeChoice::Days30 => today - Days::new(29),
                    RangeChoice::Months12 => today - Days::new(364),
                    RangeChoice::All => activity::first_day(db, repository).await?.unwrap_or(today),
                };
                (Some(preset), since, today)
            }
        };
        Ok(View {
            repository,
            names,
            preset,
            since,
            until,
            include_merges: self.merges.as_deref() == Some("include"),
            include_bots: self.bots.as_deref() == Some("include"),
        })
    }
}

impl View {
    /// The range to query, with the bots of its scope found by the configured pattern.
    pub async fn range(
        &self,
        db: &DatabaseConnection,
        aggregates: &gitdash_shared::queries::aggregates::Aggregates,
    ) -> Result<activity::Range, QueryError> {
        let filters = Filters::choose(db, self.repository, self.include_merges, self.include_bots, aggregates).await?;
        Ok(activity::Range::new(self.repository, self.since, self.until).with(filters))
    }

    /// The view's parameters, with `preset` in place of its range when given.
    pub fn pairs(&self, preset: Option<RangeChoice>) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(id) = self.repository {
            pairs.push(("repository", id.to_string()));
        }
        match preset.or(self.preset) {
            Some(preset) => pairs.push(("range", preset.key().to_owned())),
            None => {
                pairs.push(("since", self.since.to_string()));
                pairs.push(("until", self.until.to_string()));
            }
        }
        if self.include_merges {
            pairs.push(("merges", "include".to_owned()));
        }
        if self.include_bots {
            pairs.push(("bots", "include".to_owned()));
        }
        pairs
    }

    /// The view's query string (without `?`), with `preset` in place of its range when given.
    pub fn query(&self, preset: Option<RangeChoice>) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.extend_pairs(self.pairs(preset));
        url.finish()
    }

    /// The name of repository `id`, if it exists.
    pub fn name_of(&self, id: i64) -> Option<String> {
        self.names.iter().find(|(known, _)| *known == id).map(|(_, name)| name.clone())
    }

    /// The chosen repository's name; `None` for all repositories.
    pub fn scope(&self) -> Option<String> {
        self.repository.and_then(|id| self.name_of(id))
    }

    /// What a page's filter bar shows.
    pub fn form(&self, path: &'static str) -> FilterForm {
        FilterForm {
            path,
            repositories: self
                .names
                .iter()
                .map(|(id, name)| RepositoryOption {
                    selected: Some(*id) == self.repository,
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
            presets: RangeChoice::ALL
                .iter()
                .map(|&choice| PresetLink {
                    href: format!("{path}?{}", self.query(Some(choice))),
                    label: choice.label(),
                    current: self.preset == Some(choice),
                })
                .collect(),
            since: self.since.to_string(),
            until: self.until.to_string(),
            include_merges: self.include_merges,
            include_bots: self.include_bots,
            carry: Vec::new(),
        }
    }
}

pub struct RepositoryOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct PresetLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// The filter bar (`templates/filters.html`): repository, range presets, dates, merges, bots.
pub struct FilterForm {
    pub path: &'static str,
    pub repositories: Vec<RepositoryOption>,
    pub presets: Vec<PresetLink>,
    pub since: String,
    pub until: String,
    pub include_merges: bool,
    pub include_bots: bool,
    /// Other parameters of the page the form keeps (a search, a sort order).
    pub carry: Vec<(&'static str, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(preset: Option<RangeChoice>) -> View {
        View {
            repository: Some(3),
            names: vec![(3, "flask".into())],
            preset,
            since: NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
            until: NaiveDate::from_ymd_opt(2024, 3, 31).expect("date"),
            include_merges: true,
            include_bots: false,
        }
    }

    #[test]
    fn a_view_with_dates_shares_its_dates_and_filters() {
        assert_eq!(view(None).query(None), "repository=3&since=2024-01-01&until=2024-03-31&merges=include");
    }

    #[test]
    fn a_preset_link_replaces_the_dates_and_keeps_the_rest() {
        assert_eq!(view(None).query(Some(RangeChoice::All)), "repository=3&range=all&merges=include");
    }
}
