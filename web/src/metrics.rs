//! `/metrics` in the Prometheus (OpenMetrics) text format: requests by method, route and
//! status, and their latency. Routes are the matched patterns (`/api/v1/repositories/{id}`),
//! not raw paths, so ids and probes cannot blow up the number of series.

use std::{sync::Arc, time::Instant};

use poem::{Endpoint, IntoResponse, Request, Response, handler, web::Data};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use crate::app::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct WebMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
}

impl Default for WebMetrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("gitdash_http");
        let requests = Family::<RequestLabels, Counter>::default();
        // 1 ms to about 8 s.
        let latency: Latency = Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.001, 2.0, 14)));
        registry.register("requests", "HTTP requests answered", requests.clone());
        registry.register("request_duration_seconds", "Time to answer an HTTP request", latency.clone());
        Self { registry, requests, latency }
    }
}

impl WebMetrics {
    fn record(&self, method: &str, path: &str, status: u16, seconds: f64) {
        let route = route_of(path, status);
        self.requests.get_or_create(&RequestLabels { method: method.to_owned(), route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method: method.to_owned(), route }).observe(seconds);
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        if encode(&mut text, &self.registry).is_err() {
            tracing::error!("metrics did not encode");
        }
        text
    }
}

/// The route pattern of `path`: numeric segments become `{id}`, unknown paths `other`.
fn route_of(path: &str, status: u16) -> String {
    if status == 404 && !path.starts_with("/api/") {
        return "other".into();
    }
    if path.starts_with("/docs") {
        return "/docs".into();
    }
    if path.starts_with("/static/") {
        return "/static".into();
    }
    let segments: Vec<&str> = path
        .split('/')
        .map(
            |segment| if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) { "{id}" } else { segment },
        )
        .collect();
    let route = segments.join("/");
    if route.len() > 80 || segments.len() > 8 { "other".into() } else { route }
}

/// Times every request.
pub async fn observe<E: Endpoint>(endpoint: Arc<E>, req: Request, state: Arc<AppState>) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let response = endpoint.call(req).await?.into_response();
    state.metrics.record(&method, &path, response.status().as_u16(), started.elapsed().as_secs_f64());
    Ok(response)
}

#[handler]
pub fn metrics(state: Data<&Arc<AppState>>) -> impl IntoResponse {
    state.metrics.render().with_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::route_of;

    #[test]
    fn routes_are_patterns() {
        assert_eq!(route_of("/api/v1/repositories/42/commits", 200), "/api/v1/repositories/{id}/commits");
        assert_eq!(route_of("/wp-login.php", 404), "other");
        assert_eq!(route_of("/docs/oauth-receiver.html", 200), "/docs");
    }
}
