use sea_orm::entity::prelude::*;

/// One repository's commits and lines on one UTC day by one author (after .mailmap).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_daily")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub repository_id: i64,
    /// `YYYY-MM-DD`
    pub day: String,
    pub author_email: String,
    pub author_name: String,
    pub commits: i64,
    pub merges: i64,
    pub insertions: i64,
    pub deletions: i64,
    /// Lines added plus removed by the day's largest non-merge commit of this author.
    pub largest_change: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
