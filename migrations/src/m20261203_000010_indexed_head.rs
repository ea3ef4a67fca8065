//! `repositories.indexed_head`: the commit whose history the stored rows are, exactly.
//!
//! A sync clears it before its first write and sets it as its last, so a value means
//! "these rows are everything reachable from this commit, mapped with `mailmap_sha`, and
//! the summaries agree with them". The next sync then walks only the commits between it
//! and the new head (when the new head descends from it) instead of the whole history.
//! NULL (every row before this migration, or a sync cut off) makes the next sync compare
//! the whole history, as before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Repositories {
    Table,
    IndexedHead,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Repositories::Table)
                    .add_column(ColumnDef::new(Repositories::IndexedHead).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Repositories::Table).drop_column(Repositories::IndexedHead).to_owned())
            .await
    }
}
