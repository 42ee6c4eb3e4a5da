//! `streamwarden`: watchdog and control plane for Apache Flink jobs.
//!
//! `streamwarden serve` watches the configured Flink clusters and delivers alerts;
//! `streamwarden jobs`, `events` and `channels` call a running instance's API.

mod cli;
mod config;
mod healer;
mod health;
mod serve;
mod watcher;

use clap::{Parser, Subcommand};
use config::{Config, LogFormat};
use std::path::PathBuf;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "streamwarden",
    version,
    about = "Watchdog and control plane for Apache Flink jobs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Watch the configured Flink clusters, store every change and deliver alerts.
    Serve {
        /// TOML configuration file; `STREAMWARDEN_…` environment variables override it.
        #[arg(long, env = "STREAMWARDEN_CONFIG")]
        config: Option<PathBuf>,
    },
    /// List the jobs a running StreamWarden knows.
    Jobs(cli::jobs::JobsArgs),
    /// List the latest events of a running StreamWarden.
    Events(cli::events::EventsArgs),
    /// Manage alert channels: list, show, create, test, kinds.
    Channels(cli::channels::ChannelsArgs),
    /// The alert history (filters), or `alerts ack ID`.
    Alerts(cli::alerts::AlertsArgs),
    /// Silences: list, add, expire.
    Silences(cli::alerts::SilencesArgs),
    /// Routes and subscriptions: list, create, delete, subscribe.
    Routes(cli::alerts::RoutesArgs),
    /// Managed applications: upload, list, show, inspect, start, stop, savepoint, bulk, ….
    Apps(cli::apps::AppsArgs),
    /// Users: `users add NAME --admin` creates the first admin and prints its token.
    Users(cli::users::UsersArgs),
    /// API tokens: list, create (shown once), revoke.
    Tokens(cli::users::TokensArgs),
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("STREAMWARDEN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { config } => {
                let config = Config::load(config.as_deref())?;
                init_logging(config.log_format);
                serve::run(config).await
            }
            Command::Jobs(args) => cli::jobs::run(args).await,
            Command::Events(args) => cli::events::run(args).await,
            Command::Channels(args) => cli::channels::run(args).await,
            Command::Alerts(args) => cli::alerts::run(args).await,
            Command::Silences(args) => cli::alerts::silences(args).await,
            Command::Routes(args) => cli::alerts::routes(args).await,
            Command::Apps(args) => cli::apps::run(args).await,
            Command::Users(args) => cli::users::run(args).await,
            Command::Tokens(args) => cli::users::tokens(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
