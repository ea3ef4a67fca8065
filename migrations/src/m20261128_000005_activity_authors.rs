//! A second summary: one row per repository and author (after .mailmap) with their first and
//! last day, commits and merges. It answers "who are the authors here" (bot detection) and
//! "who is new in this range" (highlights) without grouping the daily summary per request;
//! the sync rebuilds it with `activity_daily`. Also an index for an author's first commit
//! across every repository.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ActivityAuthors {
    Table,
    Id,
    RepositoryId,
    AuthorEmail,
    AuthorName,
    FirstDay,
    LastDay,
    Commits,
    Merges,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Commits {
    Table,
    AuthorEmail,
    CommittedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivityAuthors::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ActivityAuthors::Id))
                    .col(big_integer(ActivityAuthors::RepositoryId))
                    .col(string(ActivityAuthors::AuthorEmail))
                    .col(string(ActivityAuthors::AuthorName))
                    .col(string_len(ActivityAuthors::FirstDay, 10))
                    .col(string_len(ActivityAuthors::LastDay, 10))
                    .col(big_integer(ActivityAuthors::Commits))
                    .col(big_integer(ActivityAuthors::Merges))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityAuthors::Table, ActivityAuthors::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            (
                "activity_authors_repository_author",
                vec![ActivityAuthors::RepositoryId, ActivityAuthors::AuthorEmail],
                true,
            ),
            (
                "activity_authors_repository_first_day",
                vec![ActivityAuthors::RepositoryId, ActivityAuthors::FirstDay],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(ActivityAuthors::Table).if_not_exists();
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        // The fallback for existing installations: fill the summary from the daily one.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO activity_authors \
                 (repository_id, author_email, author_name, first_day, last_day, commits, merges) \
                 SELECT repository_id, author_email, MAX(author_name), MIN(day), MAX(day), SUM(commits), SUM(merges) \
                 FROM activity_daily GROUP BY repository_id, author_email",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("commits_author_email_committed_at")
                    .table(Commits::Table)
                    .col(Commits::AuthorEmail)
                    .col(Commits::CommittedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("commits_author_email_committed_at").table(Commits::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(ActivityAuthors::Table).to_owned()).await
    }
}
