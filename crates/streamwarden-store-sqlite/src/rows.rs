//! Reading rows back into the domain's types.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use streamwarden_core::notification::{Notification, Outgoing};
use streamwarden_core::{ClusterHealth, Event, JobSnapshot, JobState};
use streamwarden_store::{
    ClusterRow, Delivery, DeliveryStatus, JobRow, StoreError, StoreResult, StoredChannel,
};

/// Maps a driver error to the store's.
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Maps a JSON error of a stored column to a corrupt row of `table`.
pub(crate) fn corrupt(table: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt {
        table,
        reason: e.to_string(),
    }
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(backend)
}

pub(crate) fn cluster_from_row(row: &SqliteRow) -> StoreResult<ClusterRow> {
    let failures: i64 = get(row, "consecutive_failures")?;
    Ok(ClusterRow {
        name: get(row, "name")?,
        url: get(row, "url")?,
        health: ClusterHealth {
            consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
            unreachable: get(row, "unreachable")?,
            first_failure_ms: get(row, "first_failure_ms")?,
            last_ok_ms: get(row, "last_ok_ms")?,
            last_error: get(row, "last_error")?,
        },
    })
}

pub(crate) fn job_from_row(row: &SqliteRow) -> StoreResult<JobRow> {
    let state: String = get(row, "state")?;
    let restarts: Option<i64> = get(row, "restarts")?;
    Ok(JobRow {
        cluster: get(row, "cluster")?,
        job: JobSnapshot {
            jid: get(row, "jid")?,
            name: get(row, "name")?,
            state: JobState::parse(&state).ok_or_else(|| StoreError::Corrupt {
                table: "jobs",
                reason: format!("unknown state {state:?}"),
            })?,
            start_time_ms: get(row, "start_time_ms")?,
            end_time_ms: get(row, "end_time_ms")?,
            duration_ms: get(row, "duration_ms")?,
            last_modification_ms: get(row, "last_modification_ms")?,
            restarts: restarts.and_then(|r| u64::try_from(r).ok()),
            first_seen_ms: get(row, "first_seen_ms")?,
            last_seen_ms: get(row, "last_seen_ms")?,
            url: get(row, "url")?,
        },
    })
}

pub(crate) fn event_from_body(body: &str) -> StoreResult<Event> {
    serde_json::from_str(body).map_err(corrupt("events"))
}

/// A delivery (its events not loaded yet) and its notification.
pub(crate) fn delivery_from_row(row: &SqliteRow) -> StoreResult<(Delivery, Notification)> {
    let status: String = get(row, "status")?;
    let attempts: i64 = get(row, "attempts")?;
    let notification: Notification =
        serde_json::from_str(&get::<String>(row, "body")?).map_err(corrupt("notifications"))?;
    let delivery = Delivery {
        id: get(row, "id")?,
        channel: get(row, "channel")?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
            table: "deliveries",
            reason: format!("unknown status {status:?}"),
        })?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_ms: get(row, "next_attempt_ms")?,
        last_error: get(row, "last_error")?,
        created_ms: get(row, "created_ms")?,
        updated_ms: get(row, "updated_ms")?,
        outgoing: Outgoing {
            notification: notification.clone(),
            events: Vec::new(),
        },
    };
    Ok((delivery, notification))
}

pub(crate) fn channel_from_row(row: &SqliteRow) -> StoreResult<StoredChannel> {
    Ok(StoredChannel {
        name: get(row, "name")?,
        kind: get(row, "kind")?,
        config: serde_json::from_str(&get::<String>(row, "config")?)
            .map_err(corrupt("channels"))?,
        templates: serde_json::from_str(&get::<String>(row, "templates")?)
            .map_err(corrupt("channels"))?,
        created_ms: get(row, "created_ms")?,
        updated_ms: get(row, "updated_ms")?,
    })
}
