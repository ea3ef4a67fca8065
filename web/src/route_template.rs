//! A route as OpenAPI writes it: the router's `/repositories/:id` is `/repositories/{id}`.
//! Metrics label requests with it, and the `Allow` header is looked up by it.

/// poem-openapi routes its operations under positional names (`:param0`); every path
/// parameter of gitdash's API is an id, so those read `{id}`.
pub fn template(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) if name.starts_with("param") && name[5..].bytes().all(|b| b.is_ascii_digit()) => {
                "{id}".to_owned()
            }
            Some(name) => format!("{{{name}}}"),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::template;

    #[test]
    fn routes_are_written_as_templates() {
        assert_eq!(template("/api/v1/repositories/:id/commits"), "/api/v1/repositories/{id}/commits");
        assert_eq!(template("/api/v1/syncs/:param0"), "/api/v1/syncs/{id}");
        assert_eq!(template("/statistics"), "/statistics");
    }
}
