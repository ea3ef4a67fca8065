//! The largest single change (lines added plus removed by one non-merge commit) of each day
//! and author in the daily summary, so "largest changes" over years of history read one row
//! per day and author instead of every commit.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActivityDaily {
    Table,
    LargestChange,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ActivityDaily::Table)
                    .add_column(ColumnDef::new(ActivityDaily::LargestChange).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        // Existing installations: the daily summary is filled again from the commits, once.
        let day = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
            _ => "substr(committed_at, 1, 10)",
        };
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM activity_daily").await?;
        db.execute_unprepared(&format!(
            "INSERT INTO activity_daily (repository_id, day, author_email, author_name, commits, merges, \
             insertions, deletions, largest_change) \
             SELECT repository_id, {day}, author_email, MAX(author_name), COUNT(*), \
             SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END), COALESCE(SUM(insertions), 0), \
             COALESCE(SUM(deletions), 0), MAX(COALESCE(insertions, 0) + COALESCE(deletions, 0)) \
             FROM commits GROUP BY repository_id, {day}, author_email"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(ActivityDaily::Table).drop_column(ActivityDaily::LargestChange).to_owned(),
            )
            .await
    }
}
