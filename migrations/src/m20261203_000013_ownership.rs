//! What ownership and the code's growth are read from, kept like the other summaries:
//!
//! - `paths.in_head`: whether the path is a file of the repository's current head tree
//!   (ownership and the truck factor are about the code as it is, not deleted files);
//! - `path_authors`: per path and author (after .mailmap), their commits, lines added and
//!   removed, and first and last commit to it: shares, main authors, degree of authorship;
//! - `language_months`: per month (UTC, by commit time), language and vendored mark, the
//!   lines added and removed: lines of code and the language mix over time;
//! - `file_pairs`: per pair of paths, the non-merge commits of at most 30 files that changed
//!   both (`path_a < path_b` by id; `path_a = path_b` counts a path's own such commits):
//!   change coupling.
//!
//! Existing installations: the migration clears every `indexed_head`, so each repository's
//! next sync compares its whole history once and builds the summaries whole.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Paths {
    Table,
    Id,
    InHead,
}

#[derive(DeriveIden, Clone, Copy)]
enum PathAuthors {
    Table,
    RepositoryId,
    PathId,
    AuthorEmail,
    AuthorName,
    Commits,
    Insertions,
    Deletions,
    FirstAt,
    LastAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum LanguageMonths {
    Table,
    RepositoryId,
    Month,
    Language,
    Vendored,
    Insertions,
    Deletions,
}

#[derive(DeriveIden, Clone, Copy)]
enum FilePairs {
    Table,
    RepositoryId,
    PathA,
    PathB,
    Commits,
}

#[derive(DeriveIden, Clone, Copy)]
enum Repositories {
    Table,
    Id,
    IndexedHead,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Paths::Table).add_column(boolean(Paths::InHead).default(false)).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PathAuthors::Table)
                    .if_not_exists()
                    .col(big_integer(PathAuthors::RepositoryId))
                    .col(big_integer(PathAuthors::PathId))
                    .col(text(PathAuthors::AuthorEmail))
                    .col(text(PathAuthors::AuthorName))
                    .col(big_integer(PathAuthors::Commits))
                    .col(big_integer(PathAuthors::Insertions))
                    .col(big_integer(PathAuthors::Deletions))
                    .col(timestamp_with_time_zone(PathAuthors::FirstAt))
                    .col(timestamp_with_time_zone(PathAuthors::LastAt))
                    .primary_key(Index::create().col(PathAuthors::PathId).col(PathAuthors::AuthorEmail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PathAuthors::Table, PathAuthors::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PathAuthors::Table, PathAuthors::PathId)
                            .to(Paths::Table, Paths::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A repository's rows (rebuilt whole, read whole), and a person's files.
        manager
            .create_index(
                Index::create()
                    .name("path_authors_repository")
                    .table(PathAuthors::Table)
                    .col(PathAuthors::RepositoryId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("path_authors_author")
                    .table(PathAuthors::Table)
                    .col(PathAuthors::AuthorEmail)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LanguageMonths::Table)
                    .if_not_exists()
                    .col(big_integer(LanguageMonths::RepositoryId))
                    // `YYYY-MM`
                    .col(text(LanguageMonths::Month))
                    // "" when Linguist's data names no language.
                    .col(text(LanguageMonths::Language))
                    .col(boolean(LanguageMonths::Vendored))
                    .col(big_integer(LanguageMonths::Insertions))
                    .col(big_integer(LanguageMonths::Deletions))
                    .primary_key(
                        Index::create()
                            .col(LanguageMonths::RepositoryId)
                            .col(LanguageMonths::Month)
                            .col(LanguageMonths::Language)
                            .col(LanguageMonths::Vendored),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LanguageMonths::Table, LanguageMonths::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FilePairs::Table)
                    .if_not_exists()
                    .col(big_integer(FilePairs::RepositoryId))
                    .col(big_integer(FilePairs::PathA))
                    .col(big_integer(FilePairs::PathB))
                    .col(big_integer(FilePairs::Commits))
                    .primary_key(Index::create().col(FilePairs::PathA).col(FilePairs::PathB))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePairs::Table, FilePairs::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePairs::Table, FilePairs::PathA)
                            .to(Paths::Table, Paths::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FilePairs::Table, FilePairs::PathB)
                            .to(Paths::Table, Paths::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A repository's pairs, and those of a path second in its pair.
        for (name, column) in
            [("file_pairs_repository", FilePairs::RepositoryId), ("file_pairs_path_b", FilePairs::PathB)]
        {
            manager
                .create_index(Index::create().name(name).table(FilePairs::Table).col(column).if_not_exists().to_owned())
                .await?;
        }
        // Every repository synced before has none of these: its next sync builds them whole.
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
        manager.drop_table(Table::drop().table(FilePairs::Table).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(LanguageMonths::Table).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(PathAuthors::Table).if_exists().to_owned()).await?;
        manager.alter_table(Table::alter().table(Paths::Table).drop_column(Paths::InHead).to_owned()).await
    }
}
