use sea_orm::entity::prelude::*;

/// A file a non-merge commit renamed, as `git log -M` pairs a deleted and an added file.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commit_renames")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub commit_id: i64,
    /// The file's name before the commit.
    pub from_path_id: i64,
    /// Its name after.
    #[sea_orm(primary_key, auto_increment = false)]
    pub to_path_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::commit::Entity", from = "Column::CommitId", to = "super::commit::Column::Id")]
    Commit,
}

impl ActiveModelBehavior for ActiveModel {}
