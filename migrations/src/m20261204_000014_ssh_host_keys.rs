//! `repository_credentials.host_key`: for an SSH deploy key, the server's host key pinned
//! when the key was given (`ssh-ed25519 AAAA...`), shown to the people who may see the
//! repository. It is public; the worker connects with the copy sealed inside the
//! credential, so editing this column cannot make it trust another server.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RepositoryCredentials {
    Table,
    HostKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RepositoryCredentials::Table)
                    .add_column(ColumnDef::new(RepositoryCredentials::HostKey).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RepositoryCredentials::Table)
                    .drop_column(RepositoryCredentials::HostKey)
                    .to_owned(),
            )
            .await
    }
}
