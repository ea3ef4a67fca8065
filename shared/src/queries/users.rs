//! People: recorded at sign-in, found again for each authenticated request.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr};

use crate::{entities::user, error::QueryError, queries::now};

/// What the provider (and, when configured, Okta's Users API) said about someone.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub groups: Vec<String>,
    pub okta_status: Option<String>,
    pub okta_profile: Option<serde_json::Value>,
}

/// Creates or updates the user after a sign-in, and stamps the time of it.
pub async fn record_sign_in(db: &impl ConnectionTrait, profile: &Profile) -> Result<user::Model, QueryError> {
    let existing = find(db, &profile.issuer, &profile.subject).await?;
    let groups = serde_json::to_string(&profile.groups).unwrap_or_else(|_| "[]".into());
    let okta_profile = profile.okta_profile.as_ref().map(|p| p.to_string());
    match existing {
        Some(user) => {
            let mut model: user::ActiveModel = user.into();
            model.email = Set(profile.email.clone());
            model.name = Set(profile.name.clone());
            model.groups = Set(groups);
            model.okta_status = Set(profile.okta_status.clone());
            model.okta_profile = Set(okta_profile);
            model.last_sign_in_at = Set(Some(now()));
            Ok(model.update(db).await?)
        }
        None => {
            let model = user::ActiveModel {
                issuer: Set(profile.issuer.clone()),
                subject: Set(profile.subject.clone()),
                email: Set(profile.email.clone()),
                name: Set(profile.name.clone()),
                groups: Set(groups),
                okta_status: Set(profile.okta_status.clone()),
                okta_profile: Set(okta_profile),
                created_at: Set(now()),
                last_sign_in_at: Set(Some(now())),
                ..Default::default()
            };
            insert_or_find(db, model, &profile.issuer, &profile.subject).await
        }
    }
}

/// The user an access token speaks for, created on first sight (an API client may never
/// have signed in through the browser). Profile fields the token lacks are left as they are.
pub async fn for_access_token(db: &impl ConnectionTrait, profile: &Profile) -> Result<user::Model, QueryError> {
    if let Some(user) = find(db, &profile.issuer, &profile.subject).await? {
        return Ok(user);
    }
    let model = user::ActiveModel {
        issuer: Set(profile.issuer.clone()),
        subject: Set(profile.subject.clone()),
        email: Set(profile.email.clone()),
        name: Set(profile.name.clone()),
        groups: Set(serde_json::to_string(&profile.groups).unwrap_or_else(|_| "[]".into())),
        created_at: Set(now()),
        ..Default::default()
    };
    insert_or_find(db, model, &profile.issuer, &profile.subject).await
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<user::Model, QueryError> {
    user::Entity::find_by_id(id).one(db).await?.ok_or(QueryError::NotFound("user"))
}

async fn find(db: &impl ConnectionTrait, issuer: &str, subject: &str) -> Result<Option<user::Model>, QueryError> {
    Ok(user::Entity::find()
        .filter(user::Column::Issuer.eq(issuer))
        .filter(user::Column::Subject.eq(subject))
        .one(db)
        .await?)
}

async fn insert_or_find(
    db: &impl ConnectionTrait,
    model: user::ActiveModel,
    issuer: &str,
    subject: &str,
) -> Result<user::Model, QueryError> {
    match model.insert(db).await {
        Ok(user) => Ok(user),
        // The same person's two first requests at once: the unique index decides.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            find(db, issuer, subject).await?.ok_or(QueryError::NotFound("user"))
        }
        Err(err) => Err(err.into()),
    }
}
