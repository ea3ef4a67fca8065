//! What a path is: its language and whether it is vendored or generated, from GitHub
//! Linguist's data (the `linguist` crate), decided once per path and sync.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use gitdash_shared::{generated::GeneratedPaths, queries::files::PathKind};
use linguist::DetectedLanguage;

/// How much of a file Linguist's content heuristics read: enough for the first lines,
/// where the patterns that tell `.h` or `.rs` files apart are found.
const CONTENT_PROBE: usize = 16 * 1024;

/// Remembers each path's kind: a history changes the same paths over and over. Shared by
/// the reading threads of a sync, for its whole length (judging a path runs dozens of
/// Linguist's patterns over its name and, for a shared extension, its text).
pub struct PathClassifier {
    generated: GeneratedPaths,
    known: Mutex<HashMap<Vec<u8>, PathKind>>,
}

impl PathClassifier {
    pub fn new(generated: GeneratedPaths) -> Self {
        Self { generated, known: Mutex::new(HashMap::new()) }
    }

    /// The kind of `path`, judged by its name and, when the name leaves several languages,
    /// by `content` (the file's text at this commit; empty when deleted or unread).
    pub fn kind(&self, path: &[u8], content: &[u8]) -> PathKind {
        if let Some(kind) = self.known.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
            return kind.clone();
        }
        let text = String::from_utf8_lossy(path);
        let kind =
            PathKind { language: language(&text, content).map(Arc::from), vendored: self.vendored_by_name(&text) };
        self.known.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_vec(), kind.clone());
        kind
    }
}

impl PathClassifier {
    /// Whether `path`'s name marks it vendored or generated: `GITDASH_GENERATED_PATHS` or
    /// Linguist's vendor patterns (the repository's `.gitattributes` may say otherwise).
    pub fn vendored_by_name(&self, path: &str) -> bool {
        self.generated.matches(path.as_bytes()) || linguist::is_vendored(path).unwrap_or(false)
    }
}

/// The language Linguist gives `path` (its group when it has one: TSX counts as TypeScript,
/// as on GitHub), with `content` deciding between the candidates of a shared extension;
/// when it cannot, the candidate of the most code-like type. Unlike Linguist, a modeline
/// does not override an unambiguous name.
fn language(path: &str, content: &[u8]) -> Option<String> {
    // The name alone settles most paths; only a shared extension (`.h`, `.rs`, `.md`, ...)
    // pays for the content heuristics, whose patterns are costly to run over text.
    let mut candidates = linguist::detect_language(path, None).ok()?;
    if candidates.len() > 1 {
        let probe = String::from_utf8_lossy(&content[..content.len().min(CONTENT_PROBE)]);
        let decided = linguist::detect_language(path, Some(probe.as_ref())).ok()?;
        if !decided.is_empty() {
            candidates = decided;
        }
    }
    let best = candidates.iter().min_by_key(|c| rank(c))?;
    Some(best.definition.group.clone().unwrap_or_else(|| best.name.to_owned()))
}

fn rank(language: &DetectedLanguage) -> u8 {
    use linguist_types::LanguageType;
    match language.definition.language_type {
        LanguageType::Programming => 0,
        LanguageType::Markup => 1,
        LanguageType::Prose => 2,
        LanguageType::Data => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::PathClassifier;

    fn language(path: &str, content: &str) -> Option<String> {
        PathClassifier::new(Default::default())
            .kind(path.as_bytes(), content.as_bytes())
            .language
            .map(|l| l.to_string())
    }

    #[test]
    fn languages_come_from_linguist_with_the_content_deciding_shared_extensions() {
        assert_eq!(language("src/main.rs", "use std::io;\nfn main() {}\n").as_deref(), Some("Rust"));
        assert_eq!(language("lib/x.py", "").as_deref(), Some("Python"));
        assert_eq!(language("Makefile", "all:\n").as_deref(), Some("Makefile"));
        assert_eq!(language("README.md", "# Title\n").as_deref(), Some("Markdown"));
        assert_eq!(language("x.h", "#include <iostream>\nclass A {};\n").as_deref(), Some("C++"));
        assert_eq!(language("notes.unknown-extension", "").as_deref(), None);
    }

    #[test]
    fn vendored_and_generated_paths_are_marked() {
        let paths = PathClassifier::new(Default::default());
        assert!(paths.kind(b"node_modules/react/index.js", b"").vendored);
        assert!(paths.kind(b"Cargo.lock", b"").vendored);
        assert!(!paths.kind(b"src/main.rs", b"fn main() {}").vendored);
    }
}
