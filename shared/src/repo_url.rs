//! The repository URL a user typed, validated before anything is stored or fetched.
//!
//! gitdash fetches over https, http and the git protocol, over SSH with a deploy key
//! (`ssh://` URLs and `git@host:path` addresses, the latter stored as the former), and from
//! local paths when the operator allows it. Everything else is refused with a reason a
//! person can act on: `ext::` transports, passwords inside URLs, hosts or users that would
//! read as `ssh` options, and (unless allowed) hosts that resolve to loopback, private,
//! link-local or unique-local addresses, which would let any signed-in user probe the
//! server's own network.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    path::PathBuf,
};

use url::Url;

/// What the operator allows; built from [`crate::Config::url_policy`].
#[derive(Debug, Clone, Copy, Default)]
pub struct UrlPolicy {
    pub allow_local: bool,
    pub allow_private_networks: bool,
}

/// A URL that passed validation, in its normalized form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoUrl {
    url: Url,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

impl UrlError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl RepoUrl {
    /// Checks the syntax and the policy, without any network access.
    pub fn parse(input: &str, policy: UrlPolicy) -> Result<Self, UrlError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(UrlError::new("the repository URL is empty"));
        }
        if input.len() > 2048 {
            return Err(UrlError::new("the repository URL is longer than 2048 characters"));
        }
        if let Some((transport, _)) = input.split_once("::")
            && !transport.contains('/')
        {
            return Err(UrlError::new(format!(
                "the {transport}:: transport is not supported: use an https://, http:// or git:// URL"
            )));
        }
        if input.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(UrlError::new("the repository URL contains spaces or control characters"));
        }
        if looks_like_local_path(input) {
            return Self::local(PathBuf::from(input), policy);
        }
        let url = if input.contains("://") {
            Url::parse(input).map_err(|e| UrlError::new(format!("the repository URL is not valid: {e}")))?
        } else {
            scp_like(input)?
        };
        let mut url = url;
        match url.scheme() {
            "https" | "http" | "git" => {}
            "file" => {
                let path =
                    url.to_file_path().map_err(|()| UrlError::new("the file:// URL does not name a local path"))?;
                return Self::local(path, policy);
            }
            "ssh" | "git+ssh" | "ssh+git" => url = as_ssh(&url)?,
            other => {
                return Err(UrlError::new(format!(
                    "the {other}:// scheme is not supported: use https://, http:// or git://"
                )));
            }
        }
        let ssh = url.scheme() == "ssh";
        if (!ssh && !url.username().is_empty()) || url.password().is_some() {
            return Err(UrlError::new(
                "credentials in repository URLs are not supported: they would be stored and shown to every user",
            ));
        }
        if url.query().is_some() {
            return Err(UrlError::new("repository URLs with a query string (?...) are not supported"));
        }
        let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
            return Err(UrlError::new("the repository URL has no host"));
        };
        if host.starts_with('-') || url.username().starts_with('-') {
            return Err(UrlError::new("the repository URL's host or user is not valid"));
        }
        let mut normalized = url.clone();
        normalized.set_fragment(None);
        if normalized.scheme() == "git" && normalized.port() == Some(9418) {
            let _ = normalized.set_port(None);
        }
        let path = normalized.path().trim_end_matches('/').to_owned();
        if path.is_empty() {
            return Err(UrlError::new(
                "the repository URL has no path: it should name a repository, such as https://host/owner/repo",
            ));
        }
        normalized.set_path(&path);
        let repo = Self { url: normalized };
        if !policy.allow_private_networks {
            if let Some(ip) = repo.host_ip() {
                check_public(ip, host)?;
            } else if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
                return Err(private_network_error(host, "a loopback address"));
            }
        }
        Ok(repo)
    }

    fn local(path: PathBuf, policy: UrlPolicy) -> Result<Self, UrlError> {
        if !policy.allow_local {
            return Err(UrlError::new(
                "local paths and file:// URLs are refused on this server (GITDASH_ALLOW_LOCAL_REPOS is off)",
            ));
        }
        let canonical = std::fs::canonicalize(&path)
            .map_err(|_| UrlError::new(format!("{} does not exist on the server", path.display())))?;
        if !canonical.is_dir() {
            return Err(UrlError::new(format!("{} is not a directory", path.display())));
        }
        let url = Url::from_directory_path(&canonical)
            .map_err(|()| UrlError::new(format!("{} is not an absolute path", path.display())))?;
        let mut url = url;
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(&trimmed);
        Ok(Self { url })
    }

    /// Resolves the host and refuses private addresses unless the policy allows them.
    /// Run when the URL is added and again right before each fetch (DNS may have changed).
    pub async fn check_network(&self, policy: UrlPolicy) -> Result<(), UrlError> {
        if policy.allow_private_networks || self.is_local() || self.host_ip().is_some() {
            return Ok(());
        }
        let host = self.url.host_str().unwrap_or_default();
        let port = self.url.port_or_known_default().unwrap_or(9418);
        let lookup = tokio::time::timeout(std::time::Duration::from_secs(10), tokio::net::lookup_host((host, port)));
        let addrs = match lookup.await {
            Ok(Ok(addrs)) => addrs,
            Ok(Err(_)) => return Err(UrlError::new(format!("the host {host} could not be resolved"))),
            Err(_) => return Err(UrlError::new(format!("resolving the host {host} took too long"))),
        };
        let mut any = false;
        for addr in addrs {
            any = true;
            check_public(addr.ip(), host)?;
        }
        if !any {
            return Err(UrlError::new(format!("the host {host} has no address")));
        }
        Ok(())
    }

    pub fn is_local(&self) -> bool {
        self.url.scheme() == "file"
    }

    /// An `ssh://` URL: fetched with a deploy key only.
    pub fn is_ssh(&self) -> bool {
        self.url.scheme() == "ssh"
    }

    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The ways this URL may already be stored: with and without a trailing `.git`, which
    /// every hosting service treats as the same repository.
    pub fn equivalent_forms(&self) -> Vec<String> {
        let text = self.url.as_str();
        match text.strip_suffix(".git") {
            Some(bare) => vec![text.to_owned(), bare.to_owned()],
            None => vec![text.to_owned(), format!("{text}.git")],
        }
    }

    /// A short name for people: the last path segment without `.git`. A local path whose
    /// last folder says nothing (`.../flask/repo`, `.../flask/.git`) is named after the
    /// folder above it.
    pub fn name(&self) -> String {
        /// Folder names that describe a checkout rather than name a project.
        const GENERIC: [&str; 8] = ["", "repo", "repository", "git", "src", "source", "clone", "checkout"];
        let segments: Vec<String> = self
            .url
            .path_segments()
            .map(|segments| segments.filter(|s| !s.is_empty()).map(percent_decode).collect())
            .unwrap_or_default();
        let bare = |segment: &str| segment.strip_suffix(".git").unwrap_or(segment).to_owned();
        let local = self.url.scheme() == "file";
        let mut names = segments.iter().rev().map(|s| bare(s));
        let name = match names.next() {
            Some(last) if local && GENERIC.contains(&last.to_ascii_lowercase().as_str()) => {
                names.find(|n| !n.is_empty()).unwrap_or(last)
            }
            Some(last) => last,
            None => String::new(),
        };
        if name.is_empty() { self.url.host_str().unwrap_or("repository").to_owned() } else { name }
    }

    fn host_ip(&self) -> Option<IpAddr> {
        match self.url.host()? {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            // ssh:// is not one of the URL standard's special schemes: its hosts stay text,
            // addresses included.
            url::Host::Domain(text) => text.trim_start_matches('[').trim_end_matches(']').parse().ok(),
        }
    }
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str())
    }
}

