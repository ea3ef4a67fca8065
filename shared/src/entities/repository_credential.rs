use sea_orm::entity::prelude::*;

/// A repository's credential, sealed (see `crate::credentials`): nothing here reveals it.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repository_credentials")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub repository_id: i64,
    /// `token`, `password` or `ssh_key`.
    pub kind: String,
    /// Which key sealed it: a fingerprint of `GITDASH_CREDENTIALS_KEY`, never the key.
    pub key_id: String,
    /// Nonce and AES-256-GCM ciphertext.
    pub sealed: Vec<u8>,
    pub set_at: DateTimeUtc,
    /// The user who set it; `None` for the operator.
    pub set_by: Option<i64>,
    /// For an SSH deploy key, the host key pinned with it (public; the worker uses the copy
    /// sealed inside the credential).
    pub host_key: Option<String>,
}

// Written by hand so that no log line or panic ever prints the sealed bytes.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepositoryCredential")
            .field("repository_id", &self.repository_id)
            .field("kind", &self.kind)
            .field("set_at", &self.set_at)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
