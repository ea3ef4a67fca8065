use sea_orm::entity::prelude::*;

/// Someone who signed in: identified by the provider's issuer and subject, never by email.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// JSON array of group names from the last sign-in.
    pub groups: String,
    /// The Okta Users API status at the last sign-in, when that API is configured.
    pub okta_status: Option<String>,
    /// The Okta user's `profile` object (JSON) at the last sign-in.
    pub okta_profile: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_sign_in_at: Option<DateTimeUtc>,
}

impl Model {
    pub fn group_names(&self) -> Vec<String> {
        serde_json::from_str(&self.groups).unwrap_or_default()
    }

    /// What pages show for this person.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().or(self.email.as_deref()).unwrap_or(&self.subject)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
