//! Two summaries per repository and author (after .mailmap), rebuilt by the sync with
//! `activity_daily`: `activity_authors` (first and last day, commits, merges) answers "who
//! are the authors here" (bot detection) and "who is new in this range" (highlights);
//! `activity_hours` (commits and merges by weekday and hour of the author's own time) is the
//! whole-history punch card. Neither is grouped from the commits per request. Also an index
//! for an author's first commit across every repository.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `activity_authors` from `activity_daily` (one row per day and author); the sync's rebuild
/// (`gitdash_shared::queries::summaries::rebuild`) uses the same shape.
const AUTHOR_COLUMNS: &str = "repository_id, author_email, author_name, first_day, last_day, commits, merges, \
     insertions, deletions, active_days, work_first_day, work_last_day, work_days";
const AUTHOR_VALUES: &str = "repository_id, author_email, MAX(author_name), MIN(day), MAX(day), SUM(commits), \
     SUM(merges), SUM(insertions), SUM(deletions), COUNT(*), MIN(CASE WHEN commits > merges THEN day END), \
     MAX(CASE WHEN commits > merges THEN day END), SUM(CASE WHEN commits > merges THEN 1 ELSE 0 END)";

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
    Insertions,
    Deletions,
    ActiveDays,
    WorkFirstDay,
    WorkLastDay,
    WorkDays,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActivityHours {
    Table,
    Id,
    RepositoryId,
    AuthorEmail,
    Weekday,
    Hour,
    Commits,
    Merges,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ActivityDaily {
    Table,
    RepositoryId,
    Day,
    AuthorEmail,
    Commits,
    Merges,
    Insertions,
    Deletions,
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
                    .col(big_integer(ActivityAuthors::Insertions))
                    .col(big_integer(ActivityAuthors::Deletions))
                    .col(big_integer(ActivityAuthors::ActiveDays))
                    // The same three over days with more than merges: what views without
                    // merges show. NULL for someone who only ever merged.
                    .col(string_len_null(ActivityAuthors::WorkFirstDay, 10))
                    .col(string_len_null(ActivityAuthors::WorkLastDay, 10))
                    .col(big_integer(ActivityAuthors::WorkDays))
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
        manager
            .create_table(
                Table::create()
                    .table(ActivityHours::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ActivityHours::Id))
                    .col(big_integer(ActivityHours::RepositoryId))
                    .col(string(ActivityHours::AuthorEmail))
                    // 0 is Sunday, as both databases count.
                    .col(small_integer(ActivityHours::Weekday))
                    .col(small_integer(ActivityHours::Hour))
                    .col(big_integer(ActivityHours::Commits))
                    .col(big_integer(ActivityHours::Merges))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityHours::Table, ActivityHours::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_hours_repository_author")
                    .table(ActivityHours::Table)
                    .col(ActivityHours::RepositoryId)
                    .col(ActivityHours::AuthorEmail)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // Existing installations: the summaries are filled once here, then by every sync.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO activity_authors ({AUTHOR_COLUMNS}) SELECT {AUTHOR_VALUES} \
                     FROM activity_daily GROUP BY repository_id, author_email"
            ))
            .await?;
        let (weekday, hour) = match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => (
                "EXTRACT(DOW FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute')",
                "EXTRACT(HOUR FROM (authored_at AT TIME ZONE 'UTC') + author_utc_offset_minutes * INTERVAL '1 minute')",
            ),
            _ => (
                "CAST(strftime('%w', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER)",
                "CAST(strftime('%H', authored_at, printf('%+d minutes', author_utc_offset_minutes)) AS INTEGER)",
            ),
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO activity_hours (repository_id, author_email, weekday, hour, commits, merges) \
                 SELECT repository_id, author_email, {weekday}, {hour}, COUNT(*), \
                 SUM(CASE WHEN parent_count > 1 THEN 1 ELSE 0 END) \
                 FROM commits GROUP BY repository_id, author_email, {weekday}, {hour}"
            ))
            .await?;
        // Charts over years read every day of the daily summary: this index holds all they
        // need, so the table itself is not visited.
        manager
            .create_index(
                Index::create()
                    .name("activity_daily_covering")
                    .table(ActivityDaily::Table)
                    .col(ActivityDaily::RepositoryId)
                    .col(ActivityDaily::Day)
                    .col(ActivityDaily::AuthorEmail)
                    .col(ActivityDaily::Commits)
                    .col(ActivityDaily::Merges)
                    .col(ActivityDaily::Insertions)
                    .col(ActivityDaily::Deletions)
                    .if_not_exists()
                    .to_owned(),
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
        manager.drop_table(Table::drop().table(ActivityHours::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ActivityAuthors::Table).to_owned()).await
    }
}
