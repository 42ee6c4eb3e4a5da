//! `streamwarden users add` (on this machine's database: it creates the first admin, when
//! the API is not open to anyone yet) and `streamwarden tokens` (through the API, as admin).

use super::{ServerArgs, call, get, table, time};
use crate::config::Config;
use anyhow::Context;
use serde_json::{Value, json};
use std::path::PathBuf;
use streamwarden_core::access::Role;
use streamwarden_core::audit::redact;
use streamwarden_core::clock::now_ms;
use streamwarden_server::audit::Via;
use streamwarden_server::auth::{hash_password, issue_token};
use streamwarden_store::{AuditEntry, Store, User};
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
        /// Read a console password (8 to 256 characters) from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
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
        password_stdin,
        config,
    } = args.command;
    let role = if admin {
        Role::Admin
    } else {
        Role::parse(&role)
            .ok_or_else(|| anyhow::anyhow!("--role {role}: expected viewer, operator or admin"))?
    };
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("--password-stdin: cannot read stdin")?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    let config = Config::load(config.as_deref())?;
    let store = SqliteStore::open(&config.database).await?;
    let outcome = put_user(&store, &name, role, password.as_deref(), Via::Cli).await;
    let token = match outcome {
        Ok(()) => {
            let (token, stored) = issue_token("cli", &name, role);
            store.put_token(&stored).await.map(|()| token)
        }
        Err(error) => {
            store.close().await;
            return Err(error);
        }
    };
    store.close().await;
    let token = token?;
    println!("user {name} ({role}); its API token, shown only now:\n{token}");
    println!("use it as STREAMWARDEN_TOKEN={token} (CLI) or Authorization: Bearer {token}");
    if password.is_some() {
        println!("the console accepts its password at /ui/login");
    }
    Ok(())
}

/// Creates user `name` (or changes its role, and its password when one is given) directly in
/// `store`, and audits it as action `users add` done `via` the CLI or the configuration
/// (`[admin]`). Errors name the field: the name's or the password's rule.
pub async fn put_user(
    store: &dyn Store,
    name: &str,
    role: Role,
    password: Option<&str>,
    via: Via,
) -> anyhow::Result<()> {
    streamwarden_core::access::check_user_name(name)
        .map_err(|reason| anyhow::anyhow!("NAME {name:?}: {reason}"))?;
    let password_hash = password
        .map(hash_password)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let existing = store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.name == name);
    let user = User {
        name: name.to_string(),
        role,
        password_hash: password_hash
            .or_else(|| existing.as_ref().and_then(|u| u.password_hash.clone())),
        created_ms: existing.map_or_else(now_ms, |u| u.created_ms),
    };
    let done = store.put_user(&user).await;
    let entry = AuditEntry {
        id: uuid::Uuid::now_v7().to_string(),
        at_ms: now_ms(),
        actor: format!("{} (local)", whoami()),
        via: via.as_str().into(),
        action: "users add".into(),
        target: format!("users/{name}"),
        summary: redact(&json!({ "role": role, "password": password })),
        status: if done.is_ok() { 200 } else { 500 },
        outcome: match &done {
            Ok(()) => "ok".into(),
            Err(error) => error.to_string(),
        },
    };
    store.put_audit(&entry).await?;
    Ok(done?)
}

/// The operating-system user running the command (`$USER`), else `unknown`.
fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "unknown".into())
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
