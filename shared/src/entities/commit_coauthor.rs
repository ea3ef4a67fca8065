use sea_orm::entity::prelude::*;

/// A person a commit's `Co-authored-by:` trailer names.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commit_coauthors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub commit_id: i64,
    pub repository_id: i64,
    /// After `.mailmap`.
    pub name: String,
    pub email: String,
    /// As the trailer wrote it.
    pub original_name: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub original_email: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::commit::Entity", from = "Column::CommitId", to = "super::commit::Column::Id")]
    Commit,
}

impl ActiveModelBehavior for ActiveModel {}
