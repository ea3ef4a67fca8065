//! `commit_coauthors`: the people a commit's `Co-authored-by:` trailers name (after
//! `.mailmap`, the recorded identity kept beside the mapped one as for authors), credited
//! in the committers list and in ownership beside the commit's author.
//!
//! Rows go with their commit (ON DELETE CASCADE). Repositories indexed before this
//! migration have `coauthors_filled` false (true for every repository added later): their
//! next sync reads the trailers of the stored messages once and sets it; the migration
//! clears their `indexed_head` so that this sync takes the path that fills in older rows.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CommitCoauthors {
    Table,
    CommitId,
    RepositoryId,
    Name,
    Email,
    OriginalName,
    OriginalEmail,
}

#[derive(DeriveIden, Clone, Copy)]
enum Repositories {
    Table,
    Id,
    IndexedHead,
    CoauthorsFilled,
}

#[derive(DeriveIden, Clone, Copy)]
enum Commits {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CommitCoauthors::Table)
                    .if_not_exists()
                    .col(big_integer(CommitCoauthors::CommitId))
                    .col(big_integer(CommitCoauthors::RepositoryId))
                    .col(text(CommitCoauthors::Name))
                    .col(text(CommitCoauthors::Email))
                    .col(text(CommitCoauthors::OriginalName))
                    .col(text(CommitCoauthors::OriginalEmail))
                    .primary_key(Index::create().col(CommitCoauthors::CommitId).col(CommitCoauthors::OriginalEmail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitCoauthors::Table, CommitCoauthors::CommitId)
                            .to(Commits::Table, Commits::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitCoauthors::Table, CommitCoauthors::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A repository's co-authors, and one person's co-authored commits.
        manager
            .create_index(
                Index::create()
                    .name("commit_coauthors_repository_email")
                    .table(CommitCoauthors::Table)
                    .col(CommitCoauthors::RepositoryId)
                    .col(CommitCoauthors::Email)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Repositories::Table)
                    .add_column(boolean(Repositories::CoauthorsFilled).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Repositories::Table)
                    .value(Repositories::CoauthorsFilled, false)
                    .value(Repositories::IndexedHead, Option::<String>::None)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Repositories::Table).drop_column(Repositories::CoauthorsFilled).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(CommitCoauthors::Table).if_exists().to_owned()).await
    }
}
