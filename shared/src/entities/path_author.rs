use sea_orm::entity::prelude::*;

/// One author's (after .mailmap) work on one path: the summary ownership is read from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "path_authors")]
pub struct Model {
    pub repository_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub path_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub author_email: String,
    pub author_name: String,
    /// Their non-merge commits that changed the path.
    pub commits: i64,
    pub insertions: i64,
    pub deletions: i64,
    /// Their first and last commit to it (commit time).
    pub first_at: DateTimeUtc,
    pub last_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::path::Entity", from = "Column::PathId", to = "super::path::Column::Id")]
    Path,
}

impl ActiveModelBehavior for ActiveModel {}
