//! Reading Git repositories with gitoxide: keeping a bare clone up to date, walking history,
//! and counting changed files and lines the way `git log --numstat --no-renames` does.

pub mod attributes;
pub mod coauthors;
mod error;
pub mod fetch;
pub mod head_files;
pub mod history;
pub mod identity;
pub mod numstat;
pub mod paths;
mod renames;
pub mod text;

pub use error::GitError;
