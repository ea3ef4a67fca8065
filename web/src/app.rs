//! Building and running the web application: `Application::build` connects to the stores
//! and binds the listener (port 0 in tests), `run_until_stopped` serves until shutdown and
//! lets in-flight requests finish.

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
use sea_orm::DatabaseConnection;

use crate::{
    api,
    auth::{
        self, Auth,
        guard::{Realm, require_user},
        okta::Okta,
        provider::Provider,
        session::Sessions,
    },
    commits_page, committers, error, health,
    metrics::{self, WebMetrics},
    pages, repositories_page, statistics,
};

/// What request handlers share.
pub struct AppState {
    pub db: DatabaseConnection,
    pub queue: jobs::SyncQueue,
    pub config: Config,
    pub auth: Auth,
    /// For readiness checks; sessions and the queue hold their own handles.
    pub redis: redis::aio::ConnectionManager,
    pub metrics: WebMetrics,
    /// Charts, totals, highlights, committers and bots (by `GITDASH_BOT_PATTERN`), each kept
    /// until a sync changes its scope.
    pub aggregates: Aggregates,
}

pub struct Application {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    state: Arc<AppState>,
}

impl Application {
    pub async fn build(config: Config, auth_config: AuthConfig) -> anyhow::Result<Self> {
        let db = gitdash_shared::db::connect(&config.database_url).await?;
        let queue = jobs::connect_queue(&config.redis_url, &config.queue_name).await.context("REDIS_URL")?;
        let redis = jobs::connect_redis(&config.redis_url).await.context("REDIS_URL")?;
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
        let metrics = WebMetrics::default();
        let aggregates = Aggregates::new(config.bot_pattern.clone());
        Ok(Self {
            acceptor,
            local_addr,
            state: Arc::new(AppState { db, queue, config, auth, redis, metrics, aggregates }),
        })
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
/// visitor waits for it. A failed pass is logged and the next one tries again.
async fn keep_aggregates_warm(state: Arc<AppState>) {
    let mut every = tokio::time::interval(Duration::from_secs(2));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match state.aggregates.warm(&state.db).await {
            Ok(0) => {}
            Ok(scopes) => tracing::debug!(scopes, "dashboard data read ahead"),
            Err(error) => tracing::warn!(%error, "could not read dashboard data ahead"),
        }
    }
}

pub fn routes(state: Arc<AppState>) -> impl poem::Endpoint {
    let service = OpenApiService::new(api::apis(state.clone()), "gitdash", env!("CARGO_PKG_VERSION"))
        .description("Git history dashboard: repositories, their sync runs and their commits.")
        .server("/api/v1");
    let docs = service.swagger_ui();
    let policy = pages::content_security_policy(&state.auth.config.issuer_url);
    let spec = service.spec_endpoint();
    Route::new()
        // Public: the landing page, sign-in and sign-out, static files, health.
        .at("/", get(pages::landing))
        .at("/login", get(auth::routes::login))
        .at("/oidc/callback", get(auth::routes::callback))
        .at("/logout", get(auth::routes::logout_page).post(auth::routes::logout))
        .at("/static/style.css", get(pages::stylesheet))
        .at("/static/live.js", get(pages::live_script))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/metrics", get(metrics::metrics))
        // Everything else needs a signed-in user.
        .nest("/api/v1", guarded(service, &state, Realm::Api))
        .at("/openapi.json", guarded(spec, &state, Realm::Api))
        .nest("/docs", guarded(docs, &state, Realm::Page))
        .at("/statistics", guarded(get(statistics::page), &state, Realm::Page))
        .at("/commits", guarded(get(commits_page::page), &state, Realm::Page))
        .at("/commits/export.csv", guarded(get(commits_page::export_csv), &state, Realm::Page))
        .at("/commits/export.json", guarded(get(commits_page::export_json), &state, Realm::Page))
        .at("/committers", guarded(get(committers::page), &state, Realm::Page))
        .at("/committers/export.csv", guarded(get(committers::export_csv), &state, Realm::Page))
        .at("/committers/export.json", guarded(get(committers::export_json), &state, Realm::Page))
        .at("/repositories", guarded(get(repositories_page::page).post(repositories_page::add), &state, Realm::Page))
        .at("/repositories/:id", guarded(get(repositories_page::overview), &state, Realm::Page))
        .at("/repositories/:id/sync", guarded(post(repositories_page::sync_now), &state, Realm::Page))
        .at(
            "/repositories/:id/delete",
            guarded(get(repositories_page::confirm_delete).post(repositories_page::delete), &state, Realm::Page),
        )
        .data(state.clone())
        .with(CookieJarManager::new())
        .catch_all_error(error::json_error_response)
        .around(move |endpoint, req| metrics::observe(endpoint, req, state.clone()))
        // Outside the error handler, so error answers carry the id too; the id is also on
        // every log line of the request.
        .with(RequestId::new().reuse_id(ReuseId::Ignore))
        .around(move |endpoint, req| pages::security_headers(endpoint, req, policy.clone()))
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
