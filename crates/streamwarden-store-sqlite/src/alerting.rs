//! Alerts, groups, notifications, silences and routes in SQLite.

use crate::rows::{backend, corrupt};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use streamwarden_core::EventKind;
use streamwarden_core::noise::{Alert, AlertState, Group, Notice};
use streamwarden_store::{
    AlertFilter, AlertRecord, AlertStatus, AlertingChanges, DeliveryStatus, DeliverySummary,
    StoreError, StoreResult, StoredRoute, StoredSilence,
};

fn json<T: serde::Serialize>(value: &T, table: &'static str) -> StoreResult<String> {
    serde_json::to_string(value).map_err(corrupt(table))
}

fn state_name(state: AlertState) -> &'static str {
    match state {
        AlertState::Firing => "firing",
        AlertState::Resolved => "resolved",
    }
}

fn notice_name(notice: &Notice) -> &'static str {
    match notice {
        Notice::Alert { .. } => "alert",
        Notice::Repeat { .. } => "repeat",
        Notice::Resolved { .. } => "resolved",
        Notice::Group { .. } => "group",
    }
}

/// Writes noise control's decisions inside the poll's transaction.
pub(crate) async fn write(
    tx: &mut Transaction<'_, Sqlite>,
    cluster: &str,
    changes: &AlertingChanges,
) -> StoreResult<()> {
    for alert in &changes.alerts {
        sqlx::query(
            "INSERT INTO alerts (id, key, cluster, job, kind, severity, state, silenced_by, \
             started_ms, last_event_ms, resolved_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, severity = excluded.severity, \
             state = excluded.state, silenced_by = excluded.silenced_by, \
             last_event_ms = excluded.last_event_ms, resolved_ms = excluded.resolved_ms, \
             body = excluded.body",
        )
        .bind(&alert.id)
        .bind(&alert.key)
        .bind(&alert.cluster)
        .bind(&alert.job)
        .bind(alert.kind.as_str())
        .bind(alert.severity.as_str())
        .bind(state_name(alert.state))
        .bind(&alert.silenced_by)
        .bind(alert.started_ms)
        .bind(alert.last_event_ms)
        .bind(alert.resolved_ms)
        .bind(json(alert, "alerts")?)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    }
    if let Some(groups) = &changes.groups {
        sqlx::query(
            "INSERT INTO alert_groups (cluster, groups) VALUES (?, ?) \
             ON CONFLICT (cluster) DO UPDATE SET groups = excluded.groups",
        )
        .bind(cluster)
        .bind(json(groups, "alert_groups")?)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    }
    for new in &changes.notifications {
        let n = &new.notification;
        sqlx::query(
            "INSERT INTO notifications (id, route, cluster, severity, notice, body, created_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&n.id)
        .bind(&n.route)
        .bind(&n.cluster)
        .bind(n.severity.as_str())
        .bind(json(&n.notice, "notifications")?)
        .bind(json(n, "notifications")?)
        .bind(n.created_ms)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
        let resolved: Vec<bool> = match &n.notice {
            Notice::Resolved { .. } => vec![true],
            Notice::Group { members, .. } => members.iter().map(|m| m.resolved).collect(),
            _ => vec![false],
        };
        for (position, (event_id, resolved)) in n.event_ids().into_iter().zip(resolved).enumerate()
        {
            sqlx::query(
                "INSERT INTO notification_events (notification_id, position, event_id, resolved) \
                 VALUES (?, ?, ?, ?)",
            )
            .bind(&n.id)
            .bind(position as i64)
            .bind(event_id)
            .bind(resolved)
            .execute(&mut **tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(ref d) if d.message().contains("FOREIGN KEY") => {
                    StoreError::NotFound(format!("event {event_id} of notification {}", n.id))
                }
                other => backend(other),
            })?;
        }
        for alert_id in n.alert_ids().into_iter().filter(|a| !a.is_empty()) {
            sqlx::query(
                "INSERT OR IGNORE INTO notification_alerts (notification_id, alert_id) VALUES (?, ?)",
            )
            .bind(&n.id)
            .bind(alert_id)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
        }
        for channel in &new.channels {
            sqlx::query(
                "INSERT INTO deliveries (notification_id, channel, status, next_attempt_ms, \
                 created_ms, updated_ms) VALUES (?, ?, 'pending', ?, ?, ?)",
            )
            .bind(&n.id)
            .bind(channel)
            .bind(n.created_ms)
            .bind(n.created_ms)
            .bind(n.created_ms)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
        }
    }
    Ok(())
}

