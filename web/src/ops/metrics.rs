//! `/metrics` in the Prometheus (OpenMetrics) text format: requests by method, route and
//! status, and their latency. A route is the pattern the router matched
//! (`/api/v1/repositories/:id`), never the raw path: a request no route matched is
//! `unmatched`, one refused before the API's own routing (401 to an unknown API path) is
//! `/api/v1`, and a method outside the standard set is `OTHER`. So the number of series is
//! bounded by the code, whatever the traffic.

use std::{sync::Arc, time::Instant};

use crate::route_template::template;
use poem::{Endpoint, IntoResponse, PathPattern, Request, Response, handler, http::Method, web::Data};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

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
    fn record(&self, method: &Method, route: Option<&PathPattern>, status: u16, seconds: f64) {
        let method = method_label(method).to_owned();
        let route = route.map_or_else(|| "unmatched".to_owned(), |pattern| template(&pattern.0));
        self.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method, route }).observe(seconds);
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        if encode(&mut text, &self.registry).is_err() {
            tracing::error!("metrics did not encode");
        }
        text
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Times every request, answered or refused.
pub async fn observe<E: Endpoint>(endpoint: Arc<E>, req: Request, kept: Arc<WebMetrics>) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let result = endpoint.call(req).await.map(IntoResponse::into_response);
    let seconds = started.elapsed().as_secs_f64();
    match &result {
        Ok(response) => kept.record(&method, response.data::<PathPattern>(), response.status().as_u16(), seconds),
        Err(err) => kept.record(&method, err.data::<PathPattern>(), err.status().as_u16(), seconds),
    }
    result
}

#[handler]
pub fn metrics(metrics: Data<&Arc<WebMetrics>>) -> impl IntoResponse {
    metrics.render().with_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_set_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"PROPFIND").expect("method")), "OTHER");
        assert_eq!(method_label(&Method::from_bytes(b"X1234").expect("method")), "OTHER");
    }
}
