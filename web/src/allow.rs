//! A 405 answer names the methods its route takes (`Allow`, RFC 9110). poem's routers answer
//! 405 without it, so the methods are looked up here by the matched route's template: the
//! API's from its OpenAPI document, the pages' from the table `app.rs` keeps beside them.

use std::{collections::HashMap, sync::Arc};

use poem::{
    Endpoint, IntoResponse, PathPattern, Request, Response,
    http::{HeaderValue, StatusCode, header},
};

use crate::{error::json, route_template::template};

#[derive(Debug, Default)]
pub struct AllowedMethods(HashMap<String, Vec<String>>);

impl AllowedMethods {
    /// Every operation of an OpenAPI document served under `base` (e.g. `/api/v1`).
    pub fn with_spec(mut self, spec: &str, base: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        if let Some(paths) = spec["paths"].as_object() {
            for (path, operations) in paths {
                let methods: Vec<&str> =
                    operations.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
                self = self.with(&format!("{base}{path}"), &methods);
            }
        }
        self
    }

    /// `route` (as the router writes it, or as a template) takes `methods`.
    pub fn with(mut self, route: &str, methods: &[&str]) -> Self {
        let entry = self.0.entry(template(route)).or_default();
        for method in methods {
            let method = method.to_ascii_uppercase();
            if !entry.contains(&method) {
                entry.push(method);
            }
        }
        if entry.iter().any(|m| m == "GET") && !entry.iter().any(|m| m == "HEAD") {
            // poem answers HEAD wherever it answers GET.
            entry.push("HEAD".into());
        }
        self
    }

    /// Each of `routes` takes `methods`.
    pub fn with_each(self, routes: &[&str], methods: &[&str]) -> Self {
        routes.iter().fold(self, |allowed, route| allowed.with(route, methods))
    }

    fn allow(&self, pattern: &PathPattern) -> Option<HeaderValue> {
        HeaderValue::from_str(&self.0.get(&template(&pattern.0))?.join(", ")).ok()
    }
}

pub async fn name_allowed_methods<E: Endpoint>(
    endpoint: Arc<E>,
    req: Request,
    allowed: Arc<AllowedMethods>,
) -> poem::Result<Response> {
    match endpoint.call(req).await {
        Err(err) if err.status() == StatusCode::METHOD_NOT_ALLOWED => {
            let pattern = err.data::<PathPattern>().cloned();
            let mut response = json(StatusCode::METHOD_NOT_ALLOWED, "this method is not allowed here");
            if let Some(pattern) = pattern {
                if let Some(allow) = allowed.allow(&pattern) {
                    response.headers_mut().insert(header::ALLOW, allow);
                }
                response.set_data(pattern);
            }
            Ok(response)
        }
        other => Ok(other?.into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_come_from_the_openapi_document_and_head_follows_get() {
        let spec = r#"{"paths": {"/repositories/{id}": {"get": {}, "delete": {}}, "/syncs/{id}": {"get": {}}}}"#;
        let allowed = AllowedMethods::default().with_spec(spec, "/api/v1").with("/repositories", &["GET", "POST"]);
        let allow =
            |route: &str| allowed.allow(&PathPattern(route.into())).map(|v| v.to_str().unwrap_or("").to_owned());
        assert_eq!(allow("/api/v1/repositories/:param0").as_deref(), Some("DELETE, GET, HEAD"));
        assert_eq!(allow("/repositories").as_deref(), Some("GET, POST, HEAD"));
        assert_eq!(allow("/nowhere"), None);
    }
}
