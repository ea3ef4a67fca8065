use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub repository_id: i64,
    pub sha: String,
    pub parent_count: i32,
    /// The author after the repository's `.mailmap`.
    pub author_name: String,
    pub author_email: String,
    /// The author as recorded in the commit, kept so a changed `.mailmap` can be re-applied.
    pub original_author_name: String,
    pub original_author_email: String,
    pub authored_at: DateTimeUtc,
    pub author_utc_offset_minutes: i32,
    /// The weekday (0 = Sunday) times 24 plus the hour of the author's own time: the
    /// punch card's cell, kept so a range's punch card reads an index.
    pub author_weekday_hour: i32,
    pub committer_name: String,
    pub committer_email: String,
    pub committed_at: DateTimeUtc,
    pub summary: String,
    pub message: String,
    /// `None` for merges: their line counts depend on which parent one compares with.
    pub files_changed: Option<i32>,
    pub insertions: Option<i64>,
    pub deletions: Option<i64>,
    /// Of the lines added and removed, those in generated paths (`GITDASH_GENERATED_PATHS`);
    /// `None` for merges, and until a sync has counted a row stored before the column existed.
    pub generated_lines: Option<i64>,
    /// The parents' full shas in order, space-separated; `None` until a sync has filled a
    /// row stored before the column existed.
    pub parents: Option<String>,
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

impl Related<super::repository::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Repository.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