fn alert_from_row(row: &SqliteRow) -> StoreResult<Alert> {
    let body: String = row.try_get("body").map_err(backend)?;
    let mut alert: Alert = serde_json::from_str(&body).map_err(corrupt("alerts"))?;
    alert.acknowledged_by = row.try_get("acknowledged_by").map_err(backend)?;
    Ok(alert)
}

pub(crate) async fn load(
    pool: &SqlitePool,
    cluster: &str,
) -> StoreResult<(Vec<Alert>, Vec<Group>)> {
    let alerts = sqlx::query(
        "SELECT body, acknowledged_by FROM alerts WHERE cluster = ? AND state = 'firing'",
    )
    .bind(cluster)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(alert_from_row)
    .collect::<StoreResult<Vec<_>>>()?;
    let groups = match sqlx::query("SELECT groups FROM alert_groups WHERE cluster = ?")
        .bind(cluster)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
    {
        Some(row) => {
            let text: String = row.try_get("groups").map_err(backend)?;
            serde_json::from_str(&text).map_err(corrupt("alert_groups"))?
        }
        None => Vec::new(),
    };
    Ok((alerts, groups))
}

pub(crate) async fn list(pool: &SqlitePool, filter: &AlertFilter) -> StoreResult<Vec<AlertRecord>> {
    let status = filter.status.map(|s| match s {
        AlertStatus::Firing => "firing",
        AlertStatus::Resolved => "resolved",
        AlertStatus::Acknowledged => "acknowledged",
        AlertStatus::Silenced => "silenced",
    });
    let rows = sqlx::query(
        "SELECT body, acknowledged_by, acknowledged_ms FROM alerts \
         WHERE (?1 IS NULL OR job = ?1) AND (?2 IS NULL OR cluster = ?2) \
         AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR severity = ?4) \
         AND (?5 IS NULL \
              OR (?5 = 'firing' AND state = 'firing' AND silenced_by IS NULL) \
              OR (?5 = 'resolved' AND state = 'resolved') \
              OR (?5 = 'acknowledged' AND acknowledged_by IS NOT NULL) \
              OR (?5 = 'silenced' AND state = 'firing' AND silenced_by IS NOT NULL)) \
         AND (?6 IS NULL OR started_ms >= ?6) AND (?7 IS NULL OR started_ms < ?7) \
         ORDER BY started_ms DESC, id DESC LIMIT ?8",
    )
    .bind(&filter.job)
    .bind(&filter.cluster)
    .bind(filter.kind.map(EventKind::as_str))
    .bind(filter.severity.map(|s| s.as_str()))
    .bind(status)
    .bind(filter.since_ms)
    .bind(filter.until_ms)
    .bind(i64::from(filter.limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        let alert = alert_from_row(row)?;
        let deliveries = sqlx::query(
            "SELECT d.channel, n.notice, d.status, d.attempts, d.last_error, d.updated_ms \
             FROM notification_alerts na JOIN deliveries d ON d.notification_id = na.notification_id \
             JOIN notifications n ON n.id = na.notification_id WHERE na.alert_id = ? ORDER BY d.id",
        )
        .bind(&alert.id)
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| {
            let notice: String = r.try_get("notice").map_err(backend)?;
            let notice: Notice = serde_json::from_str(&notice).map_err(corrupt("notifications"))?;
            let status: String = r.try_get("status").map_err(backend)?;
            let attempts: i64 = r.try_get("attempts").map_err(backend)?;
            Ok(DeliverySummary {
                channel: r.try_get("channel").map_err(backend)?,
                notice: notice_name(&notice).into(),
                status: DeliveryStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                    table: "deliveries",
                    reason: format!("unknown status {status:?}"),
                })?,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                last_error: r.try_get("last_error").map_err(backend)?,
                updated_ms: r.try_get("updated_ms").map_err(backend)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        records.push(AlertRecord {
            alert,
            acknowledged_ms: row.try_get("acknowledged_ms").map_err(backend)?,
            deliveries,
        });
    }
    Ok(records)
}

pub(crate) async fn acknowledge(
    pool: &SqlitePool,
    alert_id: &str,
    by: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let done =
        sqlx::query("UPDATE alerts SET acknowledged_by = ?, acknowledged_ms = ? WHERE id = ?")
            .bind(by)
            .bind(now_ms)
            .bind(alert_id)
            .execute(pool)
            .await
            .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("alert {alert_id}")));
    }
    Ok(())
}

