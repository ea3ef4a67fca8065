use sea_orm::entity::prelude::*;

/// Two paths and the non-merge commits of at most 30 files that changed both (`path_a <
/// path_b`); a path paired with itself counts its own such commits.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "file_pairs")]
pub struct Model {
    pub repository_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub path_a: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub path_b: i64,
    pub commits: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
