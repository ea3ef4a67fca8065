use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub repository_id: i64,
    pub state: SyncState,
    /// What the run is doing now, in words ("fetching", "indexing 1200 of 5000 commits").
    pub phase: Option<String>,
    /// Percent done, 0 to 100.
    pub progress: i32,
    pub commits_added: i64,
    pub commits_removed: i64,
    pub error: Option<String>,
    /// How many times a worker has started this run.
    pub attempt: i32,
    /// The worker holding the run while it is running, and when it last said so: a run whose
    /// worker fell silent is taken over by another.
    pub worker: Option<String>,
    pub heartbeat_at: Option<DateTimeUtc>,
    pub queued_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum SyncState {
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "succeeded")]
    Succeeded,
    #[sea_orm(string_value = "failed")]
    Failed,
}

impl SyncState {
    /// The state as stored and as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Queued => "queued",
            SyncState::Running => "running",
            SyncState::Succeeded => "succeeded",
            SyncState::Failed => "failed",
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::repository::Entity",
        from = "Column::RepositoryId",
        to = "super::repository::Column::Id",
        on_delete = "Cascade"
    )]
    Repository,
}

impl ActiveModelBehavior for ActiveModel {}

impl Related<super::repository::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Repository.def()
    }
}
