//! Credentials of private repositories, sealed at rest with AES-256-GCM (RustCrypto's
//! `aes-gcm`) under `GITDASH_CREDENTIALS_KEY`. The repository's id is bound into every
//! ciphertext as associated data, so a sealed credential copied onto another repository's
//! row does not open. Nothing here prints a secret: `Debug` shows only the kind.
//!
//! Make a key with `openssl rand -base64 32` (32 random bytes, base64 or 64 hex digits).

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The variable the key is read from.
pub const KEY_VARIABLE: &str = "GITDASH_CREDENTIALS_KEY";
const NONCE_LEN: usize = 12;

/// The key credentials are sealed under.
#[derive(Clone)]
pub struct CredentialsKey([u8; 32]);

impl std::fmt::Debug for CredentialsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CredentialsKey({})", self.id())
    }
}

impl CredentialsKey {
    /// Reads 32 bytes written as base64 or as 64 hex digits.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16)).collect::<Result<Vec<u8>, _>>().ok()
        } else {
            base64::engine::general_purpose::STANDARD.decode(text).ok()
        };
        match bytes.map(<[u8; 32]>::try_from) {
            Some(Ok(key)) => Ok(Self(key)),
            _ => {
                Err("must be 32 random bytes as base64 or 64 hex digits (make one with `openssl rand -base64 32`)"
                    .into())
            }
        }
    }

    /// A fingerprint of the key, stored beside what it sealed so that a wrong key is named
    /// as such instead of failing as a damaged ciphertext.
    pub fn id(&self) -> String {
        let digest = Sha256::new_with_prefix(b"gitdash credentials key id").chain_update(self.0).finalize();
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&Key::<Aes256Gcm>::from(self.0))
    }
}

/// What a credential is: an access token (with the user name its host expects), a user
/// name and password, or an SSH deploy key (a private key, with the host key it trusts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    Token,
    Password,
    SshKey,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Token => "token",
            CredentialKind::Password => "password",
            CredentialKind::SshKey => "ssh_key",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "token" => Some(CredentialKind::Token),
            "password" => Some(CredentialKind::Password),
            "ssh_key" => Some(CredentialKind::SshKey),
            _ => None,
        }
    }
}

/// A credential in the clear, only ever in memory.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Credential {
    /// The user name sent with a token or password; for SSH, the account to log in as.
    pub username: String,
    /// The token, the password or the OpenSSH private key.
    pub secret: String,
    /// For an SSH key, the only host key the server may present (`ssh-ed25519 AAAA...`).
    /// Sealed with the key, so that changing the database cannot make gitdash trust
    /// another server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_key: Option<String>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(***)")
    }
}

impl Credential {
    /// A token with the user name its host expects when none is given: GitHub
    /// `x-access-token`, GitLab `oauth2`, Bitbucket `x-token-auth`; Gitea and Forgejo take
    /// any name beside a token, so elsewhere it is `git`.
    pub fn token(host: &str, username: Option<&str>, token: &str) -> Self {
        let host = host.to_ascii_lowercase();
        let default = if host == "github.com" || host.ends_with(".github.com") || host.ends_with(".ghe.com") {
            "x-access-token"
        } else if host == "gitlab.com" || host.starts_with("gitlab.") {
            "oauth2"
        } else if host == "bitbucket.org" {
            "x-token-auth"
        } else {
            "git"
        };
        let username = username.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(default);
        Self { username: username.to_owned(), secret: token.to_owned(), host_key: None }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    #[error("{KEY_VARIABLE} is not set: gitdash cannot store or use credentials without it")]
    NoKey,
    #[error(
        "{KEY_VARIABLE} is not the key this credential was stored under; set the key it was stored with, or set the credential again"
    )]
    WrongKey,
    #[error(
        "the stored credential does not open (it was not stored for this repository, or it is damaged); set it again"
    )]
    Unreadable,
}

fn associated_data(repository_id: i64) -> Vec<u8> {
    let mut data = b"gitdash credential v1 repository ".to_vec();
    data.extend_from_slice(&repository_id.to_be_bytes());
    data
}

/// Seals `credential` for repository `repository_id`: a fresh nonce, then the ciphertext.
pub fn seal(key: &CredentialsKey, repository_id: i64, credential: &Credential) -> Vec<u8> {
    let plain = serde_json::to_vec(credential).unwrap_or_default();
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let aad = associated_data(repository_id);
    let sealed = key.cipher().encrypt(&nonce, Payload { msg: &plain, aad: &aad }).unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    out
}

/// Opens what [`seal`] made for this repository under this key.
pub fn open(
    key: &CredentialsKey,
    key_id: &str,
    repository_id: i64,
    sealed: &[u8],
) -> Result<Credential, CredentialError> {
    if key.id() != key_id {
        return Err(CredentialError::WrongKey);
    }
    if sealed.len() <= NONCE_LEN {
        return Err(CredentialError::Unreadable);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CredentialError::Unreadable)?;
    let aad = associated_data(repository_id);
    let plain = key
        .cipher()
        .decrypt(&Nonce::from(nonce), Payload { msg: ciphertext, aad: &aad })
        .map_err(|_| CredentialError::Unreadable)?;
    serde_json::from_slice(&plain).map_err(|_| CredentialError::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> CredentialsKey {
        CredentialsKey([byte; 32])
    }

    #[test]
    fn a_sealed_credential_opens_for_its_repository_only() {
        let credential = Credential { username: "x-access-token".into(), secret: "ghp_secret".into(), host_key: None };
        let sealed = seal(&key(1), 7, &credential);
        assert!(!sealed.windows(10).any(|w| w == b"ghp_secret"), "no plain text in the sealed bytes");
        assert_eq!(open(&key(1), &key(1).id(), 7, &sealed), Ok(credential));
        assert_eq!(open(&key(1), &key(1).id(), 8, &sealed), Err(CredentialError::Unreadable), "copied to repository 8");
        assert_eq!(open(&key(2), &key(1).id(), 7, &sealed), Err(CredentialError::WrongKey));
        assert_ne!(
            seal(&key(1), 7, &Credential::token("x", None, "t")),
            seal(&key(1), 7, &Credential::token("x", None, "t"))
        );
    }

    #[test]
    fn keys_are_read_as_base64_or_hex_and_never_printed() {
        let base64 = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        let hex = "09".repeat(32);
        assert_eq!(CredentialsKey::parse(&base64).map(|k| k.id()), CredentialsKey::parse(&hex).map(|k| k.id()));
        assert!(CredentialsKey::parse("short").is_err());
        assert!(!format!("{:?}", key(9)).contains("090909"));
        assert_eq!(format!("{:?}", Credential::token("github.com", None, "ghp_x")), "Credential(***)");
    }

    #[test]
    fn tokens_get_the_user_name_their_host_expects() {
        assert_eq!(Credential::token("github.com", None, "t").username, "x-access-token");
        assert_eq!(Credential::token("gitlab.com", None, "t").username, "oauth2");
        assert_eq!(Credential::token("gitlab.example.org", None, "t").username, "oauth2");
        assert_eq!(Credential::token("bitbucket.org", None, "t").username, "x-token-auth");
        assert_eq!(Credential::token("codeberg.org", Some("ada"), "t").username, "ada");
        assert_eq!(Credential::token("git.example.org", None, "t").username, "git");
    }
}
