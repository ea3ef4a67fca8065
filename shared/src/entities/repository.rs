use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repositories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub url: String,
    pub name: String,
    pub default_branch: Option<String>,
    pub head_sha: Option<String>,
    /// The blob id of the `.mailmap` the commits were last mapped with.
    pub mailmap_sha: Option<String>,
    /// The commit whose whole history the stored rows are; NULL while a sync writes (see
    /// the migration `m20261203_000010_indexed_head`).
    pub indexed_head: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_synced_at: Option<DateTimeUtc>,
    /// Who added it (a `users` id); only they or an admin may delete it.
    pub added_by: Option<i64>,
    /// Whether the renames of every stored commit are recorded (see the migration
    /// `m20261205_000015_renames`).
    pub renames_filled: bool,
    /// Whether the co-authors of every stored commit are recorded (see the migration
    /// `m20261205_000016_coauthors`).
    pub coauthors_filled: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::commit::Entity")]
    Commit,
    #[sea_orm(has_many = "super::sync_run::Entity")]
    SyncRun,
}

impl Related<super::commit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Commit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
