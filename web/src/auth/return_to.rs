//! Where to send a browser after sign-in: a path on this site, never anywhere else.
//! `//evil.example`, `/\evil.example`, absolute URLs and their percent-encoded forms all
//! fall back to `/` (open redirects, OWASP ASVS 5.1.5).

/// `value` if it is a safe local path (with its query), else `/`.
pub fn sanitize(value: Option<&str>) -> String {
    match value {
        Some(path) if is_local_path(path) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

fn is_local_path(path: &str) -> bool {
    if path.len() > 2048 || !path.starts_with('/') || path.chars().any(|c| c.is_control() || c == '\\') {
        return false;
    }
    // Look at the decoded form too: `/%2F/evil.example` or `/%5Cevil.example` become
    // dangerous once some layer decodes them.
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    for candidate in [path, decoded.as_ref()] {
        let bytes = candidate.as_bytes();
        if bytes.get(1).is_some_and(|b| *b == b'/' || *b == b'\\') || candidate.contains('\\') {
            return false;
        }
        if candidate.chars().any(char::is_control) {
            return false;
        }
    }
    // Resolved against any origin it must stay on that origin.
    let base = url::Url::parse("https://gitdash.invalid/").expect("a valid base");
    base.join(path).is_ok_and(|joined| joined.origin() == base.origin())
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(sanitize(Some("/repositories/3?tab=commits")), "/repositories/3?tab=commits");
        assert_eq!(sanitize(Some("/")), "/");
        assert_eq!(sanitize(None), "/");
    }

    #[test]
    fn anything_leaving_the_site_goes_home() {
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "%2F%2Fevil.example",
            "/%2Fevil.example",
            "/%5Cevil.example",
            "/%2f%2fevil.example",
            "///evil.example",
            "javascript:alert(1)",
            "/\tevil",
            "evil.example",
            "",
        ] {
            assert_eq!(sanitize(Some(hostile)), "/", "{hostile}");
        }
    }
}
