//! `gitdash-web`: see `gitdash_web::app`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    gitdash_shared::telemetry::init();
    let config = gitdash_shared::Config::from_env()?;
    let app = gitdash_web::app::Application::build(config).await?;
    tracing::info!("gitdash is listening on http://{}", app.local_addr());
    app.run_until_stopped(gitdash_web::app::shutdown_signal())
        .await
}
