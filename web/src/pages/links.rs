//! The addresses pages link to, made in one place: a commit's page, a person's, a file's.

/// The commit page of `sha` in repository `repository`.
pub fn commit(repository: i64, sha: &str) -> String {
    format!("/repositories/{repository}/commits/{sha}")
}

/// The page of the person with `email`, within one repository or all, all time.
pub fn person(repository: Option<i64>, email: &str) -> String {
    let mut url = url::form_urlencoded::Serializer::for_suffix(String::from("/person?"), "/person?".len());
    if let Some(id) = repository {
        url.append_pair("repository", &id.to_string());
    }
    url.append_pair("range", "all");
    url.append_pair("email", email);
    url.finish()
}

/// The page of the file at `path`, within one repository or all, under the view `query`
/// (a query string without the path).
pub fn file(query: &str, path: &str) -> String {
    let base = format!("/file?{query}");
    let mut url = url::form_urlencoded::Serializer::for_suffix(base.clone(), "/file?".len());
    url.append_pair("path", path);
    url.finish()
}
