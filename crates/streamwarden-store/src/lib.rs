//! StreamWarden's storage: the [`Store`] trait every backend implements, the rows it reads and
//! writes, and the [`conformance`] suite a backend must pass.
//!
//! The trait speaks the domain's types (`streamwarden-core`); SQL dialects stay inside each
//! backend. Times are epoch milliseconds (`*_ms`).

mod apps;
mod auth;
pub mod conformance;
mod model;

pub use apps::{AppFilter, AppVersion, Application, RestartIntent, Run, RunStatus, StoredSnapshot};
pub use auth::{ApiToken, AuditEntry, AuditFilter, Session, User};
pub use model::{
    AlertFilter, AlertRecord, AlertStatus, AlertingChanges, AttemptOutcome, ClusterRow, Delivery,
    DeliveryFilter, DeliveryStatus, DeliverySummary, EventFilter, JobRow, NewNotification,
    OutboxStats, StoredChannel, StoredRoute, StoredSilence,
};

use async_trait::async_trait;
use streamwarden_core::noise::{Alert, Group};
use streamwarden_core::{ClusterView, Event, Observation};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or rejected the statement.
    #[error("storage backend: {0}")]
    Backend(String),
    /// A stored row could not be read back (bad JSON, unknown enum value).
    #[error("corrupt row in {table}: {reason}")]
    Corrupt {
        /// Table the row is in.
        table: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A referenced row does not exist.
    #[error("not found: {0}")]
    NotFound(String),
}

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Durable state: clusters, jobs' last known state, events (append-only) and deliveries (the
/// outbox). Implementations must be safe to share between tasks.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Declares a cluster (name and REST URL), keeping its health and jobs if it exists.
    async fn register_cluster(&self, name: &str, url: &str) -> StoreResult<()>;

    /// Everything known about a cluster, or `None` if it was never registered.
    async fn load_cluster(&self, name: &str) -> StoreResult<Option<ClusterView>>;

    /// Writes one poll's decisions in a single transaction: the cluster's health, the jobs'
    /// upserts and removals, the events, and what noise control decided (alerts, open groups,
    /// notifications and their deliveries). Either all of it is stored or none of it; a
    /// notification showing an event that is not stored fails the whole transaction.
    async fn apply_observation(
        &self,
        cluster: &str,
        observation: &Observation,
        alerting: &AlertingChanges,
    ) -> StoreResult<()>;

    /// A cluster's firing alerts and open groups, to resume noise control after a restart.
    async fn load_alerting(&self, cluster: &str) -> StoreResult<(Vec<Alert>, Vec<Group>)>;

    /// Alerts, newest first, filtered, with their deliveries.
    async fn list_alerts(&self, filter: &AlertFilter) -> StoreResult<Vec<AlertRecord>>;

    /// Marks an alert acknowledged by `by` at `now_ms` (no more repeats); `NotFound` when there
    /// is no such alert. Later writes of the alert keep the acknowledgement.
    async fn acknowledge_alert(&self, alert_id: &str, by: &str, now_ms: i64) -> StoreResult<()>;

    /// The firing alerts of `cluster` that are acknowledged: (alert id, by whom).
    async fn acknowledged_alerts(&self, cluster: &str) -> StoreResult<Vec<(String, String)>>;

    /// Silences, newest first; expired ones only when `include_expired` (at `now_ms`).
    async fn list_silences(
        &self,
        include_expired: bool,
        now_ms: i64,
    ) -> StoreResult<Vec<StoredSilence>>;

    /// Creates or replaces a silence (by id).
    async fn put_silence(&self, silence: &StoredSilence) -> StoreResult<()>;

    /// Routes created through the API, by position.
    async fn list_routes(&self) -> StoreResult<Vec<StoredRoute>>;

    /// Creates or replaces a route (by name); keeps `created_ms` of an existing one.
    async fn put_route(&self, route: &StoredRoute) -> StoreResult<()>;

    /// Deletes a route; `NotFound` when there is none of that name.
    async fn delete_route(&self, name: &str) -> StoreResult<()>;

    /// Every registered cluster with its health.
    async fn list_clusters(&self) -> StoreResult<Vec<ClusterRow>>;

    /// Known jobs, optionally of one cluster, ordered by cluster then job name.
    async fn list_jobs(&self, cluster: Option<&str>) -> StoreResult<Vec<JobRow>>;

    /// Events, newest first, filtered.
    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>>;

    /// One event by its id; `None` when there is none.
    async fn get_event(&self, event_id: &str) -> StoreResult<Option<Event>>;

    /// The oldest `limit` pending deliveries of a channel, in the order their events were
    /// stored (the dispatcher sends them in this order to keep each channel ordered).
    async fn pending_deliveries(&self, channel: &str, limit: u32) -> StoreResult<Vec<Delivery>>;

    /// Records one attempt of a delivery at `now_ms`: delivered, to retry, or given up.
    async fn record_attempt(
        &self,
        delivery_id: i64,
        now_ms: i64,
        outcome: &AttemptOutcome,
    ) -> StoreResult<()>;

    /// The outbox: how many deliveries are pending and since when the oldest waits.
    async fn outbox_stats(&self) -> StoreResult<OutboxStats>;

    /// Deliveries, newest first, filtered.
    async fn list_deliveries(&self, filter: &DeliveryFilter) -> StoreResult<Vec<Delivery>>;

    /// Stores a new version of an application, creating the application (by project and name)
    /// if it is new, in one transaction; `app` is the application as it should be (an existing
    /// one keeps its id, creation time, enabled flag, cluster and pin). Returns the application
    /// as stored. A version that exists already is an error.
    async fn add_version(
        &self,
        app: &Application,
        version: &AppVersion,
    ) -> StoreResult<Application>;

    /// The application with this id.
    async fn get_app(&self, id: &str) -> StoreResult<Option<Application>>;

    /// The application of this project and name.
    async fn find_app(&self, project: &str, name: &str) -> StoreResult<Option<Application>>;

    /// Applications, by project then name.
    async fn list_apps(&self, filter: &AppFilter) -> StoreResult<Vec<Application>>;

    /// Updates an application's description, tags, enabled flag, cluster and pin.
    async fn update_app(&self, app: &Application) -> StoreResult<()>;

    /// An application's versions, oldest first.
    async fn list_versions(&self, app_id: &str) -> StoreResult<Vec<AppVersion>>;

    /// Creates or replaces a run (by id).
    async fn put_run(&self, run: &Run) -> StoreResult<()>;

    /// An application's runs, newest first.
    async fn list_runs(&self, app_id: &str, limit: u32) -> StoreResult<Vec<Run>>;

    /// Runs in one of `statuses` (for reconciliation and the watcher), oldest first.
    async fn runs_with_status(&self, statuses: &[RunStatus]) -> StoreResult<Vec<Run>>;

    /// The run whose Flink job is `jid` on `cluster`; `None` when the job is not a managed
    /// application's.
    async fn run_of_job(&self, cluster: &str, jid: &str) -> StoreResult<Option<Run>>;

    /// Stores `intent` unless its application has one already: `true` when stored, `false`
    /// when another restart is in flight (the caller then does nothing).
    async fn claim_restart(&self, intent: &RestartIntent) -> StoreResult<bool>;

    /// Restarts scheduled and not finished, oldest first (resumed at start-up).
    async fn list_restarts(&self) -> StoreResult<Vec<RestartIntent>>;

    /// Removes an application's restart intent once the restart is done (no-op when none).
    async fn finish_restart(&self, app_id: &str) -> StoreResult<()>;

    /// Records a snapshot (by application and path; recording it again keeps one row).
    async fn put_snapshot(&self, snapshot: &StoredSnapshot) -> StoreResult<()>;

    /// An application's snapshots, newest first.
    async fn list_snapshots(&self, app_id: &str) -> StoreResult<Vec<StoredSnapshot>>;

    /// Creates or replaces a user (by name).
    async fn put_user(&self, user: &User) -> StoreResult<()>;

    /// Users, by name.
    async fn list_users(&self) -> StoreResult<Vec<User>>;

    /// Stores a new API token.
    async fn put_token(&self, token: &ApiToken) -> StoreResult<()>;

    /// The token with this SHA-256 (hex), revoked or not; `None` when there is none.
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>>;

    /// Tokens, newest first.
    async fn list_tokens(&self) -> StoreResult<Vec<ApiToken>>;

    /// Revokes a token at `now_ms`; `NotFound` when there is none with this id.
    async fn revoke_token(&self, id: &str, now_ms: i64) -> StoreResult<()>;

    /// Stores a new console session.
    async fn put_session(&self, session: &Session) -> StoreResult<()>;

    /// The session with this SHA-256 (hex) that has not expired at `now_ms`.
    async fn session_by_hash(&self, hash: &str, now_ms: i64) -> StoreResult<Option<Session>>;

    /// Ends a session (sign-out); removes expired sessions on the way. No-op when none.
    async fn delete_session(&self, hash: &str, now_ms: i64) -> StoreResult<()>;

    /// Ends every session of `user` (its password changed); how many there were.
    async fn end_sessions_of(&self, user: &str) -> StoreResult<u64>;

    /// Appends an audit entry.
    async fn put_audit(&self, entry: &AuditEntry) -> StoreResult<()>;

    /// Audit entries matching `filter`, newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;

    /// Channels created through the API, by name.
    async fn list_channels(&self) -> StoreResult<Vec<StoredChannel>>;

    /// Creates or replaces a channel (by name); keeps `created_ms` of an existing one.
    async fn put_channel(&self, channel: &StoredChannel) -> StoreResult<()>;

    /// Deletes a channel; `NotFound` when there is none of that name. Its past deliveries
    /// stay.
    async fn delete_channel(&self, name: &str) -> StoreResult<()>;
}