pub(crate) async fn acknowledged(
    pool: &SqlitePool,
    cluster: &str,
) -> StoreResult<Vec<(String, String)>> {
    sqlx::query(
        "SELECT id, acknowledged_by FROM alerts WHERE cluster = ? AND state = 'firing' \
         AND acknowledged_by IS NOT NULL",
    )
    .bind(cluster)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("id").map_err(backend)?,
            r.try_get("acknowledged_by").map_err(backend)?,
        ))
    })
    .collect()
}

pub(crate) async fn list_silences(
    pool: &SqlitePool,
    include_expired: bool,
    now_ms: i64,
) -> StoreResult<Vec<StoredSilence>> {
    sqlx::query("SELECT body FROM silences WHERE (?1 = 1 OR ends_ms > ?2) ORDER BY created_ms DESC, id DESC")
        .bind(include_expired)
        .bind(now_ms)
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| {
            let body: String = r.try_get("body").map_err(backend)?;
            serde_json::from_str(&body).map_err(corrupt("silences"))
        })
        .collect()
}

pub(crate) async fn put_silence(pool: &SqlitePool, silence: &StoredSilence) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO silences (id, starts_ms, ends_ms, body, created_ms) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET starts_ms = excluded.starts_ms, ends_ms = excluded.ends_ms, \
         body = excluded.body",
    )
    .bind(&silence.silence.id)
    .bind(silence.silence.starts_ms)
    .bind(silence.silence.ends_ms)
    .bind(json(silence, "silences")?)
    .bind(silence.created_ms)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn list_routes(pool: &SqlitePool) -> StoreResult<Vec<StoredRoute>> {
    sqlx::query("SELECT body FROM routes ORDER BY position, name")
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| {
            let body: String = r.try_get("body").map_err(backend)?;
            serde_json::from_str(&body).map_err(corrupt("routes"))
        })
        .collect()
}

pub(crate) async fn put_route(pool: &SqlitePool, route: &StoredRoute) -> StoreResult<()> {
    let created: Option<i64> = sqlx::query("SELECT created_ms FROM routes WHERE name = ?")
        .bind(&route.route.name)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .map(|r| r.try_get("created_ms"))
        .transpose()
        .map_err(backend)?;
    let stored = StoredRoute {
        created_ms: created.unwrap_or(route.created_ms),
        ..route.clone()
    };
    sqlx::query(
        "INSERT INTO routes (name, position, owner, body, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, owner = excluded.owner, \
         body = excluded.body, updated_ms = excluded.updated_ms",
    )
    .bind(&stored.route.name)
    .bind(stored.position)
    .bind(&stored.route.owner)
    .bind(json(&stored, "routes")?)
    .bind(stored.created_ms)
    .bind(stored.updated_ms)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn delete_route(pool: &SqlitePool, name: &str) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM routes WHERE name = ?")
        .bind(name)
        .execute(pool)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("route {name}")));
    }
    Ok(())
}
