//! Git's smart HTTP protocol served locally: a small HTTP server that runs the real
//! `git http-backend` as a CGI program for every request.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::Stdio,
    sync::{Arc, Mutex},
};

use poem::{
    Body, EndpointExt, Request, Response, Route, Server, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    web::Data,
};
use tokio::io::AsyncWriteExt;

/// A running server; it stops when dropped.
pub struct GitHttpServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl GitHttpServer {
    /// Serves the repositories under `root` at `http://127.0.0.1:<port>/<name>`. Two paths
    /// misbehave on purpose: `/private/...` asks for credentials (401) and `/html/...` answers
    /// with a web page, as a wrong URL on a real server does.
    pub async fn start(root: PathBuf) -> Self {
        Self::start_on(root, 0).await
    }

    /// Like [`GitHttpServer::start`], on a given port (0 picks a free one).
    pub async fn start_on(root: PathBuf, port: u16) -> Self {
        Self::start_with(root, port, Behaviour::default()).await
    }

    /// Like [`GitHttpServer::start_on`], behaving as `behaviour` says (and as it is changed
    /// while the server runs).
    pub async fn start_with(root: PathBuf, port: u16, behaviour: Behaviour) -> Self {
        let acceptor = TcpListener::bind(format!("127.0.0.1:{port}")).into_acceptor().await.expect("bind");
        let addr = *acceptor.local_addr()[0].as_socket_addr().expect("tcp address");
        let app = Route::new().at("/*path", cgi).data(Root(root)).data(behaviour);
        let task = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self { addr, task }
    }

    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }
}

impl Drop for GitHttpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Root(PathBuf);

/// How a server treats requests beyond serving Git; shared, so a test can change it while
/// the server runs.
#[derive(Clone, Default)]
pub struct Behaviour {
    /// `user:password` that every request must carry as HTTP basic auth.
    pub basic_auth: Arc<Mutex<Option<String>>>,
    /// When set, every request is redirected (302) to this base URL, path kept.
    pub redirect_to: Arc<Mutex<Option<String>>>,
    /// Every `Authorization` header the server received.
    pub authorizations: Arc<Mutex<Vec<String>>>,
    /// How many requests the server received.
    pub requests: Arc<std::sync::atomic::AtomicUsize>,
}

impl Behaviour {
    pub fn requiring(user: &str, password: &str) -> Self {
        let behaviour = Self::default();
        behaviour.require(user, password);
        behaviour
    }

    pub fn require(&self, user: &str, password: &str) {
        *self.basic_auth.lock().expect("lock") = Some(format!("{user}:{password}"));
    }

    pub fn redirect(&self, base: &str) {
        *self.redirect_to.lock().expect("lock") = Some(base.trim_end_matches('/').to_owned());
    }

    pub fn authorizations(&self) -> Vec<String> {
        self.authorizations.lock().expect("lock").clone()
    }
}

/// What a request's basic auth says, as `user:password`.
fn basic_auth(request: &Request) -> Option<String> {
    use base64::Engine;
    let value = request.headers().get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).ok()?).ok()
}

#[handler]
async fn cgi(request: &Request, body: Body, root: Data<&Root>, behaviour: Data<&Behaviour>) -> Response {
    behaviour.requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if let Some(value) = request.headers().get("authorization").and_then(|v| v.to_str().ok()) {
        behaviour.authorizations.lock().expect("lock").push(value.to_owned());
    }
    let redirect = behaviour.redirect_to.lock().expect("lock").clone();
    if let Some(base) = redirect {
        let target = format!("{base}{}", request.uri().path_and_query().map_or("", |pq| pq.as_str()));
        return Response::builder().status(StatusCode::FOUND).header("Location", target).body("moved");
    }
    let required = behaviour.basic_auth.lock().expect("lock").clone();
    if let Some(required) = required
        && basic_auth(request).as_deref() != Some(required.as_str())
    {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header("WWW-Authenticate", "Basic realm=\"git\"")
            .body("authentication required");
    }
    if request.uri().path().starts_with("/private/") {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header("WWW-Authenticate", "Basic realm=\"git\"")
            .body("authentication required");
    }
    if request.uri().path().starts_with("/html/") {
        return Response::builder()
            .header("Content-Type", "text/html")
            .body("<!doctype html><html><body><h1>Welcome</h1></body></html>");
    }
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = body.into_vec().await.unwrap_or_default();
    let mut child = match tokio::process::Command::new("git")
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", &root.0.0)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PATH_INFO", request.uri().path())
        .env("QUERY_STRING", request.uri().query().unwrap_or_default())
        .env("REQUEST_METHOD", request.method().as_str())
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into(),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(&body).await;
    }
    let output = match child.wait_with_output().await {
        Ok(output) => output.stdout,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into(),
    };
    cgi_response(&output)
}

/// Splits a CGI program's output into headers (with an optional `Status:`) and body.
fn cgi_response(output: &[u8]) -> Response {
    let (head, body) = match find(output, b"\r\n\r\n") {
        Some(i) => (&output[..i], &output[i + 4..]),
        None => match find(output, b"\n\n") {
            Some(i) => (&output[..i], &output[i + 2..]),
            None => (&output[..0], output),
        },
    };
    let mut response = Response::builder();
    for line in String::from_utf8_lossy(head).lines() {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("status") {
                let code = value.split_whitespace().next().and_then(|c| c.parse().ok()).unwrap_or(500);
                response = response.status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
            } else {
                response = response.header(name.trim(), value);
            }
        }
    }
    response.body(body.to_vec())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
