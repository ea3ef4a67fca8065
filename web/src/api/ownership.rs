//! `/repositories/{id}/ownership`, `/ownership`, `/repositories/{id}/growth` and `/growth`:
//! who knows the code under a folder (the Ownership page's numbers) and how the code grew
//! (the Statistics page's lines of code and languages).

use std::sync::Arc;

use gitdash_shared::queries::{files::normal_path, filters::Under, ownership, repositories};
use poem_openapi::{Object, OpenApi, param::Path, param::Query, payload::Json};

use super::{day::Day, tags::ApiTags};
use crate::{
    auth::Identity,
    error::ApiError,
    state::AppState,
    view::{RangeChoice, ViewRequest},
};

pub struct OwnershipApi {
    pub state: Arc<AppState>,
}

/// One person's part in the files asked for.
#[derive(Object)]
pub struct Owner {
    pub email: String,
    pub name: String,
    /// Lines they added and removed in these files, all history.
    pub lines: i64,
    /// Their part of everyone's changed lines, 0 to 1.
    pub share: f64,
    /// Files of which they are an author by degree of authorship.
    pub files_authored: i64,
    /// Their last commit day (UTC).
    pub last_day: Option<Day>,
    /// No commit for `inactive_after_days`.
    pub inactive: bool,
}

impl From<ownership::Person> for Owner {
    fn from(p: ownership::Person) -> Self {
        Self {
            email: p.email,
            name: p.name,
            lines: p.lines,
            share: p.share,
            files_authored: p.files_authored,
            last_day: p.last_day.map(Day),
            inactive: p.inactive,
        }
    }
}

/// One file or sub-folder of the folder asked for.
#[derive(Object)]
pub struct OwnedEntry {
    pub name: String,
    pub path: String,
    pub is_folder: bool,
    /// Files of the head tree in it.
    pub files: i64,
    pub lines: i64,
    /// The person with the most changed lines in it.
    pub main_author: Option<Owner>,
    /// People who author at least one of its files.
    pub knowers: i64,
    pub truck_factor: i64,
    /// Its main author has not committed for `inactive_after_days`.
    pub at_risk: bool,
}

/// Who knows the files of the head tree under a folder, from all history.
#[derive(Object)]
pub struct OwnershipReport {
    pub files: i64,
    /// How many people would have to leave before more than half of the files have no
    /// author left (Avelino et al.'s algorithm).
    pub truck_factor: i64,
    /// Those people, in the order the algorithm takes them.
    pub truck_people: Vec<Owner>,
    /// Everyone with changed lines in these files, largest share first.
    pub people: Vec<Owner>,
    pub entries: Vec<OwnedEntry>,
    pub inactive_after_days: i64,
}

/// One language's lines of code at the end of each month.
#[derive(Object)]
pub struct LanguageLines {
    /// Empty when no language is known for the files.
    pub language: String,
    pub lines: Vec<i64>,
}

/// Lines of code at the end of every month, in all and per language.
#[derive(Object)]
pub struct CodeGrowth {
    /// `YYYY-MM`, every month from the first commit's to the last one's.
    pub months: Vec<String>,
    pub lines: Vec<i64>,
    pub languages: Vec<LanguageLines>,
}

