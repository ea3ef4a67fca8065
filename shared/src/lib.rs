//! What `gitdash-web` and `gitdash-worker` share: configuration, the database connection and
//! its entities, the sync job payload and queue, and the query layer both processes go through.

pub mod auth_config;
pub mod authorship;
pub mod bots;
pub mod config;
pub mod credentials;
pub mod db;
pub mod entities;
pub mod error;
pub mod generated;
pub mod jobs;
pub mod numbers;
pub mod queries;
pub mod repo_url;
pub mod ssh;
pub mod telemetry;

pub use config::Config;
pub use error::QueryError;
