use sea_orm::entity::prelude::*;

/// A path one non-merge commit changed, with its lines as `git log --numstat --no-renames`
/// counts them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commit_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub commit_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub path_id: i64,
    /// Both `None` for a binary file: changed, no lines.
    pub insertions: Option<i64>,
    pub deletions: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::path::Entity", from = "Column::PathId", to = "super::path::Column::Id")]
    Path,
    #[sea_orm(belongs_to = "super::commit::Entity", from = "Column::CommitId", to = "super::commit::Column::Id")]
    Commit,
}

impl ActiveModelBehavior for ActiveModel {}
