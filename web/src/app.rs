//! Building and running the web application: `Application::build` connects to the stores
//! (waiting for Redis while it does not answer) and binds the listener (port 0 in tests),
//! `run_until_stopped` serves until shutdown and lets in-flight requests finish. [`routes`]
//! is the one place that wires every route to its handler and middleware.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use gitdash_shared::{Config, auth_config::AuthConfig, jobs, queries::aggregates::Aggregates};
use poem::{
    Endpoint, EndpointExt, IntoEndpoint, Route, Server, get,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
    middleware::{CookieJarManager, RequestId, ReuseId},
    post,
};
use poem_openapi::OpenApiService;

use crate::{
    allow::{self, AllowedMethods},
    api,
    auth::{
        self, Auth,
        guard::{Realm, require_user},
        okta::Okta,
        provider::Provider,
        session::Sessions,
    },
    body_limit, docs, error, hooks,
    ops::{
        health,
        metrics::{self, WebMetrics},
    },
    pages::{
        self, assets, commit, commits, committers, file, files, landing, ownership, person, repositories, statistics,
    },
    security_headers,
    state::AppState,
};

pub struct Application {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    state: Arc<AppState>,
}

impl Application {
    pub async fn build(config: Config, auth_config: AuthConfig) -> anyhow::Result<Self> {
        let db = gitdash_shared::db::connect(&config.database_url).await?;
        let redis = jobs::connect_redis_when_up(&config.redis_url).await.context("REDIS_URL")?;
        // One connection for the queue, sessions and readiness: `/readyz` answers for the
        // connection pushes go through.
        let queue = jobs::queue_on(redis.clone(), &config.queue_name);
        let auth_config = Arc::new(auth_config);
        let provider = Provider::new(auth_config.clone());
        // Reads the discovery document, or keeps trying in the background.
        provider.start().await;
        let auth = Auth {
            sessions: Sessions::new(
                redis.clone(),
                auth_config.secret_key.expose(),
                auth_config.session_idle_timeout,
                auth_config.session_lifetime,
            ),
            okta: auth_config.okta.clone().map(Okta::new),
            provider,
            config: auth_config,
        };
        let acceptor = TcpListener::bind(config.listen)
            .into_acceptor()
            .await
            .with_context(|| format!("GITDASH_LISTEN: cannot listen on {}", config.listen))?;
        let local_addr = acceptor
            .local_addr()
            .into_iter()
            .find_map(|addr| addr.as_socket_addr().copied())
            .context("the listener has no socket address")?;
        let aggregates = Aggregates::new(config.bot_pattern.clone());
        Ok(Self { acceptor, local_addr, state: Arc::new(AppState { db, queue, config, auth, redis, aggregates }) })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tokio::spawn(keep_aggregates_warm(self.state.clone()));
        let routes = routes(self.state);
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(routes, shutdown, Some(Duration::from_secs(20)))
            .await
            .context("the web server stopped")
    }
}

/// Reads each repository's dashboard data once its sync finishes (and at start), so no
/// visitor waits for it: the daily summary every chart comes from, the first views of the
/// Files and Ownership pages, which read the file rows themselves (a second for a
/// repository of 80,000 commits), and the coupled files and folder owners that a file's
/// and a person's pages look up. A failed pass is logged and the next one tries again.
async fn keep_aggregates_warm(state: Arc<AppState>) {
    let mut every = tokio::time::interval(Duration::from_secs(2));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let scopes = match state.aggregates.warm(&state.db).await {
            Ok(scopes) => scopes,
            Err(error) => {
                tracing::warn!(%error, "could not read dashboard data ahead");
                continue;
            }
        };
        for scope in &scopes {
            if let Err(error) = read_first_views_ahead(&state, *scope).await {
                tracing::warn!(%error, "could not read the files and ownership of {scope:?} ahead");
            }
        }
        if !scopes.is_empty() {
            tracing::debug!(scopes = scopes.len(), "dashboard data read ahead");
        }
    }
}

/// The Files and Ownership pages of a scope as a first visit asks for them: the whole tree,
/// all history, bots and vendored paths left out.
async fn read_first_views_ahead(
    state: &AppState,
    repository: Option<i64>,
) -> Result<(), gitdash_shared::error::QueryError> {
    use gitdash_shared::queries::ownership;
    let view = crate::view::ViewRequest { repository, ..Default::default() }
        .resolve(state, crate::view::RangeChoice::All)
        .await?;
    let db = &state.db;
    state.aggregates.folder(db, &view.range, None, false).await?;
    let scope =
        ownership::Scope { repository, folder: None, include_vendored: false, filters: view.range.filters.clone() };
    let since = crate::view::active_since(state.config.inactive_after_days);
    state.aggregates.ownership(db, &scope, since).await?;
    // The scope's coupled pairs and folder owners, which a file's and a person's page read.
    state.aggregates.coupled_pairs(db, repository, None, false, 1).await?;
    state.aggregates.owned_folders(db, repository, "").await?;
    Ok(())
}

