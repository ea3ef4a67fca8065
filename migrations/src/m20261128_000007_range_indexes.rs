//! What a chosen range reads without touching the commits' rows:
//! - `commits.author_weekday_hour`, the weekday (0 = Sunday) times 24 plus the hour of the
//!   author's own time, in an index with the range's other columns, so a punch card over
//!   some months reads that index alone instead of every commit with a date computed per row;
//! - `tags.committed_at`, the tagged commit's time, indexed, so "tagged releases of the range"
//!   start from the tags instead of testing every commit of the range for a tag.
//!
//! Existing installations are filled from their commits, once.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Commits {
    Table,
    RepositoryId,
    CommittedAt,
    ParentCount,
    AuthorEmail,
    AuthorWeekdayHour,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    RepositoryId,
    CommittedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Commits::Table)
                    .add_column(ColumnDef::new(Commits::AuthorWeekdayHour).integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        let weekday_hour = match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                "CAST(EXTRACT(DOW FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute') * 24 \
                 + EXTRACT(HOUR FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute') AS INTEGER)"
            }
            _ => {
                "CAST(strftime('%w', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER) * 24 \
                 + CAST(strftime('%H', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER)"
            }
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!("UPDATE commits SET author_weekday_hour = {weekday_hour}")).await?;
        manager
            .create_index(
                Index::create()
                    .name("commits_range_columns")
                    .table(Commits::Table)
                    .col(Commits::RepositoryId)
                    .col(Commits::CommittedAt)
                    .col(Commits::ParentCount)
                    .col(Commits::AuthorEmail)
                    .col(Commits::AuthorWeekdayHour)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Tags::Table)
                    .add_column(ColumnDef::new(Tags::CommittedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "UPDATE tags SET committed_at = (SELECT c.committed_at FROM commits c \
             WHERE c.repository_id = tags.repository_id AND c.sha = tags.sha)",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("tags_repository_committed_at")
                    .table(Tags::Table)
                    .col(Tags::RepositoryId)
                    .col(Tags::CommittedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("tags_committed_at").table(Tags::Table).col(Tags::CommittedAt).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("tags_committed_at").table(Tags::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("tags_repository_committed_at").table(Tags::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Tags::Table).drop_column(Tags::CommittedAt).to_owned()).await?;
        manager.drop_index(Index::drop().name("commits_range_columns").table(Commits::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Commits::Table).drop_column(Commits::AuthorWeekdayHour).to_owned())
            .await
    }
}
