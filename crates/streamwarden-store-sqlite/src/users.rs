//! Users, API tokens, console sessions and the audit log in SQLite.

use crate::rows::backend;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use streamwarden_core::access::Role;
use streamwarden_store::{
    ApiToken, AuditEntry, AuditFilter, Session, StoreError, StoreResult, User,
};

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

pub(crate) async fn put_session(pool: &SqlitePool, session: &Session) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (hash, user_name, csrf, created_ms, expires_ms) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&session.hash)
    .bind(&session.user)
    .bind(&session.csrf)
    .bind(session.created_ms)
    .bind(session.expires_ms)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn session_by_hash(
    pool: &SqlitePool,
    hash: &str,
    now_ms: i64,
) -> StoreResult<Option<Session>> {
    let Some(row) = sqlx::query("SELECT * FROM sessions WHERE hash = ? AND expires_ms > ?")
        .bind(hash)
        .bind(now_ms)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
    else {
        return Ok(None);
    };
    Ok(Some(Session {
        hash: row.try_get("hash").map_err(backend)?,
        user: row.try_get("user_name").map_err(backend)?,
        csrf: row.try_get("csrf").map_err(backend)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
        expires_ms: row.try_get("expires_ms").map_err(backend)?,
    }))
}

pub(crate) async fn delete_session(pool: &SqlitePool, hash: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE hash = ? OR expires_ms <= ?")
        .bind(hash)
        .bind(now_ms)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn end_sessions_of(pool: &SqlitePool, user: &str) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_name = ?")
        .bind(user)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected())
}

pub(crate) async fn put_audit(pool: &SqlitePool, entry: &AuditEntry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit (id, at_ms, actor, via, action, target, summary, status, outcome) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&entry.id)
    .bind(entry.at_ms)
    .bind(&entry.actor)
    .bind(&entry.via)
    .bind(&entry.action)
    .bind(&entry.target)
    .bind(entry.summary.to_string())
    .bind(i64::from(entry.status))
    .bind(&entry.outcome)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn list_audit(
    pool: &SqlitePool,
    filter: &AuditFilter,
) -> StoreResult<Vec<AuditEntry>> {
    sqlx::query(
        "SELECT * FROM audit WHERE (?1 IS NULL OR actor = ?1) \
         AND (?2 IS NULL OR instr(action, ?2) > 0) \
         AND (?3 IS NULL OR substr(target, 1, length(?3)) = ?3) \
         AND (?4 IS NULL OR (?4 = 1) = (status < 400)) \
         AND (?5 IS NULL OR at_ms >= ?5) ORDER BY at_ms DESC, id DESC LIMIT ?6",
    )
    .bind(&filter.actor)
    .bind(&filter.action)
    .bind(&filter.target)
    .bind(filter.ok)
    .bind(filter.since_ms)
    .bind(i64::from(filter.limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|row| {
        let summary: String = row.try_get("summary").map_err(backend)?;
        let status: i64 = row.try_get("status").map_err(backend)?;
        Ok(AuditEntry {
            id: row.try_get("id").map_err(backend)?,
            at_ms: row.try_get("at_ms").map_err(backend)?,
            actor: row.try_get("actor").map_err(backend)?,
            via: row.try_get("via").map_err(backend)?,
            action: row.try_get("action").map_err(backend)?,
            target: row.try_get("target").map_err(backend)?,
            summary: serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt {
                table: "audit",
                reason: format!("summary: {e}"),
            })?,
            status: u16::try_from(status).map_err(|_| StoreError::Corrupt {
                table: "audit",
                reason: format!("status {status}"),
            })?,
            outcome: row.try_get("outcome").map_err(backend)?,
        })
    })
    .collect()
}
