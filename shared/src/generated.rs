//! Lines nobody wrote: lock files, minified bundles, source maps and vendored folders
//! (`GITDASH_GENERATED_PATHS`). A small value type of the settings layer: configuration reads
//! it, the worker counts each commit's lines in such paths apart (`commits.generated_lines`),
//! and the query layer leaves them out where size should mean work, as in "largest changes".

use std::{ffi::OsStr, os::unix::ffi::OsStrExt, path::Path, sync::Arc};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Lock files of the common package managers, minified files and source maps, and folders of
/// other people's code, at any depth.
pub const DEFAULT_GENERATED_PATHS: &str = "**/*.lock,**/package-lock.json,**/npm-shrinkwrap.json,\
**/pnpm-lock.yaml,**/go.sum,**/*.min.js,**/*.min.css,**/*.js.map,**/*.css.map,**/vendor/**,**/node_modules/**";

/// The compiled globs, matched against paths relative to the repository's root.
#[derive(Debug, Clone)]
pub struct GeneratedPaths(Arc<GlobSet>);

impl GeneratedPaths {
    /// Comma-separated globs (`**/*.lock,third_party/**`); an empty text matches nothing.
    pub fn parse(globs: &str) -> Result<Self, globset::Error> {
        let mut set = GlobSetBuilder::new();
        for glob in globs.split(',').map(str::trim).filter(|g| !g.is_empty()) {
            set.add(Glob::new(glob)?);
        }
        Ok(Self(Arc::new(set.build()?)))
    }

    /// Whether `path` (as Git stores it, bytes separated by `/`) is generated.
    pub fn matches(&self, path: &[u8]) -> bool {
        !self.0.is_empty() && self.0.is_match(Path::new(OsStr::from_bytes(path)))
    }
}

impl Default for GeneratedPaths {
    fn default() -> Self {
        Self::parse(DEFAULT_GENERATED_PATHS).expect("the default generated paths compile")
    }
}

#[cfg(test)]
mod tests {
    use super::GeneratedPaths;

    #[test]
    fn lock_files_bundles_and_vendored_code_are_generated_and_sources_are_not() {
        let generated = GeneratedPaths::default();
        for path in [
            "Cargo.lock",
            "web/yarn.lock",
            "package-lock.json",
            "app/static/app.min.js",
            "vendor/x/y.go",
            "a/node_modules/b/c.js",
            "go.sum",
        ] {
            assert!(generated.matches(path.as_bytes()), "{path}");
        }
        for path in ["src/lock.rs", "README.md", "web/app.js", "docs/vendoring.md", "lockfile.txt"] {
            assert!(!generated.matches(path.as_bytes()), "{path}");
        }
    }

    #[test]
    fn the_setting_replaces_the_list_and_may_be_empty() {
        let own = GeneratedPaths::parse("third_party/**, **/*.pb.go").expect("globs");
        assert!(own.matches(b"third_party/zlib/zlib.c") && own.matches(b"api/v1/service.pb.go"));
        assert!(!own.matches(b"Cargo.lock"));
        assert!(!GeneratedPaths::parse("").expect("empty").matches(b"Cargo.lock"));
        assert!(GeneratedPaths::parse("[unclosed").is_err());
    }
}
