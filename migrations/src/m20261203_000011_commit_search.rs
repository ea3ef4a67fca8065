//! Searching commit messages by index instead of reading every message.
//!
//! A search matches commits whose message holds every word of the query as the start of one
//! of its words ("fix crash" finds "Crash fixed in the parser"), as GitHub's commit search
//! does. Words are runs of letters and digits, compared without case, the same on both
//! databases:
//! - SQLite: an FTS5 table `commits_search` over `commits.message` (external content, so the
//!   text is stored once), kept by triggers in the same transactions as the rows it indexes,
//!   with the `unicode61` tokenizer (diacritics kept, as PostgreSQL keeps them).
//! - PostgreSQL: a stored generated column `message_words`, `to_tsvector('simple', <the
//!   message with every run of other characters made one space>)`, with a GIN index: the
//!   `simple` configuration lowercases and keeps every word, and the replacement stops its
//!   parser from reading paths, e-mails and versions as one word each, so "parser" is found
//!   in "src/parser.c" there as in SQLite. The column is not in the sea-orm entity: only
//!   searches read it.
//!
//! `queries::commits` writes the matching query for each.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // Stored, so a match is checked against the words, not by splitting the
                // message again for every candidate row.
                db.execute_unprepared(
                    "ALTER TABLE commits ADD COLUMN message_words tsvector GENERATED ALWAYS AS \
                     (to_tsvector('simple', regexp_replace(message, '[^[:alnum:]]+', ' ', 'g'))) STORED",
                )
                .await?;
                db.execute_unprepared("CREATE INDEX commits_message_words ON commits USING gin (message_words)")
                    .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE commits_search USING fts5(message, content='commits', \
                     content_rowid='id', tokenize='unicode61 remove_diacritics 0', detail=column, columnsize=0)",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER commits_search_insert AFTER INSERT ON commits BEGIN \
                     INSERT INTO commits_search(rowid, message) VALUES (new.id, new.message); END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER commits_search_delete AFTER DELETE ON commits BEGIN \
                     INSERT INTO commits_search(commits_search, rowid, message) VALUES ('delete', old.id, old.message); \
                     END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER commits_search_update AFTER UPDATE OF message ON commits BEGIN \
                     INSERT INTO commits_search(commits_search, rowid, message) VALUES ('delete', old.id, old.message); \
                     INSERT INTO commits_search(rowid, message) VALUES (new.id, new.message); END",
                )
                .await?;
                // Commits stored before this migration.
                db.execute_unprepared("INSERT INTO commits_search(commits_search) VALUES ('rebuild')").await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS commits_message_words").await?;
                db.execute_unprepared("ALTER TABLE commits DROP COLUMN IF EXISTS message_words").await?;
            }
            _ => {
                for trigger in ["commits_search_insert", "commits_search_delete", "commits_search_update"] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}")).await?;
                }
                db.execute_unprepared("DROP TABLE IF EXISTS commits_search").await?;
            }
        }
        Ok(())
    }
}
