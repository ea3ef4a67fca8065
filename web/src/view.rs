//! What a dashboard view shows, resolved once for pages and API alike: the scope (one
//! repository or all), the days (a preset or two dates) and what is left out (merges and
//! bots unless asked for), with the chart periods that follow from its length. Pages read it
//! from their URL ([`ViewParams`]) and write it back into their links; the API builds it
//! from its parameters ([`ViewRequest`]).

use chrono::{Days, NaiveDate, Utc};
use gitdash_shared::{
    QueryError,
    queries::{activity, filters::Under, repositories},
};

use crate::state::AppState;

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

    /// The preset's span in a sentence: "Nothing in the last 30 days".
    fn span_words(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Days30 => "30 days",
            Self::Months12 => "12 months",
            Self::All => "years",
        }
    }

    /// Days before the last one that the preset covers; `None` for all time.
    fn days_before(self) -> Option<u64> {
        match self {
            Self::Week => Some(6),
            Self::Days30 => Some(29),
            Self::Months12 => Some(364),
            Self::All => None,
        }
    }
}

/// A page's query string, as given. Anything unreadable falls back to the default.
#[derive(Debug, serde::Deserialize, Default, Clone)]
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
    /// A folder or file: only the commits that changed something there.
    pub path: Option<String>,
}

fn date(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?.trim(), "%Y-%m-%d").ok()
}

impl ViewParams {
    pub fn repository_id(&self) -> Option<i64> {
        self.repository.as_deref().and_then(|r| r.trim().parse().ok())
    }

    /// What the page asked for; dates in the wrong order are ignored, as unreadable ones are.
    pub fn request(&self) -> ViewRequest {
        let (mut since, until) = (date(self.since.as_deref()), date(self.until.as_deref()));
        if since.is_some_and(|since| since > until.unwrap_or_else(today)) {
            since = None;
        }
        ViewRequest {
            repository: self.repository_id(),
            preset: self.range.as_deref().and_then(RangeChoice::parse),
            since,
            until,
            include_merges: self.merges.as_deref() == Some("include"),
            include_bots: self.bots.as_deref() == Some("include"),
            path: self.path.clone(),
            prefer_range_with_data: true,
        }
    }

    pub async fn resolve(&self, state: &AppState, default: RangeChoice) -> Result<View, QueryError> {
        self.request().resolve(state, default).await
    }
}

/// A view as asked for, before it is checked against the database.
#[derive(Debug, Clone, Default)]
pub struct ViewRequest {
    pub repository: Option<i64>,
    pub preset: Option<RangeChoice>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub include_merges: bool,
    pub include_bots: bool,
    /// A folder or file the view is narrowed to.
    pub path: Option<String>,
    /// A page's first view (nothing chosen) of a scope whose last commit is older than the
    /// default range shows the 12 months up to that commit instead, and says so. The API
    /// answers exactly what it is asked.
    pub prefer_range_with_data: bool,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The first day on which a commit still counts as recent activity, `days` before today:
/// a main author quiet since before it puts their knowledge at risk.
pub fn active_since(days: usize) -> NaiveDate {
    today() - chrono::Days::new(days as u64)
}

impl ViewRequest {
    /// Resolves the view: an unknown repository means all of them; a start date gives the
    /// range up to the end date (or today); an end date alone, the preset's length up to
    /// it; "all time" starts at the scope's first commit. Bots are found once, here.
    pub async fn resolve(&self, state: &AppState, default: RangeChoice) -> Result<View, QueryError> {
        let db = &state.db;
        // Names only, no commit counts: every dashboard page reads them.
        let names = repositories::names(db).await?;
        let repository = self.repository.filter(|id| names.iter().any(|(known, _)| known == id));
        let mut preset = self.preset.unwrap_or(default);
        let mut until = self.until.unwrap_or_else(today);
        let mut note = None;
        // A first visit (nothing chosen) to a scope whose last commit is older than the
        // default range would show nothing: show the 12 months up to that commit instead,
        // and say so.
        let untouched =
            self.prefer_range_with_data && self.preset.is_none() && self.since.is_none() && self.until.is_none();
        if let (true, Some(days)) = (untouched, default.days_before())
            && let Some(last) = activity::last_day(db, repository).await?.filter(|&last| last < until - Days::new(days))
        {
            note = Some(format!(
                "Nothing in the last {}; showing the 12 months up to the latest commit, on {last}.",
                default.span_words()
            ));
            (preset, until) = (RangeChoice::Months12, last);
        }
        let (preset, since) = match self.since {
            Some(since) => (None, since),
            None => {
                let since = match preset.days_before() {
                    Some(days) => until - Days::new(days),
                    None => activity::first_day(db, repository).await?.unwrap_or(until),
                };
                (self.until.is_none().then_some(preset).filter(|_| note.is_none()), since)
            }
        };
        let under = self.path.as_deref().and_then(|path| Under::new(repository, path));
        let mut filters = state.aggregates.filters(db, repository, self.include_merges, self.include_bots).await?;
        filters.under = under.clone();
        Ok(View {
            repository,
            names,
            preset,
            since,
            until,
            include_merges: self.include_merges,
            include_bots: self.include_bots,
            path: under.map(|under| under.path.to_string()),
            range: activity::Range::new(repository, since, until).with(filters),
            note,
        })
    }
}

/// A resolved view: the repository exists, bots are known.
#[derive(Debug, Clone)]
pub struct View {
    pub repository: Option<i64>,
    /// Every repository's id and name, for the picker and for naming the scope.
    pub names: Vec<(i64, String)>,
    /// `None` when the dates were given.
    pub preset: Option<RangeChoice>,
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub include_merges: bool,
    pub include_bots: bool,
    /// The folder or file the view is narrowed to (as stored: no slashes at the ends).
    pub path: Option<String>,
    /// What the query layer is asked for.
    pub range: activity::Range,
    /// Why the range is not the one asked for, when gitdash chose another.
    pub note: Option<String>,
}

impl View {
    fn days(&self) -> i64 {
        (self.until - self.since).num_days()
    }

