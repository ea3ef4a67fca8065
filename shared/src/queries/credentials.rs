//! The credential of a private repository: stored sealed (`crate::credentials`), set,
//! replaced or removed only by whoever may manage the repository, and described to everyone
//! else by its kind, when and by whom it was set — never its content.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict};

use super::{Caller, managed_repository, now};
use crate::{
    credentials::{self, Credential, CredentialError, CredentialKind, CredentialsKey},
    entities::repository_credential,
    error::QueryError,
};

/// What anyone may know of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialInfo {
    pub kind: String,
    pub set_at: DateTime<Utc>,
    pub set_by: Option<i64>,
    /// For an SSH deploy key, the server's host key it trusts (public).
    pub host_key: Option<String>,
}

impl From<&repository_credential::Model> for CredentialInfo {
    fn from(row: &repository_credential::Model) -> Self {
        Self { kind: row.kind.clone(), set_at: row.set_at, set_by: row.set_by, host_key: row.host_key.clone() }
    }
}

/// The credentials of every repository that has one, described.
pub async fn infos(db: &impl ConnectionTrait) -> Result<HashMap<i64, CredentialInfo>, QueryError> {
    let rows = repository_credential::Entity::find().all(db).await?;
    Ok(rows.iter().map(|row| (row.repository_id, CredentialInfo::from(row))).collect())
}

pub async fn info(db: &impl ConnectionTrait, repository_id: i64) -> Result<Option<CredentialInfo>, QueryError> {
    Ok(repository_credential::Entity::find_by_id(repository_id).one(db).await?.as_ref().map(CredentialInfo::from))
}

/// Seals `credential` for the repository and stores it, replacing any before it.
pub async fn set(
    db: &impl ConnectionTrait,
    key: &CredentialsKey,
    repository_id: i64,
    kind: CredentialKind,
    credential: &Credential,
    caller: &Caller,
) -> Result<CredentialInfo, QueryError> {
    managed_repository(db, repository_id, caller, "credential").await?;
    let row = repository_credential::ActiveModel {
        repository_id: Set(repository_id),
        kind: Set(kind.as_str().to_owned()),
        key_id: Set(key.id()),
        sealed: Set(credentials::seal(key, repository_id, credential)),
        set_at: Set(now()),
        set_by: Set(caller.user()),
        host_key: Set(credential.host_key.clone()),
    };
    repository_credential::Entity::insert(row)
        .on_conflict(
            OnConflict::column(repository_credential::Column::RepositoryId)
                .update_columns([
                    repository_credential::Column::Kind,
                    repository_credential::Column::KeyId,
                    repository_credential::Column::Sealed,
                    repository_credential::Column::SetAt,
                    repository_credential::Column::SetBy,
                    repository_credential::Column::HostKey,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    info(db, repository_id).await?.ok_or(QueryError::Internal("a credential just stored is missing"))
}

/// Removes the repository's credential; `false` when it had none.
pub async fn remove(db: &impl ConnectionTrait, repository_id: i64, caller: &Caller) -> Result<bool, QueryError> {
    managed_repository(db, repository_id, caller, "credential").await?;
    let result = repository_credential::Entity::delete_by_id(repository_id).exec(db).await?;
    Ok(result.rows_affected > 0)
}

/// The credential to fetch the repository with, opened: `Ok(None)` when it has none.
pub async fn for_fetching(
    db: &impl ConnectionTrait,
    key: Option<&CredentialsKey>,
    repository_id: i64,
) -> Result<Option<Result<Credential, CredentialError>>, QueryError> {
    let Some(row) = repository_credential::Entity::find_by_id(repository_id).one(db).await? else {
        return Ok(None);
    };
    Ok(Some(match key {
        None => Err(CredentialError::NoKey),
        Some(key) => credentials::open(key, &row.key_id, repository_id, &row.sealed),
    }))
}

/// Seals every credential again under `new`, in one transaction's worth of statements the
/// caller commits; fails without changing anything when one does not open under `old`.
pub async fn reseal_all(
    db: &impl ConnectionTrait,
    old: &CredentialsKey,
    new: &CredentialsKey,
) -> Result<Result<usize, (i64, CredentialError)>, QueryError> {
    let rows = repository_credential::Entity::find().all(db).await?;
    let mut opened = Vec::with_capacity(rows.len());
    for row in &rows {
        match credentials::open(old, &row.key_id, row.repository_id, &row.sealed) {
            Ok(credential) => opened.push((row.repository_id, credential)),
            Err(err) => return Ok(Err((row.repository_id, err))),
        }
    }
    for (repository_id, credential) in &opened {
        repository_credential::Entity::update_many()
            .filter(repository_credential::Column::RepositoryId.eq(*repository_id))
            .col_expr(repository_credential::Column::KeyId, sea_orm::sea_query::Expr::value(new.id()))
            .col_expr(
                repository_credential::Column::Sealed,
                sea_orm::sea_query::Expr::value(credentials::seal(new, *repository_id, credential)),
            )
            .exec(db)
            .await?;
    }
    Ok(Ok(opened.len()))
}
