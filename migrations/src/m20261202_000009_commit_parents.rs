//! `commits.parents`: the full shas of a commit's parents, in order, separated by spaces
//! (empty for a root commit), so the commit page links to them without reading Git.
//!
//! Rows stored before this migration hold NULL; the worker's next sync of each repository
//! fills them from its clone (`queries::index::set_parents`), once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Commits {
    Table,
    Parents,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Commits::Table)
                    .add_column(ColumnDef::new(Commits::Parents).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Commits::Table).drop_column(Commits::Parents).to_owned()).await
    }
}