    /// The commit history chart's period: days up to two months, weeks up to two years,
    /// then months.
    pub fn chart_bucket(&self) -> activity::Bucket {
        let days = self.days();
        if days <= 62 {
            activity::Bucket::Day
        } else if days <= 730 {
            activity::Bucket::Week
        } else {
            activity::Bucket::Month
        }
    }

    /// Code frequency's period: weeks, or months past two years (a bar a week over a long
    /// history would be narrower than a pixel, and a list of them mostly zeros).
    pub fn code_frequency_bucket(&self) -> activity::Bucket {
        if self.days() > 2 * 366 { activity::Bucket::Month } else { activity::Bucket::Week }
    }

    /// Refuses a range too long for its charts in `bucket`s, instead of cutting it short.
    pub fn check_points(&self, bucket: activity::Bucket) -> Result<(), String> {
        let points = activity::points_in(self.since, self.until, bucket);
        if points <= activity::MAX_POINTS {
            return Ok(());
        }
        let unit = match bucket {
            activity::Bucket::Day => "days",
            activity::Bucket::Week => "weeks",
            activity::Bucket::Month => "months",
        };
        Err(format!(
            "{} to {} spans {points} {unit}; a chart holds at most {}: narrow the range{}",
            self.since,
            self.until,
            activity::MAX_POINTS,
            if bucket == activity::Bucket::Month { "" } else { " or ask for a longer bucket" }
        ))
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
        if let Some(path) = &self.path {
            pairs.push(("path", path.clone()));
        }
        pairs
    }

    /// The view's query string (without `?`), with `preset` in place of its range when given.
    pub fn query(&self, preset: Option<RangeChoice>) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.extend_pairs(self.pairs(preset));
        url.finish()
    }

    /// The commits page for the days `since..=until` (cut to this view's days) within this
    /// view's scope and filters: where a chart's bar leads.
    pub fn commits_between(&self, since: NaiveDate, until: NaiveDate) -> String {
        self.page_between("/commits", since, until)
    }

    /// The page at `path` for the days `since..=until` (cut to this view's days).
    pub fn page_between(&self, path: &str, since: NaiveDate, until: NaiveDate) -> String {
        let days = View { preset: None, since: since.max(self.since), until: until.min(self.until), ..self.clone() };
        format!("{path}?{}", days.query(None))
    }

    /// How many merges and how many commits by bots the view leaves out (0 for what it
    /// counts), so pages can say why their totals differ from the repository's.
    pub async fn left_out(&self, state: &AppState) -> Result<(i64, i64), QueryError> {
        let db = &state.db;
        let shown = state.aggregates.totals(db, &self.range).await?.commits;
        let with = |merges: bool, bots: bool| async move {
            let mut filters = state.aggregates.filters(db, self.repository, merges, bots).await?;
            filters.under = self.range.filters.under.clone();
            let range = activity::Range::new(self.repository, self.since, self.until).with(filters);
            Ok::<i64, QueryError>(state.aggregates.totals(db, &range).await?.commits - shown)
        };
        let merges = if self.include_merges { 0 } else { with(true, self.include_bots).await? };
        let bots = if self.include_bots { 0 } else { with(self.include_merges, true).await? };
        Ok((merges, bots))
    }

    /// The name of repository `id`, if it exists.
    pub fn name_of(&self, id: i64) -> Option<String> {
        self.names.iter().find(|(known, _)| *known == id).map(|(_, name)| name.clone())
    }

    /// The chosen repository's name; `None` for all repositories.
    pub fn scope(&self) -> Option<String> {
        self.repository.and_then(|id| self.name_of(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(preset: Option<RangeChoice>) -> View {
        let (since, until) =
            (NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"), NaiveDate::from_ymd_opt(2024, 3, 31).expect("date"));
        View {
            repository: Some(3),
            names: vec![(3, "flask".into())],
            preset,
            since,
            until,
            include_merges: true,
            include_bots: false,
            path: None,
            range: activity::Range::new(Some(3), since, until),
            note: None,
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

    #[test]
    fn charts_take_longer_periods_as_the_range_grows() {
        let mut view = view(None);
        assert_eq!(view.chart_bucket(), activity::Bucket::Week, "three months");
        assert_eq!(view.code_frequency_bucket(), activity::Bucket::Week);
        view.since = NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
        assert_eq!(view.chart_bucket(), activity::Bucket::Month, "four years");
        assert_eq!(view.code_frequency_bucket(), activity::Bucket::Month);
    }

    #[test]
    fn reversed_dates_on_a_page_keep_the_end_date_and_the_presets_length() {
        let params =
            ViewParams { since: Some("2024-05-01".into()), until: Some("2024-04-01".into()), ..Default::default() };
        let request = params.request();
        assert_eq!((request.since, request.until), (None, NaiveDate::from_ymd_opt(2024, 4, 1)));
    }
}
