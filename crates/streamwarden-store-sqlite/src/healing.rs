//! Self-healing's restart intents in SQLite: one row per application, so a second claim
//! while a restart is in flight is refused by the primary key.

use crate::rows::{backend, corrupt};
use sqlx::{Row, SqlitePool};
use streamwarden_store::{RestartIntent, StoreResult};

pub(crate) async fn claim_restart(pool: &SqlitePool, intent: &RestartIntent) -> StoreResult<bool> {
    let body = serde_json::to_string(intent).map_err(corrupt("restarts"))?;
    let done = sqlx::query(
        "INSERT INTO restarts (app_id, created_ms, body) VALUES (?, ?, ?) \
         ON CONFLICT (app_id) DO NOTHING",
    )
    .bind(&intent.app_id)
    .bind(intent.created_ms)
    .bind(body)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn list_restarts(pool: &SqlitePool) -> StoreResult<Vec<RestartIntent>> {
    sqlx::query("SELECT body FROM restarts ORDER BY created_ms, app_id")
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|row| {
            let body: String = row.try_get("body").map_err(backend)?;
            serde_json::from_str(&body).map_err(corrupt("restarts"))
        })
        .collect()
}

pub(crate) async fn finish_restart(pool: &SqlitePool, app_id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM restarts WHERE app_id = ?")
        .bind(app_id)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}
