//! The writes of the files each commit changed: `paths` (once per repository) and
//! `commit_files` (one row per path a non-merge commit changed). See the migration
//! `m20261203_000012_commit_files`.

use std::{collections::HashMap, sync::Arc};

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    entities::{commit, commit_file, commit_rename, path, repository},
    error::QueryError,
};

/// Rows per INSERT: 8 columns x 500 stays under both databases' parameter limits.
const CHUNK: usize = 500;

/// One path a commit changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    /// Lines added and removed; `None` for a binary file.
    pub lines: Option<(i64, i64)>,
    /// What the path is, stored when the path is first seen.
    pub kind: PathKind,
}

/// A file a commit renamed: its path before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

/// The files one stored commit changed and renamed.
#[derive(Debug, Clone, Copy)]
pub struct CommitFiles<'a> {
    pub sha: &'a str,
    pub files: &'a [FileChange],
    pub renames: &'a [Rename],
}

/// What a path is: decided by the worker once per path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathKind {
    pub language: Option<Arc<str>>,
    pub vendored: bool,
}

/// The ids of the repository's paths met so far in this sync, so that each is looked up or
/// created once.
#[derive(Debug)]
pub struct PathIds {
    repository_id: i64,
    ids: HashMap<String, i64>,
}

impl PathIds {
    pub fn new(repository_id: i64) -> Self {
        Self { repository_id, ids: HashMap::new() }
    }

    /// Makes sure every path of `files` has a row and its id is known.
    async fn learn<'a>(
        &mut self,
        db: &impl ConnectionTrait,
        files: impl Iterator<Item = &'a FileChange>,
    ) -> Result<(), QueryError> {
        let mut unknown: HashMap<&str, &PathKind> = HashMap::new();
        for file in files {
            if !self.ids.contains_key(&file.path) {
                unknown.insert(&file.path, &file.kind);
            }
        }
        let unknown: Vec<(&str, &PathKind)> = unknown.into_iter().collect();
        for chunk in unknown.chunks(CHUNK) {
            let rows = chunk.iter().map(|(p, kind)| {
                let (folder, top_folder, extension) = parts(p);
                path::ActiveModel {
                    repository_id: Set(self.repository_id),
                    path: Set((*p).to_owned()),
                    folder: Set(folder.to_owned()),
                    top_folder: Set(top_folder.to_owned()),
                    extension: Set(extension),
                    language: Set(kind.language.as_deref().map(str::to_owned)),
                    vendored: Set(kind.vendored),
                    ..Default::default()
                }
            });
            path::Entity::insert_many(rows)
                .on_conflict_do_nothing_on([path::Column::RepositoryId, path::Column::Path])
                .exec_without_returning(db)
                .await?;
            let found: Vec<(i64, String)> = path::Entity::find()
                .select_only()
                .column(path::Column::Id)
                .column(path::Column::Path)
                .filter(path::Column::RepositoryId.eq(self.repository_id))
                .filter(path::Column::Path.is_in(chunk.iter().map(|(p, _)| (*p).to_owned())))
                .into_tuple()
                .all(db)
                .await?;
            self.ids.extend(found.into_iter().map(|(id, p)| (p, id)));
        }
        Ok(())
    }
}

/// Paths under `folder` (not the folder itself), as a range on the paths index: from
/// `folder/` up to `folder0`, '0' being the character after '/'.
pub fn under(folder: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(path::Column::Path.gte(format!("{folder}/")))
        .add(path::Column::Path.lt(format!("{folder}0")))
}

/// A path as the index stores it: no leading or trailing slash; `None` for the whole tree.
pub fn normal_path(path: &str) -> Option<&str> {
    Some(path.trim().trim_matches('/')).filter(|p| !p.is_empty())
}

/// The ids of the commits (of one repository, or all) that changed `path` or a path under
/// it ([`under`]), found through the (path, commit) index.
pub(crate) fn commits_changing(repository_id: Option<i64>, path: &str) -> sea_orm::sea_query::SelectStatement {
    use crate::entities::{commit_file, path as paths};
    use sea_orm::{
        Condition,
        sea_query::{Expr, ExprTrait},
    };
    let mut query = sea_orm::sea_query::Query::select();
    query
        .column((commit_file::Entity, commit_file::Column::CommitId))
        .from(commit_file::Entity)
        .inner_join(
            paths::Entity,
            Expr::col((paths::Entity, paths::Column::Id)).equals((commit_file::Entity, commit_file::Column::PathId)),
        )
        .cond_where(Condition::any().add(Expr::col((paths::Entity, paths::Column::Path)).eq(path)).add(under(path)));
    if let Some(id) = repository_id {
        query.and_where(Expr::col((paths::Entity, paths::Column::RepositoryId)).eq(id));
    }
    query
}

