//! A webhook secret is derived, not stored: HMAC-SHA256 of the repository's id and the
//! secret's generation under the web's `SECRET_KEY`. Issuing a new generation invalidates the
//! old secret; changing `SECRET_KEY` invalidates them all (hosts then need new secrets).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn derive(secret_key: &str, repository_id: i64, generation: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("gitdash webhook v1|{repository_id}|{generation}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// `hex(HMAC-SHA256(secret, body))`, as GitHub, Gitea and Forgejo sign deliveries.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_differ_by_repository_generation_and_key() {
        let one = derive("k".repeat(32).as_str(), 1, 1);
        assert_eq!(one.len(), 64);
        assert_ne!(one, derive("k".repeat(32).as_str(), 2, 1));
        assert_ne!(one, derive("k".repeat(32).as_str(), 1, 2));
        assert_ne!(one, derive("j".repeat(32).as_str(), 1, 1));
    }

    #[test]
    fn signatures_are_githubs() {
        // The example of GitHub's documentation ("Validating webhook deliveries").
        assert_eq!(
            sign("It's a Secret to Everybody", b"Hello, World!"),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }
}
