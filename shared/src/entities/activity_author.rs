use sea_orm::entity::prelude::*;

/// One author (after .mailmap) of one repository: their first and last day (UTC) and counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_authors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub repository_id: i64,
    pub author_email: String,
    pub author_name: String,
    /// `YYYY-MM-DD`
    pub first_day: String,
    pub last_day: String,
    pub commits: i64,
    pub merges: i64,
    pub insertions: i64,
    pub deletions: i64,
    /// Days with at least one commit.
    pub active_days: i64,
    /// The same over days with more than merges; `None` for someone who only merged.
    pub work_first_day: Option<String>,
    pub work_last_day: Option<String>,
    pub work_days: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
