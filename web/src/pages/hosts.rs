//! Where a commit lives on its host: the one table of the URL forms gitdash knows, so the
//! commit page can link to the host's own page. Unknown hosts get no link.

/// The commit page's path on each kind of host, after `https://host/owner/name`.
const HOSTS: [(&str, &str); 6] = [
    ("github.com", "/commit/"),
    ("gitlab.com", "/-/commit/"),
    ("codeberg.org", "/commit/"),
    ("gitea.com", "/commit/"),
    ("bitbucket.org", "/commits/"),
    // Self-hosted GitLab is the commonest private host; it is named so in most installs.
    ("gitlab.", "/-/commit/"),
];

/// `https://host/owner/name/...commit/{sha}` for a repository at `url` on a known host, from
/// its https, `ssh://` or `git@host:path` form.
pub fn commit_url(url: &str, sha: &str) -> Option<String> {
    let (host, path) = host_and_path(url)?;
    let (_, commit_path) =
        HOSTS.iter().find(|(known, _)| if known.ends_with('.') { host.starts_with(known) } else { host == *known })?;
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if path.is_empty() || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!("https://{host}/{path}{commit_path}{sha}"))
}

fn host_and_path(url: &str) -> Option<(String, String)> {
    if let Ok(parsed) = url::Url::parse(url) {
        if !matches!(parsed.scheme(), "https" | "http" | "ssh" | "git") {
            return None;
        }
        return Some((parsed.host_str()?.to_ascii_lowercase(), parsed.path().to_owned()));
    }
    // scp-like: git@host:owner/name.git
    let (user_host, path) = url.split_once(':')?;
    let host = user_host.rsplit('@').next()?;
    (!host.is_empty() && !path.starts_with('/')).then(|| (host.to_ascii_lowercase(), path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn each_known_host_has_its_own_commit_path() {
        for (url, expected) in [
            ("https://github.com/pallets/flask.git", "https://github.com/pallets/flask/commit/"),
            ("https://github.com/pallets/flask", "https://github.com/pallets/flask/commit/"),
            ("git@github.com:pallets/flask.git", "https://github.com/pallets/flask/commit/"),
            ("ssh://git@gitlab.com/group/sub/app.git", "https://gitlab.com/group/sub/app/-/commit/"),
            ("https://gitlab.example.com/team/app", "https://gitlab.example.com/team/app/-/commit/"),
            ("https://codeberg.org/forgejo/forgejo.git", "https://codeberg.org/forgejo/forgejo/commit/"),
            ("https://bitbucket.org/team/app.git", "https://bitbucket.org/team/app/commits/"),
        ] {
            assert_eq!(commit_url(url, SHA), Some(format!("{expected}{SHA}")), "{url}");
        }
    }

    #[test]
    fn unknown_hosts_and_local_paths_get_no_link() {
        for url in
            ["https://git.example.com/app.git", "/srv/git/app.git", "file:///srv/git/app.git", "javascript:alert(1)"]
        {
            assert_eq!(commit_url(url, SHA), None, "{url}");
        }
    }
}
