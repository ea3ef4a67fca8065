//! `gitdash-worker`: see `gitdash_worker::cli`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    gitdash_shared::telemetry::init();
    let cli = gitdash_worker::cli::Cli::parse();
    let result = match gitdash_shared::Config::from_env() {
        Ok(config) => gitdash_worker::cli::main(cli, config).await,
        Err(err) => Err(err.into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gitdash-worker: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