/// The folder holding `path` ("" at the top), its first folder ("" for a file at the top)
/// and its file name's extension, lowercased.
pub fn parts(path: &str) -> (&str, &str, Option<String>) {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    let top_folder = path.split_once('/').map_or("", |(top, _)| top);
    let extension = name
        .rsplit_once('.')
        .filter(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
        .map(|(_, ext)| ext.to_lowercase());
    (folder, top_folder, extension)
}

/// Stores the files and renames of commits already stored, skipping rows already there.
/// The caller runs it in the transaction that stored the commits, so a commit is never
/// stored without its files.
pub async fn insert(
    db: &impl ConnectionTrait,
    repository_id: i64,
    paths: &mut PathIds,
    changes: &[CommitFiles<'_>],
) -> Result<(), QueryError> {
    paths.learn(db, changes.iter().flat_map(|c| c.files.iter())).await?;
    let paths = &*paths;
    let commit_ids = commit_ids(db, repository_id, changes.iter().map(|c| c.sha)).await?;
    let stored = changes.iter().filter_map(|c| Some((*commit_ids.get(c.sha)?, c)));
    let mut files = Vec::new();
    let mut renames = Vec::new();
    for (commit_id, change) in stored {
        files.extend(change.files.iter().filter_map(|file| {
            Some((commit_id, *paths.ids.get(&file.path)?, file.lines.map(|l| l.0), file.lines.map(|l| l.1)))
        }));
        renames.extend(
            change.renames.iter().filter_map(|r| Some((commit_id, *paths.ids.get(&r.from)?, *paths.ids.get(&r.to)?))),
        );
    }
    insert_file_rows(db, &files).await?;
    insert_rename_rows(db, &renames).await
}

/// Stores the renames of commits whose files are already stored (older rows filled in).
pub async fn insert_renames(
    db: &impl ConnectionTrait,
    repository_id: i64,
    paths: &mut PathIds,
    changes: &[CommitFiles<'_>],
) -> Result<(), QueryError> {
    let files: Vec<CommitFiles<'_>> = changes.iter().map(|c| CommitFiles { files: &[], ..*c }).collect();
    let named: Vec<FileChange> = changes
        .iter()
        .flat_map(|c| c.renames.iter())
        .flat_map(|r| [&r.from, &r.to])
        .map(|p| FileChange { path: p.clone(), lines: None, kind: PathKind::default() })
        .collect();
    paths.learn(db, named.iter()).await?;
    insert(db, repository_id, paths, &files).await
}

/// The ids of the repository's commits `shas`.
pub(crate) async fn commit_ids<'a>(
    db: &impl ConnectionTrait,
    repository_id: i64,
    shas: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, i64>, QueryError> {
    let shas: Vec<String> = shas.map(str::to_owned).collect();
    let mut ids = HashMap::new();
    for chunk in shas.chunks(CHUNK) {
        let found: Vec<(i64, String)> = commit::Entity::find()
            .select_only()
            .column(commit::Column::Id)
            .column(commit::Column::Sha)
            .filter(commit::Column::RepositoryId.eq(repository_id))
            .filter(commit::Column::Sha.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        ids.extend(found.into_iter().map(|(id, sha)| (sha, id)));
    }
    Ok(ids)
}

/// Inserts `(commit_id, from_path_id, to_path_id)` rows, skipping those already there.
async fn insert_rename_rows(db: &impl ConnectionTrait, rows: &[(i64, i64, i64)]) -> Result<(), QueryError> {
    for chunk in rows.chunks(CHUNK) {
        let models = chunk.iter().map(|&(commit_id, from, to)| commit_rename::ActiveModel {
            commit_id: Set(commit_id),
            from_path_id: Set(from),
            to_path_id: Set(to),
        });
        commit_rename::Entity::insert_many(models)
            .on_conflict_do_nothing_on([commit_rename::Column::CommitId, commit_rename::Column::ToPathId])
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Inserts `(commit_id, path_id, insertions, deletions)` rows as one JSON array bound to one
/// statement: the same SQL text whatever the number of rows, so each connection prepares it
/// once (a VALUES list per row count would fill the statement cache with large programs).
async fn insert_file_rows(
    db: &impl ConnectionTrait,
    rows: &[(i64, i64, Option<i64>, Option<i64>)],
) -> Result<(), QueryError> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "INSERT INTO commit_files (commit_id, path_id, insertions, deletions) \
             SELECT (e->>0)::bigint, (e->>1)::bigint, (e->>2)::bigint, (e->>3)::bigint \
             FROM jsonb_array_elements($1::jsonb) AS e ON CONFLICT DO NOTHING"
        }
        _ => {
            // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT.
            "INSERT INTO commit_files (commit_id, path_id, insertions, deletions) \
             SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
        }
    };
    let json = serde_json::to_string(rows).map_err(|_| QueryError::Internal("file rows as JSON"))?;
    db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [json.into()])).await?;
    Ok(())
}

/// The shas of the repository's non-merge commits that changed files but have no file rows:
/// those stored before file rows existed.
pub async fn shas_without_files(db: &impl ConnectionTrait, repository_id: i64) -> Result<Vec<String>, QueryError> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let has_files = Query::select()
        .expr(Expr::val(1))
        .from(commit_file::Entity)
        .and_where(
            Expr::col((commit_file::Entity, commit_file::Column::CommitId))
                .equals((commit::Entity, commit::Column::Id)),
        )
        .to_owned();
    Ok(commit::Entity::find()
        .select_only()
        .column(commit::Column::Sha)
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .filter(commit::Column::ParentCount.lte(1))
        .filter(commit::Column::FilesChanged.gt(0))
        .filter(Expr::exists(has_files).not())
        .into_tuple()
        .all(db)
        .await?)
}

