//! `streamwarden users add` (on this machine's database: it creates the first admin, when
//! the API is not open to anyone yet) and `streamwarden tokens` (through the API, as admin).

use super::{ServerArgs, call, get, table, time};
use crate::config::Config;
use serde_json::{Value, json};
use std::path::PathBuf;
use streamwarden_core::access::Role;
use streamwarden_core::clock::now_ms;
use streamwarden_server::auth::issue_token;
use streamwarden_store::{Store, User};
use streamwarden_store_sqlite::SqliteStore;

/// `users add NAME [--admin | --role ROLE]`.
#[derive(Debug, clap::Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, clap::Subcommand)]
enum UsersCommand {
    /// Create a user (or change its role) in the database of the configuration, and print a
    /// new API token for it, once.
    Add {
        /// User name (letters, digits, `.`, `_`, `-`, `@`).
        name: String,
        /// Make the user an admin (same as `--role admin`).
        #[arg(long)]
        admin: bool,
        /// viewer, operator or admin.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// TOML configuration file (for the database's path).
        #[arg(long, env = "STREAMWARDEN_CONFIG")]
        config: Option<PathBuf>,
    },
}

/// Runs `users`.
pub async fn run(args: UsersArgs) -> anyhow::Result<()> {
    let UsersCommand::Add {
        name,
        admin,
        role,
        config,
    } = args.command;
    let role = if admin {
        Role::Admin
    } else {
        Role::parse(&role)
            .ok_or_else(|| anyhow::anyhow!("--role {role}: expected viewer, operator or admin"))?
    };
    streamwarden_core::access::check_user_name(&name)
        .map_err(|reason| anyhow::anyhow!("NAME {name:?}: {reason}"))?;
    let config = Config::load(config.as_deref())?;
    let store = SqliteStore::open(&config.database).await?;
    let created_ms = store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.name == name)
        .map_or_else(now_ms, |u| u.created_ms);
    store
        .put_user(&User {
            name: name.clone(),
            role,
            password_hash: None,
            created_ms,
        })
        .await?;
    let (token, stored) = issue_token("cli", &name, role);
    store.put_token(&stored).await?;
    store.close().await;
    println!("user {name} ({role}); its API token, shown only now:\n{token}");
    println!("use it as STREAMWARDEN_TOKEN={token} (CLI) or Authorization: Bearer {token}");
    Ok(())
}

/// `tokens list | create | revoke`.
#[derive(Debug, clap::Args)]
pub struct TokensArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: TokensCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TokensCommand {
    /// List tokens (never their secret).
    List,
    /// Create a token; it is shown once.
    Create {
        /// What it is for.
        #[arg(long)]
        label: String,
        /// viewer, operator or admin (at most its user's role).
        #[arg(long)]
        role: String,
        /// The user it acts as (default: yours).
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token: it stops working at once.
    Revoke {
        /// Token id.
        id: String,
    },
}

/// Runs `tokens`.
pub async fn tokens(args: TokensArgs) -> anyhow::Result<()> {
    let server = &args.server.server;
    match args.command {
        TokensCommand::List => {
            let tokens: Vec<Value> = get(server, "api/v1/tokens", &[]).await?;
            let mut out = table(&[
                "ID", "PREFIX", "LABEL", "USER", "ROLE", "CREATED", "REVOKED",
            ]);
            for t in &tokens {
                out.add_row(vec![
                    super::text(&t["id"]),
                    super::text(&t["prefix"]),
                    super::text(&t["label"]),
                    super::text(&t["user"]),
                    super::text(&t["role"]),
                    time(t["created_ms"].as_i64()),
                    time(t["revoked_ms"].as_i64()),
                ]);
            }
            println!("{out}");
        }
        TokensCommand::Create { label, role, user } => {
            let body = json!({ "label": label, "role": role, "user": user });
            let answer = call(
                server,
                reqwest::Method::POST,
                "api/v1/tokens",
                &[],
                Some(&body),
            )
            .await?;
            println!(
                "token {} for {} ({}), shown only now:\n{}",
                super::text(&answer["id"]),
                super::text(&answer["user"]),
                super::text(&answer["role"]),
                super::text(&answer["token"])
            );
        }
        TokensCommand::Revoke { id } => {
            call(
                server,
                reqwest::Method::DELETE,
                &format!("api/v1/tokens/{id}"),
                &[],
                None,
            )
            .await?;
            println!("revoked {id}");
        }
    }
    Ok(())
}
