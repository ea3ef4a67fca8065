//! sea-orm entities, one file per table of `migrations`.

pub mod activity_author;
pub mod activity_daily;
pub mod activity_hour;
pub mod commit;
pub mod commit_coauthor;
pub mod commit_file;
pub mod commit_rename;
pub mod file_pair;
pub mod language_month;
pub mod path;
pub mod path_author;
pub mod repository;
pub mod repository_credential;
pub mod repository_webhook;
pub mod sync_run;
pub mod tag;
pub mod user;
