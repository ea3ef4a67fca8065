//! The error every query-layer function returns. The web maps it to status codes in one
//! place; the worker decides from it whether a failure is worth a retry.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller may not do this; the text says why.
    #[error("{0}")]
    Forbidden(String),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// A broken invariant of the query layer itself.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl QueryError {
    /// Busy or unreachable databases heal by themselves; the caller may try again later.
    pub fn is_transient(&self) -> bool {
        match self {
            QueryError::NotFound(_) | QueryError::Forbidden(_) | QueryError::Internal(_) => false,
            QueryError::Database(err) => crate::db::is_transient(err),
        }
    }
}