/// The shas of the repository's commits that could have renamed a file: one parent, and at
/// least two files changed (the file deleted and the one added).
pub async fn shas_that_may_rename(db: &impl ConnectionTrait, repository_id: i64) -> Result<Vec<String>, QueryError> {
    Ok(commit::Entity::find()
        .select_only()
        .column(commit::Column::Sha)
        .filter(commit::Column::RepositoryId.eq(repository_id))
        .filter(commit::Column::ParentCount.eq(1))
        .filter(commit::Column::FilesChanged.gte(2))
        .order_by_asc(commit::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Records that every stored commit's renames are kept.
pub async fn set_renames_filled(db: &impl ConnectionTrait, repository_id: i64) -> Result<(), QueryError> {
    repository::Entity::update_many()
        .col_expr(repository::Column::RenamesFilled, sea_orm::sea_query::Expr::value(true))
        .filter(repository::Column::Id.eq(repository_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks which of the repository's paths are files of its head tree (`files`): ownership
/// and the truck factor count those; and which are vendored or generated, as `vendored`
/// (their name, and the head tree's `.gitattributes`) now says. Only the paths whose mark
/// changes are written; returns whether a vendored mark changed (the language summary then
/// needs building again).
pub async fn mark_head(
    db: &sea_orm::DatabaseConnection,
    repository_id: i64,
    files: &[String],
    vendored: impl Fn(&str) -> bool,
) -> Result<bool, QueryError> {
    use sea_orm::sea_query::Expr;
    let head: std::collections::HashSet<&str> = files.iter().map(String::as_str).collect();
    let stored: Vec<(i64, String, bool, bool)> = path::Entity::find()
        .select_only()
        .column(path::Column::Id)
        .column(path::Column::Path)
        .column(path::Column::InHead)
        .column(path::Column::Vendored)
        .filter(path::Column::RepositoryId.eq(repository_id))
        .into_tuple()
        .all(db)
        .await?;
    let (mut now_in, mut now_out, mut now_vendored, mut now_not) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, p, in_head, was_vendored) in stored {
        match (head.contains(p.as_str()), in_head) {
            (true, false) => now_in.push(id),
            (false, true) => now_out.push(id),
            _ => {}
        }
        match (vendored(&p), was_vendored) {
            (true, false) => now_vendored.push(id),
            (false, true) => now_not.push(id),
            _ => {}
        }
    }
    let marks_changed = !now_vendored.is_empty() || !now_not.is_empty();
    let txn = crate::db::begin_write(db).await?;
    let updates = [
        (now_in, path::Column::InHead, true),
        (now_out, path::Column::InHead, false),
        (now_vendored, path::Column::Vendored, true),
        (now_not, path::Column::Vendored, false),
    ];
    for (ids, column, value) in updates {
        for chunk in ids.chunks(CHUNK) {
            path::Entity::update_many()
                .col_expr(column, Expr::value(value))
                .filter(path::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(marks_changed)
}

/// One path of one commit, as the commit page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    /// `None` for a binary file.
    pub lines: Option<(i64, i64)>,
    pub language: Option<String>,
    pub vendored: bool,
}

/// The files commit `commit_id` changed, in path order (none for a merge, or a commit stored
/// before file rows existed and not filled in yet).
pub async fn of_commit(db: &impl ConnectionTrait, commit_id: i64) -> Result<Vec<ChangedFile>, QueryError> {
    use sea_orm::{QueryOrder, RelationTrait, sea_query::JoinType};
    type Row = (String, Option<i64>, Option<i64>, Option<String>, bool);
    let rows: Vec<Row> = commit_file::Entity::find()
        .select_only()
        .column(path::Column::Path)
        .column(commit_file::Column::Insertions)
        .column(commit_file::Column::Deletions)
        .column(path::Column::Language)
        .column(path::Column::Vendored)
        .join(JoinType::InnerJoin, commit_file::Relation::Path.def())
        .filter(commit_file::Column::CommitId.eq(commit_id))
        .order_by_asc(path::Column::Path)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(path, insertions, deletions, language, vendored)| ChangedFile {
            path,
            lines: insertions.zip(deletions),
            language,
            vendored,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn a_path_is_split_into_its_folder_top_folder_and_extension() {
        assert_eq!(parts("web/src/app.rs"), ("web/src", "web", Some("rs".into())));
        assert_eq!(parts("README.MD"), ("", "", Some("md".into())));
        assert_eq!(parts("Makefile"), ("", "", None));
        assert_eq!(parts("docs/.gitignore"), ("docs", "docs", None));
        assert_eq!(parts("a/b/archive.tar.gz"), ("a/b", "a", Some("gz".into())));
    }
}