fn looks_like_local_path(input: &str) -> bool {
    input.starts_with('/')
        || input.starts_with("./")
        || input.starts_with("../")
        || input.starts_with('~')
        || input == "."
        || input == ".."
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

/// A URL without `://`: an SSH address (`git@host:owner/repo`, `host.tld:path`) becomes the
/// `ssh://` URL every hosting service reads the same way (`ssh://git@host/owner/repo`); a
/// URL of another scheme (`javascript:`, `data:`, `mailto:`) or none at all is refused.
fn scp_like(input: &str) -> Result<Url, UrlError> {
    let Some((before, path)) = input.split_once(':') else {
        return Err(UrlError::new("the repository URL needs a scheme: https://, http:// or git://"));
    };
    let is_scheme = before.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && before.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-'));
    if !(before.contains('@') || before.contains('.') || !is_scheme) {
        return Err(UrlError::new(format!(
            "the {}: scheme is not supported: use an https://, http:// or git:// URL",
            before.to_ascii_lowercase()
        )));
    }
    let (user, host) = before.rsplit_once('@').unwrap_or(("git", before));
    if host.is_empty() || host.contains(['/', '[', ']']) || path.is_empty() {
        return Err(UrlError::new("the SSH address should read user@host:owner/repo"));
    }
    let path = path.trim_start_matches('/');
    Url::parse(&format!("ssh://{user}@{host}/{path}"))
        .map_err(|e| UrlError::new(format!("the SSH address is not valid: {e}")))
}

/// `ssh://`, `git+ssh://` and `ssh+git://` as one `ssh://` URL with its account named
/// (`git`, the account of every hosting service, when none is given).
fn as_ssh(url: &Url) -> Result<Url, UrlError> {
    let text = url.as_str().split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    let mut ssh = Url::parse(&format!("ssh://{text}"))
        .map_err(|e| UrlError::new(format!("the repository URL is not valid: {e}")))?;
    if ssh.username().is_empty() {
        ssh.set_username("git").map_err(|()| UrlError::new("the repository URL's host is not valid"))?;
    }
    Ok(ssh)
}

fn private_network_error(host: &str, kind: &str) -> UrlError {
    UrlError::new(format!(
        "{host} is {kind}: repositories on private networks are refused on this server (GITDASH_ALLOW_PRIVATE_NETWORKS is off)"
    ))
}

fn check_public(ip: IpAddr, host: &str) -> Result<(), UrlError> {
    match non_public_kind(ip) {
        None => Ok(()),
        Some(kind) => Err(private_network_error(host, kind)),
    }
}

/// Why an address is not on the public internet, or `None` when it is. An IPv6 address
/// that carries an IPv4 address (mapped, compatible, translated, NAT64, 6to4, Teredo) is
/// judged by the IPv4 addresses it carries too: `[::127.0.0.1]` reaches loopback through
/// many stacks and relays.
pub fn non_public_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6).or_else(|| embedded_v4(v6).into_iter().find_map(non_public_v4)),
    }
}

