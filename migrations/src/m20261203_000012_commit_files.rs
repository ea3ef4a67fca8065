//! The files each commit changed: `paths` (each path once per repository, with what it is)
//! and `commit_files` (one row per path a non-merge commit changed, with its lines as
//! `git log --numstat --no-renames` counts them; both counts NULL for a binary file).
//!
//! Rows are written with their commit, in the same transaction, and go with it (ON DELETE
//! CASCADE) after a force push. Repositories indexed before this migration have commits and
//! no file rows: the migration clears their `indexed_head`, so their next sync compares the
//! whole history, finds the commits without file rows and reads those from the clone once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Paths {
    Table,
    Id,
    RepositoryId,
    Path,
    Folder,
    TopFolder,
    Extension,
    Language,
    Vendored,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommitFiles {
    Table,
    CommitId,
    PathId,
    Insertions,
    Deletions,
}

#[derive(DeriveIden, Clone, Copy)]
enum Repositories {
    Table,
    Id,
    IndexedHead,
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
                    .table(Paths::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Paths::Id))
                    .col(big_integer(Paths::RepositoryId))
                    .col(text(Paths::Path))
                    // The folder holding the file ("" at the top) and the first folder of the
                    // path ("" for a file at the top): what a folder tree and a folder
                    // filter group by.
                    .col(text(Paths::Folder))
                    .col(text(Paths::TopFolder))
                    .col(text_null(Paths::Extension))
                    .col(text_null(Paths::Language))
                    // Vendored or generated (lock files, bundles, third-party code): left
                    // out of the views unless asked for.
                    .col(boolean(Paths::Vendored).default(false))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Paths::Table, Paths::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("paths_repository_path")
                    .table(Paths::Table)
                    .col(Paths::RepositoryId)
                    .col(Paths::Path)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommitFiles::Table)
                    .if_not_exists()
                    .col(big_integer(CommitFiles::CommitId))
                    .col(big_integer(CommitFiles::PathId))
                    .col(big_integer_null(CommitFiles::Insertions))
                    .col(big_integer_null(CommitFiles::Deletions))
                    .primary_key(Index::create().col(CommitFiles::CommitId).col(CommitFiles::PathId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitFiles::Table, CommitFiles::CommitId)
                            .to(Commits::Table, Commits::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitFiles::Table, CommitFiles::PathId)
                            .to(Paths::Table, Paths::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A path's history, and the commits under a folder: by path, then commit.
        manager
            .create_index(
                Index::create()
                    .name("commit_files_path_commit")
                    .table(CommitFiles::Table)
                    .col(CommitFiles::PathId)
                    .col(CommitFiles::CommitId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // Every repository synced before has commits without file rows: its next sync must
        // compare the whole history (see the module's comment).
        manager
            .exec_stmt(
                Query::update()
                    .table(Repositories::Table)
                    .value(Repositories::IndexedHead, Option::<String>::None)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CommitFiles::Table).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(Paths::Table).if_exists().to_owned()).await
    }
}
