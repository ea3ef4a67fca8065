//! The error every query-layer function returns. The web maps it to status codes in one
//! place; the worker decides from it whether a failure is worth a retry.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

impl QueryError {
    /// Busy or unreachable databases heal by themselves; the caller may try again later.
    pub fn is_transient(&self) -> bool {
        match self {
            QueryError::NotFound(_) => false,
            QueryError::Database(err) => crate::db::is_transient(err),
        }
    }
}