fn non_public_v6(v6: Ipv6Addr) -> Option<&'static str> {
    let segments = v6.segments();
    if v6.is_loopback() {
        Some("a loopback address")
    } else if v6.is_unspecified() {
        Some("an unspecified address")
    } else if segments[0] & 0xfe00 == 0xfc00 {
        Some("a unique-local address")
    } else if segments[0] & 0xffc0 == 0xfe80 || segments[0] & 0xffc0 == 0xfec0 {
        Some("a link-local address")
    } else if v6.is_multicast() {
        Some("a multicast address")
    } else if segments[0] == 0x2001 && segments[1] == 0x0db8 {
        Some("a documentation address")
    } else {
        None
    }
}

/// The IPv4 addresses an IPv6 address carries, by the forms that embed one.
fn embedded_v4(v6: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = v6.segments();
    let v4 = |high: u16, low: u16| Ipv4Addr::from(((high as u32) << 16) | low as u32);
    let last = v4(s[6], s[7]);
    let mut found = Vec::new();
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), ::ffff:0:a.b.c.d (translated).
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) || s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0 {
        found.push(last);
    }
    // NAT64: 64:ff9b::/96 (well-known) and 64:ff9b:1::/48 (local use), IPv4 in the last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0; 4] || s[2] == 1) {
        found.push(last);
    }
    // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
    if s[0] == 0x2002 {
        found.push(v4(s[1], s[2]));
    }
    // Teredo: 2001:0::/32, the server's IPv4 next, the client's inverted in the last 32 bits.
    if s[0] == 0x2001 && s[1] == 0 {
        found.push(v4(s[2], s[3]));
        found.push(v4(!s[6], !s[7]));
    }
    found
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, _, _] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_unspecified() || a == 0 {
        Some("an unspecified address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a carrier-grade NAT address")
    } else if ip.is_broadcast()
        || ip.is_multicast()
        || a >= 240
        || ip.is_documentation()
        || (a == 198 && (b == 18 || b == 19))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
    {
        Some("a reserved address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REMOTE_ONLY: UrlPolicy = UrlPolicy { allow_local: false, allow_private_networks: false };

    fn refused(input: &str) -> String {
        RepoUrl::parse(input, REMOTE_ONLY).expect_err(input).to_string()
    }

    #[test]
    fn a_local_checkout_is_named_after_its_project_folder() {
        let local = UrlPolicy { allow_local: true, allow_private_networks: false };
        let root = tempfile::tempdir().expect("temporary folder");
        for (path, name) in [
            ("flask/repo", "flask"),
            ("flask/.git", "flask"),
            ("flask.git", "flask"),
            ("flask", "flask"),
            ("flask/repo/", "flask"),
        ] {
            let full = root.path().join(path);
            std::fs::create_dir_all(&full).expect("folder");
            let text = full.to_str().expect("utf-8");
            assert_eq!(RepoUrl::parse(text, local).expect(text).name(), name, "{path}");
        }
    }

    #[test]
    fn https_urls_are_normalized() {
        let url = RepoUrl::parse("  HTTPS://GitHub.com:443/pallets/flask/  ", REMOTE_ONLY).expect("valid");
        assert_eq!(url.as_str(), "https://github.com/pallets/flask");
        assert_eq!(url.name(), "flask");
        let url = RepoUrl::parse("git://example.org:9418/project.git", REMOTE_ONLY).expect("valid");
        assert_eq!(url.as_str(), "git://example.org/project.git");
        assert_eq!(url.name(), "project");
        assert_eq!(url.equivalent_forms(), ["git://example.org/project.git", "git://example.org/project"]);
    }

    #[test]
    fn other_transports_are_refused_with_a_reason() {
        assert!(refused("ext::sh -c touch% /tmp/pwned").contains("ext:: transport"));
        assert!(refused("ext::sh").contains("ext:: transport"));
        assert!(refused("ftp://example.org/a").contains("ftp:// scheme"));
        assert!(refused("https://user:token@github.com/a/b").contains("credentials"));
        assert!(refused("https://github.com").contains("no path"));
        assert!(refused("").contains("empty"));
        assert!(refused("https://example.org/a b").contains("spaces"));
        assert!(refused("javascript:alert(1)").contains("javascript: scheme"));
        assert!(refused("data:text/html,<b>x</b>").contains("data: scheme"));
        assert!(refused("JavaScript:alert(1)").contains("javascript: scheme"));
        assert!(refused("owner/repo").contains("needs a scheme"));
        assert!(refused("ssh://-oProxyCommand=touch%20x/a").contains("not valid"));
        assert!(refused("ssh://-oProxyCommand=x@example.org/a").contains("not valid"));
        assert!(refused("ssh://git:password@example.org/a").contains("credentials"));
        assert!(refused("git@10.0.0.1:a/b").contains("private networks"));
    }

    #[test]
    fn ssh_addresses_become_ssh_urls_with_their_account() {
        for (input, stored) in [
            ("git@github.com:owner/repo.git", "ssh://git@github.com/owner/repo.git"),
            ("github.com:owner/repo.git", "ssh://git@github.com/owner/repo.git"),
            ("ssh://github.com/owner/repo", "ssh://git@github.com/owner/repo"),
            ("git+ssh://deploy@example.org:2222/srv/repo.git", "ssh://deploy@example.org:2222/srv/repo.git"),
        ] {
            let url = RepoUrl::parse(input, REMOTE_ONLY).expect(input);
            assert_eq!(url.as_str(), stored, "{input}");
            assert!(url.is_ssh());
        }
        assert_eq!(RepoUrl::parse("git@github.com:owner/repo.git", REMOTE_ONLY).expect("ssh").name(), "repo");
    }

    #[test]
    fn ipv6_forms_that_carry_a_private_ipv4_address_are_refused() {
        // (URL, what the IPv4 address inside is)
        let table = [
            ("http://[::ffff:127.0.0.1]/r", "loopback"),
            ("http://[::127.0.0.1]/r", "loopback"),
            ("http://[::10.0.0.1]/r", "private"),
            ("http://[::ffff:0:192.168.1.1]/r", "private"),
            ("http://[64:ff9b::127.0.0.1]/r", "loopback"),
            ("http://[64:ff9b:1::a9fe:a9fe]/r", "link-local"),
            ("http://[2002:7f00:1::1]/r", "loopback"),
            ("http://[2002:a9fe:a9fe::]/r", "link-local"),
            ("http://[2001:0:7f00:1::]/r", "loopback"),
            ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/r", "private"),
        ];
        for (url, kind) in table {
            let error = refused(url);
            assert!(error.contains(kind) && error.contains("GITDASH_ALLOW_PRIVATE_NETWORKS"), "{url}: {error}");
        }
        for url in ["http://[2002:5db8:d822::1]/r", "http://[::ffff:93.184.216.34]/r", "http://[2606:4700::1111]/r"] {
            assert!(RepoUrl::parse(url, REMOTE_ONLY).is_ok(), "{url} carries a public address");
        }
    }

    #[test]
    fn local_paths_need_the_operator_to_allow_them() {
        assert!(refused("/etc").contains("GITDASH_ALLOW_LOCAL_REPOS"));
        assert!(refused("file:///etc").contains("GITDASH_ALLOW_LOCAL_REPOS"));
        let allowed = UrlPolicy { allow_local: true, ..REMOTE_ONLY };
        let dir = tempfile::tempdir().expect("tempdir");
        let url = RepoUrl::parse(dir.path().to_str().expect("utf-8"), allowed).expect("allowed");
        assert!(url.is_local());
        let canonical = std::fs::canonicalize(dir.path()).expect("exists");
        assert_eq!(url.as_str(), format!("file://{}", canonical.display()));
        assert!(
            RepoUrl::parse("/no/such/dir/anywhere", allowed)
                .expect_err("missing")
                .to_string()
                .contains("does not exist")
        );
    }

    #[test]
    fn private_network_addresses_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1/repo",
            "http://localhost:8080/repo",
            "http://10.1.2.3/repo",
            "http://192.168.0.1/repo",
            "http://169.254.169.254/latest",
            "http://[::1]/repo",
            "http://[fd00::1]/repo",
            "http://[fe80::1]/repo",
            "http://[::ffff:127.0.0.1]/repo",
            "http://0.0.0.0/repo",
            "http://100.64.0.1/repo",
        ] {
            assert!(refused(url).contains("GITDASH_ALLOW_PRIVATE_NETWORKS"), "{url}");
        }
        let allowed = UrlPolicy { allow_private_networks: true, ..REMOTE_ONLY };
        assert!(RepoUrl::parse("http://127.0.0.1:8080/repo.git", allowed).is_ok());
        assert!(RepoUrl::parse("http://93.184.216.34/repo", REMOTE_ONLY).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused_at_the_network_check() {
        // Parsed under a lenient policy so that only the resolution step can refuse it.
        let lenient = UrlPolicy { allow_private_networks: true, ..REMOTE_ONLY };
        let url = RepoUrl::parse("http://localhost/repo", lenient).expect("syntax is fine");
        let error = url.check_network(REMOTE_ONLY).await.expect_err("resolves to loopback");
        assert!(error.to_string().contains("loopback"), "{error}");
    }
}
