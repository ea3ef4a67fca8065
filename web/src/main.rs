//! `gitdash-web`: see `gitdash_web::app`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    gitdash_shared::telemetry::init();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gitdash-web: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let config = gitdash_shared::Config::from_env()?;
    let auth_config = gitdash_shared::auth_config::AuthConfig::from_env()?;
    // One stop signal for the whole life of the process: started while Redis is down, the
    // web waits for it, and a stop meanwhile is a clean stop.
    let mut stop = Box::pin(gitdash_web::app::shutdown_signal());
    let app = tokio::select! {
        app = gitdash_web::app::Application::build(config, auth_config) => app?,
        () = &mut stop => return Ok(()),
    };
    tracing::info!("gitdash is listening on http://{}", app.local_addr());
    app.run_until_stopped(stop).await
}
