//! Users and API tokens in SQLite.

use crate::rows::backend;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use streamwarden_core::access::Role;
use streamwarden_store::{ApiToken, StoreError, StoreResult, User};

fn role(row: &SqliteRow, table: &'static str) -> StoreResult<Role> {
    let name: String = row.try_get("role").map_err(backend)?;
    Role::parse(&name).ok_or_else(|| StoreError::Corrupt {
        table,
        reason: format!("unknown role {name:?}"),
    })
}

pub(crate) async fn put_user(pool: &SqlitePool, user: &User) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (name, role, password_hash, created_ms) VALUES (?, ?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET role = excluded.role, \
         password_hash = excluded.password_hash",
    )
    .bind(&user.name)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(user.created_ms)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn list_users(pool: &SqlitePool) -> StoreResult<Vec<User>> {
    sqlx::query("SELECT * FROM users ORDER BY name")
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|row| {
            Ok(User {
                name: row.try_get("name").map_err(backend)?,
                role: role(row, "users")?,
                password_hash: row.try_get("password_hash").map_err(backend)?,
                created_ms: row.try_get("created_ms").map_err(backend)?,
            })
        })
        .collect()
}

fn token_from_row(row: &SqliteRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id").map_err(backend)?,
        label: row.try_get("label").map_err(backend)?,
        user: row.try_get("user_name").map_err(backend)?,
        role: role(row, "tokens")?,
        hash: row.try_get("hash").map_err(backend)?,
        prefix: row.try_get("prefix").map_err(backend)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
        revoked_ms: row.try_get("revoked_ms").map_err(backend)?,
    })
}

pub(crate) async fn put_token(pool: &SqlitePool, token: &ApiToken) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tokens (id, label, user_name, role, hash, prefix, created_ms, revoked_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&token.id)
    .bind(&token.label)
    .bind(&token.user)
    .bind(token.role.as_str())
    .bind(&token.hash)
    .bind(&token.prefix)
    .bind(token.created_ms)
    .bind(token.revoked_ms)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn token_by_hash(pool: &SqlitePool, hash: &str) -> StoreResult<Option<ApiToken>> {
    sqlx::query("SELECT * FROM tokens WHERE hash = ?")
        .bind(hash)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .as_ref()
        .map(token_from_row)
        .transpose()
}

pub(crate) async fn list_tokens(pool: &SqlitePool) -> StoreResult<Vec<ApiToken>> {
    sqlx::query("SELECT * FROM tokens ORDER BY created_ms DESC, id")
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(token_from_row)
        .collect()
}

pub(crate) async fn revoke_token(pool: &SqlitePool, id: &str, now_ms: i64) -> StoreResult<()> {
    let done = sqlx::query("UPDATE tokens SET revoked_ms = COALESCE(revoked_ms, ?) WHERE id = ?")
        .bind(now_ms)
        .bind(id)
        .execute(pool)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("token {id}")));
    }
    Ok(())
}
