//! A local stand-in for Okta's Users API (`GET /api/v1/users/{id}`), answering as Okta's
//! documentation shows: a user object with `status` and `profile`, 401 `E0000011` for a bad
//! token, 404 `E0000007`, and 429 `E0000047` with the `X-Rate-Limit-*` headers. Okta's
//! management API is a hosted service; this is the one stand-in the tests use.

use std::sync::{Arc, Mutex};

use poem::{
    EndpointExt, IntoResponse, Response, Route, Server, handler,
    http::{HeaderMap, StatusCode},
    listener::{Acceptor, Listener, TcpListener},
    web::{Data, Json, Path},
};
use serde_json::json;

pub const TOKEN: &str = "00okta-api-token-for-tests-only";

#[derive(Default)]
struct State {
    /// Each request's user id, in order.
    requests: Mutex<Vec<String>>,
}

pub struct OktaStandIn {
    pub url: String,
    state: Arc<State>,
    _server: tokio::task::JoinHandle<()>,
}

impl OktaStandIn {
    /// Users: `alice` and `bob` ACTIVE, `suspended` SUSPENDED, `gone` DEPROVISIONED, `busy`
    /// rate-limited on the first request (reset in one second); anyone else is unknown.
    pub async fn start() -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind");
        let port = acceptor.local_addr()[0].as_socket_addr().expect("socket").port();
        let state = Arc::new(State::default());
        let app = Route::new().at("/api/v1/users/:id", poem::get(user)).data(state.clone());
        let server = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self { url: format!("http://127.0.0.1:{port}"), state, _server: server }
    }

    /// How many lookups of `id` reached the API.
    pub fn lookups(&self, id: &str) -> usize {
        self.state.requests.lock().expect("lock").iter().filter(|r| *r == id).count()
    }
}

fn error(status: StatusCode, code: &str, summary: &str) -> Response {
    Json(json!({ "errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae-test", "errorCauses": [] }))
        .with_status(status)
        .into_response()
}

#[handler]
fn user(Path(id): Path<String>, headers: &HeaderMap, state: Data<&Arc<State>>) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("SSWS {TOKEN}")) {
        return error(StatusCode::UNAUTHORIZED, "E0000011", "Invalid token provided");
    }
    let seen_before = {
        let mut requests = state.requests.lock().expect("lock");
        requests.push(id.clone());
        requests.iter().filter(|r| **r == id).count() > 1
    };
    let status = match id.as_str() {
        "alice" | "bob" => "ACTIVE",
        "suspended" => "SUSPENDED",
        "gone" => "DEPROVISIONED",
        "busy" if !seen_before => {
            let reset = chrono::Utc::now().timestamp() + 1;
            return error(
                StatusCode::TOO_MANY_REQUESTS,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            )
            .with_header("X-Rate-Limit-Limit", "600")
            .with_header("X-Rate-Limit-Remaining", "0")
            .with_header("X-Rate-Limit-Reset", reset.to_string())
            .into_response();
        }
        "busy" => "ACTIVE",
        _ => return error(StatusCode::NOT_FOUND, "E0000007", &format!("Not found: Resource not found: {id} (User)")),
    };
    Json(json!({
        "id": format!("00u{id}"),
        "status": status,
        "created": "2024-01-02T03:04:05.000Z",
        "activated": null,
        "statusChanged": "2024-01-02T03:04:05.000Z",
        "lastLogin": null,
        "lastUpdated": "2024-01-02T03:04:05.000Z",
        "passwordChanged": null,
        "type": { "id": "oty1" },
        "profile": {
            "firstName": id[..1].to_uppercase() + &id[1..],
            "lastName": "Example",
            "mobilePhone": null,
            "secondEmail": null,
            "login": format!("{id}@example.com"),
            "email": format!("{id}@example.com")
        },
        "credentials": { "provider": { "type": "OKTA", "name": "OKTA" } },
        "_links": { "self": { "href": format!("https://example.okta.com/api/v1/users/00u{id}") } }
    }))
    .into_response()
}
