//! Repositories, their commits and tags, and the sync runs that fill them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Repositories {
    Table,
    Id,
    Url,
    Name,
    DefaultBranch,
    HeadSha,
    MailmapSha,
    CreatedAt,
    LastSyncedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Commits {
    Table,
    Id,
    RepositoryId,
    Sha,
    ParentCount,
    AuthorName,
    AuthorEmail,
    OriginalAuthorName,
    OriginalAuthorEmail,
    AuthoredAt,
    AuthorUtcOffsetMinutes,
    CommitterName,
    CommitterEmail,
    CommittedAt,
    Summary,
    Message,
    FilesChanged,
    Insertions,
    Deletions,
}

#[derive(DeriveIden, Clone, Copy)]
enum Tags {
    Table,
    Id,
    RepositoryId,
    Name,
    Sha,
}

#[derive(DeriveIden, Clone, Copy)]
enum SyncRuns {
    Table,
    Id,
    RepositoryId,
    State,
    Phase,
    Progress,
    CommitsAdded,
    CommitsRemoved,
    Error,
    Attempt,
    Worker,
    HeartbeatAt,
    QueuedAt,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Repositories::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Repositories::Id))
                    .col(string_uniq(Repositories::Url))
                    .col(string(Repositories::Name))
                    .col(string_null(Repositories::DefaultBranch))
                    .col(string_len_null(Repositories::HeadSha, 64))
                    .col(string_len_null(Repositories::MailmapSha, 64))
                    .col(timestamp_with_time_zone(Repositories::CreatedAt))
                    .col(timestamp_with_time_zone_null(Repositories::LastSyncedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Commits::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Commits::Id))
                    .col(big_integer(Commits::RepositoryId))
                    .col(string_len(Commits::Sha, 64))
                    .col(integer(Commits::ParentCount))
                    .col(string(Commits::AuthorName))
                    .col(string(Commits::AuthorEmail))
                    .col(string(Commits::OriginalAuthorName))
                    .col(string(Commits::OriginalAuthorEmail))
                    .col(timestamp_with_time_zone(Commits::AuthoredAt))
                    .col(integer(Commits::AuthorUtcOffsetMinutes))
                    .col(string(Commits::CommitterName))
                    .col(string(Commits::CommitterEmail))
                    .col(timestamp_with_time_zone(Commits::CommittedAt))
                    .col(text(Commits::Summary))
                    .col(text(Commits::Message))
                    .col(integer_null(Commits::FilesChanged))
                    .col(big_integer_null(Commits::Insertions))
                    .col(big_integer_null(Commits::Deletions))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Commits::Table, Commits::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, Commits::Table, "commits_repository_sha", &[Commits::RepositoryId, Commits::Sha], true).await?;
        index(
            manager,
            Commits::Table,
            "commits_repository_committed_at",
            &[Commits::RepositoryId, Commits::CommittedAt, Commits::Id],
            false,
        )
        .await?;
        index(
            manager,
            Commits::Table,
            "commits_repository_authored_at",
            &[Commits::RepositoryId, Commits::AuthoredAt],
            false,
        )
        .await?;
        index(
            manager,
            Commits::Table,
            "commits_repository_author_email",
            &[Commits::RepositoryId, Commits::AuthorEmail, Commits::CommittedAt],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tags::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Tags::Id))
                    .col(big_integer(Tags::RepositoryId))
                    .col(string(Tags::Name))
                    .col(string_len(Tags::Sha, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tags::Table, Tags::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, Tags::Table, "tags_repository_name", &[Tags::RepositoryId, Tags::Name], true).await?;
        index(manager, Tags::Table, "tags_repository_sha", &[Tags::RepositoryId, Tags::Sha], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(SyncRuns::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SyncRuns::Id))
                    .col(big_integer(SyncRuns::RepositoryId))
                    .col(string_len(SyncRuns::State, 16))
                    .col(string_null(SyncRuns::Phase))
                    .col(integer(SyncRuns::Progress).default(0))
                    .col(big_integer(SyncRuns::CommitsAdded).default(0))
                    .col(big_integer(SyncRuns::CommitsRemoved).default(0))
                    .col(text_null(SyncRuns::Error))
                    .col(integer(SyncRuns::Attempt).default(0))
                    .col(string_null(SyncRuns::Worker))
                    .col(timestamp_with_time_zone_null(SyncRuns::HeartbeatAt))
                    .col(timestamp_with_time_zone(SyncRuns::QueuedAt))
                    .col(timestamp_with_time_zone_null(SyncRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(SyncRuns::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SyncRuns::Table, SyncRuns::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            SyncRuns::Table,
            "sync_runs_repository_queued_at",
            &[SyncRuns::RepositoryId, SyncRuns::QueuedAt],
            false,
        )
        .await?;
        // At most one queued or running sync per repository: the database, not the queue,
        // guarantees that two syncs of one repository never run at once. Partial indexes
        // have the same syntax in SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS sync_runs_one_active_per_repository \
                 ON sync_runs (repository_id) WHERE state IN ('queued', 'running')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["sync_runs", "tags", "commits", "repositories"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

async fn index<T: Iden + Copy + 'static, C: Iden + Copy + 'static>(
    manager: &SchemaManager<'_>,
    table: T,
    name: &str,
    columns: &[C],
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create();
    statement.name(name).table(table).if_not_exists();
    for column in columns {
        statement.col(*column);
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement.to_owned()).await
}
