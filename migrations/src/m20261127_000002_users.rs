//! People who sign in, and who added each repository.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Issuer,
    Subject,
    Email,
    Name,
    Groups,
    OktaStatus,
    OktaProfile,
    CreatedAt,
    LastSignInAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Users::Id))
                    .col(string(Users::Issuer))
                    .col(string(Users::Subject))
                    .col(string_null(Users::Email))
                    .col(string_null(Users::Name))
                    // A JSON array of group names, as the provider last stated them.
                    .col(text(Users::Groups).default("[]"))
                    .col(string_len_null(Users::OktaStatus, 32))
                    .col(text_null(Users::OktaProfile))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone_null(Users::LastSignInAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("users_issuer_subject")
                    .table(Users::Table)
                    .col(Users::Issuer)
                    .col(Users::Subject)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // Written as SQL because SQLite can only add a column with its foreign key in one
        // statement; both databases accept this one.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE repositories ADD COLUMN added_by BIGINT NULL REFERENCES users (id) ON DELETE SET NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("ALTER TABLE repositories DROP COLUMN added_by").await?;
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}
