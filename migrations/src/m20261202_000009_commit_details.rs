//! Two columns of `commits` the commit page and the highlights read:
//! - `parents`: the full shas of a commit's parents, in order, separated by spaces (empty for
//!   a root commit), so the commit page links to them without reading Git;
//! - `generated_lines`: of the lines added and removed, those in generated paths (lock files,
//!   bundles, vendored code: `GITDASH_GENERATED_PATHS`), so "largest change" means lines
//!   people wrote. NULL for merges.
//!
//! Rows stored before this migration hold NULL in both; the worker's next sync of each
//! repository fills them from its clone (`queries::index::set_parents` and
//! `set_generated_lines`), once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Commits {
    Table,
    Parents,
    GeneratedLines,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Commits::Table)
                    .add_column(ColumnDef::new(Commits::Parents).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Commits::Table)
                    .add_column(ColumnDef::new(Commits::GeneratedLines).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Commits::Table).drop_column(Commits::GeneratedLines).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Commits::Table).drop_column(Commits::Parents).to_owned()).await
    }
}
