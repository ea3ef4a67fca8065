use sea_orm::entity::prelude::*;

/// One repository's commits by one author (after .mailmap) at one weekday and hour of the
/// author's own time, over the whole history: the punch card of "all time".
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_hours")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub repository_id: i64,
    pub author_email: String,
    /// 0 is Sunday.
    pub weekday: i16,
    pub hour: i16,
    pub commits: i64,
    pub merges: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
