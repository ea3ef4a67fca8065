//! The pages' downloads: the rows a page lists, written with the API's own serde types, so
//! an export has the API's field names and nothing is listed twice.

use poem::{IntoResponse, Response, http::header};
use serde::Serialize;

use super::error::PageError;

/// `rows` as a CSV file named `name`, one column per field, in the type's order.
pub fn csv<T: Serialize>(rows: impl IntoIterator<Item = T>, name: &str) -> Result<Response, PageError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(PageError::internal)?;
    }
    let bytes = writer.into_inner().map_err(PageError::internal)?;
    Ok(bytes
        .with_content_type("text/csv; charset=utf-8")
        .with_header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .into_response())
}

/// `rows` as a JSON array in a file named `name`.
pub fn json<T: Serialize>(rows: &[T], name: &str) -> Result<Response, PageError> {
    let bytes = serde_json::to_vec(rows).map_err(PageError::internal)?;
    Ok(bytes
        .with_content_type("application/json; charset=utf-8")
        .with_header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .into_response())
}
