//! Private repositories and push webhooks. `repository_credentials`: the credential a
//! repository is fetched with, encrypted (AES-256-GCM under `GITDASH_CREDENTIALS_KEY`, bound
//! to the repository's id); only its kind, when and by whom it was set are readable.
//! `repository_webhooks`: which generation of the repository's webhook secret is current —
//! the secret itself is derived from the web's `SECRET_KEY` and never stored. Both go with
//! their repository.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RepositoryCredentials {
    Table,
    RepositoryId,
    Kind,
    KeyId,
    Sealed,
    SetAt,
    SetBy,
}

#[derive(DeriveIden)]
enum RepositoryWebhooks {
    Table,
    RepositoryId,
    Generation,
    CreatedAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RepositoryCredentials::Table)
                    .if_not_exists()
                    .col(big_integer(RepositoryCredentials::RepositoryId).primary_key())
                    .col(string(RepositoryCredentials::Kind))
                    .col(string(RepositoryCredentials::KeyId))
                    .col(blob(RepositoryCredentials::Sealed))
                    .col(timestamp_with_time_zone(RepositoryCredentials::SetAt))
                    .col(big_integer_null(RepositoryCredentials::SetBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RepositoryCredentials::Table, RepositoryCredentials::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RepositoryWebhooks::Table)
                    .if_not_exists()
                    .col(big_integer(RepositoryWebhooks::RepositoryId).primary_key())
                    .col(big_integer(RepositoryWebhooks::Generation))
                    .col(timestamp_with_time_zone(RepositoryWebhooks::CreatedAt))
                    .col(big_integer_null(RepositoryWebhooks::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RepositoryWebhooks::Table, RepositoryWebhooks::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RepositoryWebhooks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(RepositoryCredentials::Table).to_owned()).await
    }
}
