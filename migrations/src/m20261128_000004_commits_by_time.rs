//! An index for reading commits of every repository at once, newest first (the Commits page
//! and the top bar's search without a chosen repository): keyset pages walk it instead of
//! sorting the whole table.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Commits {
    Table,
    Id,
    CommittedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("commits_committed_at")
                    .table(Commits::Table)
                    .col(Commits::CommittedAt)
                    .col(Commits::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("commits_committed_at").table(Commits::Table).to_owned()).await
    }
}
