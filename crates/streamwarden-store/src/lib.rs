//! StreamWarden's storage: the [`Store`] trait every backend implements, the rows it reads and
//! writes, and the [`conformance`] suite a backend must pass.
//!
//! The trait speaks the domain's types (`streamwarden-core`); SQL dialects stay inside each
//! backend. Times are epoch milliseconds (`*_ms`).

pub mod conformance;
mod model;

pub use model::{
    AttemptOutcome, ClusterRow, Delivery, DeliveryFilter, DeliveryStatus, EventFilter, JobRow,
    NewDelivery, StoredChannel,
};

use async_trait::async_trait;
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
    /// upserts and removals, the events, and the deliveries of those events. Either all of it is
    /// stored or none of it.
    async fn apply_observation(
        &self,
        cluster: &str,
        observation: &Observation,
        deliveries: &[NewDelivery],
    ) -> StoreResult<()>;

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

    /// Deliveries, newest first, filtered.
    async fn list_deliveries(&self, filter: &DeliveryFilter) -> StoreResult<Vec<Delivery>>;

    /// Channels created through the API, by name.
    async fn list_channels(&self) -> StoreResult<Vec<StoredChannel>>;

    /// Creates or replaces a channel (by name); keeps `created_ms` of an existing one.
    async fn put_channel(&self, channel: &StoredChannel) -> StoreResult<()>;

    /// Deletes a channel; `NotFound` when there is none of that name. Its past deliveries
    /// stay.
    async fn delete_channel(&self, name: &str) -> StoreResult<()>;
}
