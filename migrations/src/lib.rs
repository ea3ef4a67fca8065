//! The gitdash schema. Migrations run automatically when `gitdash-web` or `gitdash-worker`
//! starts (see `gitdash_shared::db::connect`); table and column names are a public interface:
//! people query them directly, so they only ever change through a new migration.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_initial;
mod m20261127_000002_users;
mod m20261127_000003_activity_daily;
mod m20261128_000004_commits_by_time;
mod m20261128_000005_author_summaries;
mod m20261128_000006_largest_change;
mod m20261128_000007_range_indexes;
mod m20261202_000008_private_repositories;
mod m20261202_000009_commit_details;
mod m20261203_000010_indexed_head;
mod m20261203_000011_commit_search;
mod m20261203_000012_commit_files;
mod m20261203_000013_ownership;
mod m20261204_000014_ssh_host_keys;
mod m20261205_000015_renames;
mod m20261205_000016_coauthors;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_initial::Migration),
            Box::new(m20261127_000002_users::Migration),
            Box::new(m20261127_000003_activity_daily::Migration),
            Box::new(m20261128_000004_commits_by_time::Migration),
            Box::new(m20261128_000005_author_summaries::Migration),
            Box::new(m20261128_000006_largest_change::Migration),
            Box::new(m20261128_000007_range_indexes::Migration),
            Box::new(m20261202_000008_private_repositories::Migration),
            Box::new(m20261202_000009_commit_details::Migration),
            Box::new(m20261203_000010_indexed_head::Migration),
            Box::new(m20261203_000011_commit_search::Migration),
            Box::new(m20261203_000012_commit_files::Migration),
            Box::new(m20261203_000013_ownership::Migration),
            Box::new(m20261204_000014_ssh_host_keys::Migration),
            Box::new(m20261205_000015_renames::Migration),
            Box::new(m20261205_000016_coauthors::Migration),
        ]
    }
}
