use sea_orm::entity::prelude::*;

/// A path that some commit of the repository changed, stored once per repository.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "paths")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub repository_id: i64,
    pub path: String,
    /// The folder holding the file, "" at the top.
    pub folder: String,
    /// The path's first folder, "" for a file at the top.
    pub top_folder: String,
    /// The file name's last extension, without the dot and lowercased.
    pub extension: Option<String>,
    /// The language GitHub Linguist's data gives the path (its content decides between
    /// candidates, as Linguist does), `None` when it knows none.
    pub language: Option<String>,
    /// Vendored or generated code, left out of the views unless asked for.
    pub vendored: bool,
    /// A file of the repository's head tree as of the last sync.
    pub in_head: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