pub fn routes(state: Arc<AppState>) -> impl poem::Endpoint {
    let service = OpenApiService::new(api::apis(state.clone()), "gitdash", env!("CARGO_PKG_VERSION"))
        .description("Git history dashboard: repositories, their sync runs and their commits.")
        .server("/api/v1");
    let docs = docs::explorer(&service.swagger_ui_html());
    let policy = security_headers::content_security_policy(&state.auth.config.issuer_url);
    let spec = service.spec_endpoint();
    let metrics = Arc::new(WebMetrics::default());
    // The methods each route takes, for the `Allow` header of 405 answers: the API's from its
    // document, the pages' listed here as they are routed below.
    let allowed = Arc::new(
        AllowedMethods::default()
            .with_spec(&service.spec(), "/api/v1")
            .with("/logout", &["GET", "POST"])
            .with("/repositories", &["GET", "POST"])
            .with("/repositories/:id/sync", &["POST"])
            .with("/repositories/:id/delete", &["GET", "POST"])
            .with("/repositories/:id/credential", &["GET", "POST"])
            .with("/repositories/:id/credential/remove", &["POST"])
            .with("/repositories/:id/webhook", &["POST"])
            .with("/hooks/:id", &["POST"])
            .with_each(
                &[
                    "/",
                    "/login",
                    "/oidc/callback",
                    "/static/style.css",
                    "/static/live.js",
                    "/healthz",
                    "/readyz",
                    "/metrics",
                    "/openapi.json",
                    "/docs",
                    "/statistics",
                    "/commits",
                    "/commits/export.csv",
                    "/commits/export.json",
                    "/committers",
                    "/committers/export.csv",
                    "/committers/export.json",
                    "/files",
                    "/file",
                    "/ownership",
                    "/person",
                    "/repositories/:id",
                    "/repositories/:id/commits/:sha",
                ],
                &["GET"],
            ),
    );
    let page = |endpoint| guarded(endpoint, &state, Realm::Page).around(pages::error::answer_as_pages);
    Route::new()
        // Public: the landing page, sign-in and sign-out, static files, health.
        .at("/", get(landing::landing).around(pages::error::answer_as_pages))
        .at("/login", get(auth::routes::login))
        .at("/oidc/callback", get(auth::routes::callback))
        .at("/logout", get(auth::routes::logout_page).post(auth::routes::logout))
        .at("/static/style.css", get(assets::stylesheet))
        .at("/static/live.js", get(assets::live_script))
        .at("/static/overview.png", get(assets::overview_picture))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/metrics", get(metrics::metrics))
        // Push webhooks: public, each delivery proves itself with the repository's secret.
        .at("/hooks/:id", post(hooks::receive))
        // Everything else needs a signed-in user.
        .nest("/api/v1", guarded(service, &state, Realm::Api))
        .at("/openapi.json", guarded(spec, &state, Realm::Api))
        .nest("/docs", guarded(docs, &state, Realm::Page))
        .at("/statistics", page(get(statistics::page).boxed()))
        .at("/commits", page(get(commits::page).boxed()))
        .at("/commits/export.csv", page(get(commits::export_csv).boxed()))
        .at("/commits/export.json", page(get(commits::export_json).boxed()))
        .at("/committers", page(get(committers::page).boxed()))
        .at("/committers/export.csv", page(get(committers::export_csv).boxed()))
        .at("/committers/export.json", page(get(committers::export_json).boxed()))
        .at("/files", page(get(files::page).boxed()))
        .at("/file", page(get(file::page).boxed()))
        .at("/ownership", page(get(ownership::page).boxed()))
        .at("/person", page(get(person::page).boxed()))
        .at("/repositories", page(get(repositories::page).post(repositories::add).boxed()))
        .at("/repositories/:id", page(get(repositories::overview).boxed()))
        .at("/repositories/:id/commits/:sha", page(get(commit::page).boxed()))
        .at("/repositories/:id/sync", page(post(repositories::sync_now).boxed()))
        .at(
            "/repositories/:id/credential",
            page(get(repositories::credential_page).post(repositories::set_credential).boxed()),
        )
        .at("/repositories/:id/credential/remove", page(post(repositories::remove_credential).boxed()))
        .at("/repositories/:id/webhook", page(post(repositories::issue_webhook).boxed()))
        .at("/repositories/:id/delete", page(get(repositories::confirm_delete).post(repositories::delete).boxed()))
        .data(state.clone())
        .data(metrics.clone())
        .with(CookieJarManager::new())
        .around(body_limit::limit_bodies)
        .around(move |endpoint, req| allow::name_allowed_methods(endpoint, req, allowed.clone()))
        .around(move |endpoint, req| metrics::observe(endpoint, req, metrics.clone()))
        .around(pages::error::unknown_paths_as_pages)
        .catch_all_error(error::json_error_response)
        // Outside the error handler, so error answers carry the id too; the id is also on
        // every log line of the request.
        .with(RequestId::new().reuse_id(ReuseId::Ignore))
        .around(move |endpoint, req| security_headers::security_headers(endpoint, req, policy.clone()))
}

fn guarded<E: IntoEndpoint>(endpoint: E, state: &Arc<AppState>, realm: Realm) -> impl Endpoint + use<E>
where
    E::Endpoint: 'static,
{
    let state = state.clone();
    endpoint.into_endpoint().around(move |endpoint, req| require_user(endpoint, req, state.clone(), realm))
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received; finishing requests"),
        () = terminate => tracing::info!("SIGTERM received; finishing requests"),
    }
}
