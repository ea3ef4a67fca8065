//! A summary the dashboard reads instead of scanning commits: per repository, day (UTC, by
//! commit time) and author (after .mailmap), the commits and lines of that day. The sync
//! rebuilds a repository's rows after each run.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ActivityDaily {
    Table,
    Id,
    RepositoryId,
    Day,
    AuthorEmail,
    AuthorName,
    Commits,
    Merges,
    Insertions,
    Deletions,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivityDaily::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ActivityDaily::Id))
                    .col(big_integer(ActivityDaily::RepositoryId))
                    // `YYYY-MM-DD`: compares and sorts as a date on both databases.
                    .col(string_len(ActivityDaily::Day, 10))
                    .col(string(ActivityDaily::AuthorEmail))
                    .col(string(ActivityDaily::AuthorName))
                    .col(big_integer(ActivityDaily::Commits))
                    .col(big_integer(ActivityDaily::Merges))
                    .col(big_integer(ActivityDaily::Insertions))
                    .col(big_integer(ActivityDaily::Deletions))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityDaily::Table, ActivityDaily::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_daily_repository_day_author")
                    .table(ActivityDaily::Table)
                    .col(ActivityDaily::RepositoryId)
                    .col(ActivityDaily::Day)
                    .col(ActivityDaily::AuthorEmail)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_daily_day")
                    .table(ActivityDaily::Table)
                    .col(ActivityDaily::Day)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ActivityDaily::Table).to_owned()).await
    }
}