#[OpenApi(tag = "ApiTags::Files")]
impl OwnershipApi {
    /// Who knows the files under a folder of one repository: shares of changed lines,
    /// authors by degree of authorship, truck factors, knowledge at risk. Bots and vendored
    /// or generated files left out unless asked.
    #[oai(path = "/repositories/:id/ownership", method = "get")]
    async fn repository_ownership(
        &self,
        _identity: Identity,
        id: Path<i64>,
        /// The folder (`web/src`); the top when absent.
        path: Query<Option<String>>,
        include_bots: Query<Option<bool>>,
        include_vendored: Query<Option<bool>>,
    ) -> Result<Json<OwnershipReport>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.ownership(Some(id.0), path.0, include_bots.0, include_vendored.0).await
    }

    /// The same across every repository.
    #[oai(path = "/ownership", method = "get")]
    async fn all_ownership(
        &self,
        _identity: Identity,
        /// The folder (`web/src`); the top when absent.
        path: Query<Option<String>>,
        include_bots: Query<Option<bool>>,
        include_vendored: Query<Option<bool>>,
    ) -> Result<Json<OwnershipReport>, ApiError> {
        self.ownership(None, path.0, include_bots.0, include_vendored.0).await
    }

    /// Lines of code of one repository at the end of every month, in all and per language
    /// (vendored and generated files left out unless asked).
    #[oai(path = "/repositories/:id/growth", method = "get")]
    async fn repository_growth(
        &self,
        _identity: Identity,
        id: Path<i64>,
        include_vendored: Query<Option<bool>>,
        /// Only the files under this folder (or this one file).
        path: Query<Option<String>>,
    ) -> Result<Json<CodeGrowth>, ApiError> {
        repositories::get(&self.state.db, id.0).await?;
        self.growth(Some(id.0), include_vendored.0, path.0).await
    }

    /// The same across every repository.
    #[oai(path = "/growth", method = "get")]
    async fn all_growth(
        &self,
        _identity: Identity,
        include_vendored: Query<Option<bool>>,
        /// Only the files under this folder (or this one file).
        path: Query<Option<String>>,
    ) -> Result<Json<CodeGrowth>, ApiError> {
        self.growth(None, include_vendored.0, path.0).await
    }
}

impl OwnershipApi {
    async fn ownership(
        &self,
        repository: Option<i64>,
        path: Option<String>,
        include_bots: Option<bool>,
        include_vendored: Option<bool>,
    ) -> Result<Json<OwnershipReport>, ApiError> {
        let request = ViewRequest { repository, include_bots: include_bots.unwrap_or(false), ..Default::default() };
        let view = request.resolve(&self.state, RangeChoice::All).await?;
        let scope = ownership::Scope {
            repository,
            folder: path.as_deref().and_then(normal_path),
            include_vendored: include_vendored.unwrap_or(false),
            filters: view.range.filters.clone(),
        };
        let days = self.state.config.inactive_after_days;
        let report = std::sync::Arc::unwrap_or_clone(
            self.state.aggregates.ownership(&self.state.db, &scope, crate::view::active_since(days)).await?,
        );
        Ok(Json(OwnershipReport {
            files: report.files,
            truck_factor: report.truck.len() as i64,
            truck_people: report.truck.into_iter().map(Owner::from).collect(),
            people: report.people.into_iter().map(Owner::from).collect(),
            entries: report
                .entries
                .into_iter()
                .map(|e| OwnedEntry {
                    name: e.name,
                    path: e.path,
                    is_folder: e.is_folder,
                    files: e.files,
                    lines: e.lines,
                    main_author: e.main.map(Owner::from),
                    knowers: e.knowers,
                    truck_factor: e.truck_factor,
                    at_risk: e.at_risk,
                })
                .collect(),
            inactive_after_days: days as i64,
        }))
    }

    async fn growth(
        &self,
        repository: Option<i64>,
        include_vendored: Option<bool>,
        path: Option<String>,
    ) -> Result<Json<CodeGrowth>, ApiError> {
        let (db, vendored) = (&self.state.db, include_vendored.unwrap_or(false));
        let under = path.as_deref().and_then(|path| Under::new(repository, path));
        let growth = std::sync::Arc::unwrap_or_clone(
            self.state.aggregates.growth(db, repository, under.as_ref(), vendored).await?,
        );
        Ok(Json(CodeGrowth {
            months: growth.months.iter().map(|m| m.format("%Y-%m").to_string()).collect(),
            lines: growth.total,
            languages: growth
                .languages
                .into_iter()
                .map(|l| LanguageLines { language: l.name, lines: l.lines })
                .collect(),
        }))
    }
}
