//! `gitdash-worker`: see `gitdash_worker::cli`.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    gitdash_shared::telemetry::init();
    let cli = gitdash_worker::cli::Cli::parse();
    let config = gitdash_shared::Config::from_env()?;
    gitdash_worker::cli::main(cli, config).await
}
