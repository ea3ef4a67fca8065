//! Git's bytes as database text, for commit fields and paths alike.

use gix::bstr::BStr;

/// Text for the database: invalid UTF-8 replaced, and NUL (which PostgreSQL cannot store)
/// too.
pub fn text(bytes: &BStr) -> String {
    let lossy = String::from_utf8_lossy(bytes.as_ref());
    if lossy.contains('\0') { lossy.replace('\0', "\u{FFFD}") } else { lossy.into_owned() }
}
