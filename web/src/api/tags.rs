//! The groups the OpenAPI document lists operations under.

#[derive(poem_openapi::Tags)]
pub enum ApiTags {
    /// Git repositories and their syncs.
    Repositories,
    /// Sync runs: one fetch and index of a repository.
    Syncs,
    /// Indexed commits.
    Commits,
    /// Commit history over time.
    Activity,
    /// Files and folders: what changed where.
    Files,
}
