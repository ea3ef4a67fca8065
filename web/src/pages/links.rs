//! The addresses pages link to, made in one place: a commit's page, a person's view.

/// The commit page of `sha` in repository `repository`.
pub fn commit(repository: i64, sha: &str) -> String {
    format!("/repositories/{repository}/commits/{sha}")
}

/// The committers view narrowed to the person with `email`, within one repository or all.
pub fn person(repository: Option<i64>, email: &str) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::from("/committers?"));
    if let Some(id) = repository {
        url.append_pair("repository", &id.to_string());
    }
    url.append_pair("range", "all");
    url.append_pair("person", email);
    url.finish()
}
