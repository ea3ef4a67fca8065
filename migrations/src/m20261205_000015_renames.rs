//! `commit_renames`: the files a non-merge commit renamed, as `git log -M` pairs them (a
//! deleted and an added file at least half alike), so a file's history can follow it back
//! through its former names. `commit_files` keeps counting a rename as a deletion and an
//! addition (`--no-renames`), so that per-file lines still add up to the commit's.
//!
//! Rows go with their commit (ON DELETE CASCADE) after a force push. Repositories indexed
//! before this migration have no rename rows: `repositories.renames_filled` is false for
//! them (true for every repository added later), and their next sync reads the renames of
//! the commits already stored from the clone once, then sets it; the migration clears their
//! `indexed_head` so that this sync takes the path that fills in older rows.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CommitRenames {
    Table,
    CommitId,
    FromPathId,
    ToPathId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Repositories {
    Table,
    IndexedHead,
    RenamesFilled,
}

#[derive(DeriveIden, Clone, Copy)]
enum Commits {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Paths {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CommitRenames::Table)
                    .if_not_exists()
                    .col(big_integer(CommitRenames::CommitId))
                    .col(big_integer(CommitRenames::FromPathId))
                    .col(big_integer(CommitRenames::ToPathId))
                    // A file is the destination of at most one rename in a commit.
                    .primary_key(Index::create().col(CommitRenames::CommitId).col(CommitRenames::ToPathId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitRenames::Table, CommitRenames::CommitId)
                            .to(Commits::Table, Commits::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitRenames::Table, CommitRenames::FromPathId)
                            .to(Paths::Table, Paths::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitRenames::Table, CommitRenames::ToPathId)
                            .to(Paths::Table, Paths::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A file's former names (backwards) and its later ones (forwards).
        for (name, column) in
            [("commit_renames_to", CommitRenames::ToPathId), ("commit_renames_from", CommitRenames::FromPathId)]
        {
            manager
                .create_index(
                    Index::create().name(name).table(CommitRenames::Table).col(column).if_not_exists().to_owned(),
                )
                .await?;
        }
        // New repositories start filled; the ones already here are not.
        manager
            .alter_table(
                Table::alter()
                    .table(Repositories::Table)
                    .add_column(boolean(Repositories::RenamesFilled).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Repositories::Table)
                    .value(Repositories::RenamesFilled, false)
                    .value(Repositories::IndexedHead, Option::<String>::None)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Repositories::Table).drop_column(Repositories::RenamesFilled).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(CommitRenames::Table).if_exists().to_owned()).await
    }
}
