//! SQLite backend of StreamWarden's [`Store`]: one file, WAL journal, `synchronous=FULL` so a
//! committed outbox row survives a crash; migrations embedded and applied at open.

mod alerting;
mod apps;
mod healing;
mod rows;
mod users;

use async_trait::async_trait;
use rows::{backend, delivery_from_row, job_from_row};
use sqlx::sqlite::SqliteRow;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::time::Duration;
use streamwarden_core::noise::{Alert, Group};
use streamwarden_core::notification::Outgoing;
use streamwarden_core::{ClusterHealth, ClusterView, Event, Observation};
use streamwarden_store::{
    AlertFilter, AlertRecord, AlertingChanges, ApiToken, AppFilter, AppVersion, Application,
    AttemptOutcome, AuditEntry, AuditFilter, ClusterRow, Delivery, DeliveryFilter, DeliveryStatus,
    EventFilter, JobRow, OutboxStats, RestartIntent, Run, RunStatus, Session, Store, StoreError,
    StoreResult, StoredChannel, StoredRoute, StoredSilence, StoredSnapshot, User,
};

/// The SQLite store. Cheap to clone (a connection pool).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path` and applies pending migrations.
    ///
    /// Errors name the path: a missing parent directory, a file that is not a database, a
    /// migration that fails.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Backend(format!("opening {}: {e}", path.display())))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migrating {}: {e}", path.display())))?;
        Ok(SqliteStore { pool })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Deliveries from their rows, each with its notification's events loaded.
    async fn deliveries_from_rows(&self, rows: &[SqliteRow]) -> StoreResult<Vec<Delivery>> {
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in rows {
            let (mut delivery, notification) = delivery_from_row(row)?;
            let events = sqlx::query(
                "SELECT e.body, ne.resolved FROM notification_events ne \
                 JOIN events e USING (event_id) WHERE ne.notification_id = ? ORDER BY ne.position",
            )
            .bind(&notification.id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                let body: String = r.try_get("body").map_err(backend)?;
                let resolved: bool = r.try_get("resolved").map_err(backend)?;
                Ok((rows::event_from_body(&body)?, resolved))
            })
            .collect::<StoreResult<Vec<_>>>()?;
            delivery.outgoing = Outgoing {
                notification,
                events,
            };
            deliveries.push(delivery);
        }
        Ok(deliveries)
    }
}

/// A delivery query: its columns joined with the notification's body, then `$rest` (WHERE …).
macro_rules! select_deliveries {
    ($rest:literal) => {
        concat!(
            "SELECT d.id, d.channel, d.status, d.attempts, d.next_attempt_ms, d.last_error, ",
            "d.created_ms, d.updated_ms, n.body FROM deliveries d ",
            "JOIN notifications n ON n.id = d.notification_id ",
            $rest
        )
    };
}

#[async_trait]
impl Store for SqliteStore {
    async fn register_cluster(&self, name: &str, url: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO clusters (name, url) VALUES (?, ?) \
             ON CONFLICT (name) DO UPDATE SET url = excluded.url",
        )
        .bind(name)
        .bind(url)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load_cluster(&self, name: &str) -> StoreResult<Option<ClusterView>> {
        let Some(row) = sqlx::query(
            "SELECT name, url, consecutive_failures, unreachable, first_failure_ms, last_ok_ms, \
             last_error FROM clusters WHERE name = ?",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?
        else {
            return Ok(None);
        };
        let cluster = rows::cluster_from_row(&row)?;
        let jobs = sqlx::query("SELECT * FROM jobs WHERE cluster = ?")
            .bind(name)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| job_from_row(r).map(|j| (j.job.jid.clone(), j.job)))
            .collect::<StoreResult<_>>()?;
        Ok(Some(ClusterView {
            name: cluster.name,
            url: cluster.url,
            health: cluster.health,
            jobs,
        }))
    }

