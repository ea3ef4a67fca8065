use sea_orm::entity::prelude::*;

/// Lines added and removed in one language in one month (UTC, by commit time).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "language_months")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub repository_id: i64,
    /// `YYYY-MM`
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    /// "" when no language is known for the paths.
    #[sea_orm(primary_key, auto_increment = false)]
    pub language: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub vendored: bool,
    pub insertions: i64,
    pub deletions: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
