//! Identities mapped through a repository's `.mailmap`, for authors, committers and
//! co-authors alike.

use std::collections::HashMap;

use gix::bstr::BStr;

use super::text::text;

/// Maps identities through a `.mailmap`, remembering answers: most commits share a few
/// hundred authors.
pub struct IdentityMapper<'a> {
    mailmap: &'a gix::mailmap::Snapshot,
    cache: HashMap<(Vec<u8>, Vec<u8>), (String, String)>,
}

impl<'a> IdentityMapper<'a> {
    pub fn new(mailmap: &'a gix::mailmap::Snapshot) -> Self {
        Self { mailmap, cache: HashMap::new() }
    }

    pub fn map(&mut self, name: &BStr, email: &BStr) -> (String, String) {
        let key = (name.to_vec(), email.to_vec());
        if let Some(found) = self.cache.get(&key) {
            return found.clone();
        }
        let signature = gix::actor::SignatureRef { name, email, time: "" };
        let mapped = self.mailmap.resolve_cow(signature);
        let result = (text(mapped.name.as_ref()), text(mapped.email.as_ref()));
        self.cache.insert(key, result.clone());
        result
    }
}