    async fn apply_observation(
        &self,
        cluster: &str,
        observation: &Observation,
        alerting: &AlertingChanges,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let health: &ClusterHealth = &observation.health;
        let updated = sqlx::query(
            "UPDATE clusters SET consecutive_failures = ?, unreachable = ?, first_failure_ms = ?, \
             last_ok_ms = ?, last_error = ? WHERE name = ?",
        )
        .bind(i64::from(health.consecutive_failures))
        .bind(health.unreachable)
        .bind(health.first_failure_ms)
        .bind(health.last_ok_ms)
        .bind(&health.last_error)
        .bind(cluster)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("cluster {cluster}")));
        }
        for jid in &observation.removed {
            sqlx::query("DELETE FROM jobs WHERE cluster = ? AND jid = ?")
                .bind(cluster)
                .bind(jid)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        for job in &observation.upserts {
            sqlx::query(
                "INSERT INTO jobs (cluster, jid, name, state, start_time_ms, end_time_ms, \
                 duration_ms, last_modification_ms, restarts, first_seen_ms, last_seen_ms, url) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (cluster, jid) DO UPDATE SET name = excluded.name, \
                 state = excluded.state, start_time_ms = excluded.start_time_ms, \
                 end_time_ms = excluded.end_time_ms, duration_ms = excluded.duration_ms, \
                 last_modification_ms = excluded.last_modification_ms, \
                 restarts = excluded.restarts, last_seen_ms = excluded.last_seen_ms, \
                 url = excluded.url",
            )
            .bind(cluster)
            .bind(&job.jid)
            .bind(&job.name)
            .bind(job.state.as_str())
            .bind(job.start_time_ms)
            .bind(job.end_time_ms)
            .bind(job.duration_ms)
            .bind(job.last_modification_ms)
            .bind(job.restarts.map(|r| i64::try_from(r).unwrap_or(i64::MAX)))
            .bind(job.first_seen_ms)
            .bind(job.last_seen_ms)
            .bind(&job.url)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        for event in &observation.events {
            let body = serde_json::to_string(event).map_err(|e| StoreError::Corrupt {
                table: "events",
                reason: e.to_string(),
            })?;
            sqlx::query(
                "INSERT INTO events (event_id, kind, severity, notify, cluster, jid, job_name, \
                 occurred_at_ms, observed_at_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&event.event_id)
            .bind(event.kind.as_str())
            .bind(event.severity.as_str())
            .bind(event.notify)
            .bind(&event.cluster)
            .bind(event.job.as_ref().map(|j| &j.id))
            .bind(event.job.as_ref().map(|j| &j.name))
            .bind(event.occurred_at_ms)
            .bind(event.observed_at_ms)
            .bind(body)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        alerting::write(&mut tx, cluster, alerting).await?;
        tx.commit().await.map_err(backend)
    }

    async fn list_clusters(&self) -> StoreResult<Vec<ClusterRow>> {
        sqlx::query(
            "SELECT name, url, consecutive_failures, unreachable, first_failure_ms, last_ok_ms, \
             last_error FROM clusters ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?
        .iter()
        .map(rows::cluster_from_row)
        .collect()
    }

    async fn list_jobs(&self, cluster: Option<&str>) -> StoreResult<Vec<JobRow>> {
        sqlx::query(
            "SELECT * FROM jobs WHERE (?1 IS NULL OR cluster = ?1) ORDER BY cluster, name, jid",
        )
        .bind(cluster)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?
        .iter()
        .map(job_from_row)
        .collect()
    }

    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>> {
        sqlx::query(
            "SELECT body FROM events WHERE (?1 IS NULL OR jid = ?1 OR job_name = ?1) \
             AND (?2 IS NULL OR cluster = ?2) AND (?3 IS NULL OR kind = ?3) \
             AND (?4 = 0 OR notify = 1) ORDER BY seq DESC LIMIT ?5",
        )
        .bind(&filter.job)
        .bind(&filter.cluster)
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(filter.notify_only)
        .bind(i64::from(filter.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| rows::event_from_body(&r.try_get::<String, _>("body").map_err(backend)?))
        .collect()
    }

    async fn get_event(&self, event_id: &str) -> StoreResult<Option<Event>> {
        let row = sqlx::query("SELECT body FROM events WHERE event_id = ?")
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| rows::event_from_body(&r.try_get::<String, _>("body").map_err(backend)?))
            .transpose()
    }

    async fn pending_deliveries(&self, channel: &str, limit: u32) -> StoreResult<Vec<Delivery>> {
        let rows = sqlx::query(select_deliveries!(
            "WHERE d.channel = ? AND d.status = 'pending' ORDER BY d.id LIMIT ?"
        ))
        .bind(channel)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        self.deliveries_from_rows(&rows).await
    }

    async fn record_attempt(
        &self,
        delivery_id: i64,
        now_ms: i64,
        outcome: &AttemptOutcome,
    ) -> StoreResult<()> {
        let (status, next, error) = match outcome {
            AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None, None),
            AttemptOutcome::Retry { at_ms, error } => {
                (DeliveryStatus::Pending, Some(*at_ms), Some(error.as_str()))
            }
            AttemptOutcome::GaveUp { error } => {
                (DeliveryStatus::Failed, None, Some(error.as_str()))
            }
        };
        let done = sqlx::query(
            "UPDATE deliveries SET status = ?, attempts = attempts + 1, \
             next_attempt_ms = COALESCE(?, next_attempt_ms), \
             last_error = COALESCE(?, last_error), updated_ms = ? WHERE id = ?",
        )
        .bind(status.as_str())
        .bind(next)
        .bind(error)
        .bind(now_ms)
        .bind(delivery_id)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("delivery {delivery_id}")));
        }
        Ok(())
    }

    async fn list_deliveries(&self, filter: &DeliveryFilter) -> StoreResult<Vec<Delivery>> {
        let rows = sqlx::query(select_deliveries!(
            "WHERE (?1 IS NULL OR d.notification_id IN \
               (SELECT notification_id FROM notification_events WHERE event_id = ?1)) \
             AND (?2 IS NULL OR d.notification_id IN \
               (SELECT notification_id FROM notification_alerts WHERE alert_id = ?2)) \
             AND (?3 IS NULL OR d.channel = ?3) AND (?4 IS NULL OR d.status = ?4) \
             ORDER BY d.id DESC LIMIT ?5"
        ))
        .bind(&filter.event_id)
        .bind(&filter.alert_id)
        .bind(&filter.channel)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(i64::from(filter.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        self.deliveries_from_rows(&rows).await
    }

    async fn load_alerting(&self, cluster: &str) -> StoreResult<(Vec<Alert>, Vec<Group>)> {
        alerting::load(&self.pool, cluster).await
    }

    async fn list_alerts(&self, filter: &AlertFilter) -> StoreResult<Vec<AlertRecord>> {
        alerting::list(&self.pool, filter).await
    }

    async fn acknowledge_alert(&self, alert_id: &str, by: &str, now_ms: i64) -> StoreResult<()> {
        alerting::acknowledge(&self.pool, alert_id, by, now_ms).await
    }

    async fn acknowledged_alerts(&self, cluster: &str) -> StoreResult<Vec<(String, String)>> {
        alerting::acknowledged(&self.pool, cluster).await
    }

    async fn list_silences(
        &self,
        include_expired: bool,
        now_ms: i64,
    ) -> StoreResult<Vec<StoredSilence>> {
        alerting::list_silences(&self.pool, include_expired, now_ms).await
    }

    async fn put_silence(&self, silence: &StoredSilence) -> StoreResult<()> {
        alerting::put_silence(&self.pool, silence).await
    }

    async fn list_routes(&self) -> StoreResult<Vec<StoredRoute>> {
        alerting::list_routes(&self.pool).await
    }

    async fn put_route(&self, route: &StoredRoute) -> StoreResult<()> {
        alerting::put_route(&self.pool, route).await
    }

    async fn delete_route(&self, name: &str) -> StoreResult<()> {
        alerting::delete_route(&self.pool, name).await
    }

    async fn add_version(
        &self,
        app: &Application,
        version: &AppVersion,
    ) -> StoreResult<Application> {
        apps::add_version(&self.pool, app, version).await
    }

    async fn get_app(&self, id: &str) -> StoreResult<Option<Application>> {
        apps::get_app(&self.pool, id).await
    }

    async fn find_app(&self, project: &str, name: &str) -> StoreResult<Option<Application>> {
        apps::find_app(&self.pool, project, name).await
    }

    async fn list_apps(&self, filter: &AppFilter) -> StoreResult<Vec<Application>> {
        apps::list_apps(&self.pool, filter).await
    }

    async fn update_app(&self, app: &Application) -> StoreResult<()> {
        apps::update_app(&self.pool, app).await
    }

    async fn list_versions(&self, app_id: &str) -> StoreResult<Vec<AppVersion>> {
        apps::list_versions(&self.pool, app_id).await
    }

    async fn put_run(&self, run: &Run) -> StoreResult<()> {
        apps::put_run(&self.pool, run).await
    }

    async fn list_runs(&self, app_id: &str, limit: u32) -> StoreResult<Vec<Run>> {
        apps::list_runs(&self.pool, app_id, limit).await
    }

    async fn runs_with_status(&self, statuses: &[RunStatus]) -> StoreResult<Vec<Run>> {
        apps::runs_with_status(&self.pool, statuses).await
    }

    async fn put_user(&self, user: &User) -> StoreResult<()> {
        users::put_user(&self.pool, user).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        users::list_users(&self.pool).await
    }

    async fn put_token(&self, token: &ApiToken) -> StoreResult<()> {
        users::put_token(&self.pool, token).await
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        users::token_by_hash(&self.pool, hash).await
    }

    async fn list_tokens(&self) -> StoreResult<Vec<ApiToken>> {
        users::list_tokens(&self.pool).await
    }

    async fn revoke_token(&self, id: &str, now_ms: i64) -> StoreResult<()> {
        users::revoke_token(&self.pool, id, now_ms).await
    }

    async fn put_session(&self, session: &Session) -> StoreResult<()> {
        users::put_session(&self.pool, session).await
    }

    async fn session_by_hash(&self, hash: &str, now_ms: i64) -> StoreResult<Option<Session>> {
        users::session_by_hash(&self.pool, hash, now_ms).await
    }

    async fn delete_session(&self, hash: &str, now_ms: i64) -> StoreResult<()> {
        users::delete_session(&self.pool, hash, now_ms).await
    }

    async fn end_sessions_of(&self, user: &str) -> StoreResult<u64> {
        users::end_sessions_of(&self.pool, user).await
    }

    async fn put_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        users::put_audit(&self.pool, entry).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        users::list_audit(&self.pool, filter).await
    }

    async fn outbox_stats(&self) -> StoreResult<OutboxStats> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS pending, MIN(created_ms) AS oldest FROM deliveries \
             WHERE status = 'pending'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        let pending: i64 = row.try_get("pending").map_err(backend)?;
        Ok(OutboxStats {
            pending: u64::try_from(pending).unwrap_or(0),
            oldest_pending_ms: row.try_get("oldest").map_err(backend)?,
        })
    }

    async fn run_of_job(&self, cluster: &str, jid: &str) -> StoreResult<Option<Run>> {
        apps::run_of_job(&self.pool, cluster, jid).await
    }

    async fn claim_restart(&self, intent: &RestartIntent) -> StoreResult<bool> {
        healing::claim_restart(&self.pool, intent).await
    }

    async fn list_restarts(&self) -> StoreResult<Vec<RestartIntent>> {
        healing::list_restarts(&self.pool).await
    }

    async fn finish_restart(&self, app_id: &str) -> StoreResult<()> {
        healing::finish_restart(&self.pool, app_id).await
    }

    async fn put_snapshot(&self, snapshot: &StoredSnapshot) -> StoreResult<()> {
        apps::put_snapshot(&self.pool, snapshot).await
    }

    async fn list_snapshots(&self, app_id: &str) -> StoreResult<Vec<StoredSnapshot>> {
        apps::list_snapshots(&self.pool, app_id).await
    }

    async fn list_channels(&self) -> StoreResult<Vec<StoredChannel>> {
        sqlx::query("SELECT * FROM channels ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(rows::channel_from_row)
            .collect()
    }

    async fn put_channel(&self, channel: &StoredChannel) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO channels (name, kind, config, templates, created_ms, updated_ms) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, \
             config = excluded.config, templates = excluded.templates, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&channel.name)
        .bind(&channel.kind)
        .bind(channel.config.to_string())
        .bind(serde_json::to_string(&channel.templates).unwrap_or_default())
        .bind(channel.created_ms)
        .bind(channel.updated_ms)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn delete_channel(&self, name: &str) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM channels WHERE name = ?")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("channel {name}")));
        }
        Ok(())
    }
}
