//! Rows and filters of the store.

use serde::{Deserialize, Serialize};
use streamwarden_core::{ClusterHealth, Event, EventKind, JobSnapshot};

/// A channel created through the API, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChannel {
    /// Unique name.
    pub name: String,
    /// Kind (`dingtalk`).
    pub kind: String,
    /// The kind's configuration as JSON, secrets included.
    pub config: serde_json::Value,
    /// Template overrides: part name → source.
    pub templates: std::collections::BTreeMap<String, String>,
    /// When created, epoch ms.
    pub created_ms: i64,
    /// When last changed, epoch ms.
    pub updated_ms: i64,
}

/// A delivery to create: one event to one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The event's id.
    pub event_id: String,
    /// The channel's name.
    pub channel: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not yet accepted by the channel; will be (re)tried at `next_attempt_ms`.
    Pending,
    /// Accepted by the channel.
    Delivered,
    /// Given up after the last allowed attempt.
    Failed,
}

impl DeliveryStatus {
    /// The stored name (`"pending"`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// One delivery (outbox row) with its event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Row id; increases in creation order.
    pub id: i64,
    /// Channel name.
    pub channel: String,
    /// Status.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due, epoch ms (meaningful while pending).
    pub next_attempt_ms: i64,
    /// Error of the last failed attempt.
    pub last_error: Option<String>,
    /// When the delivery was created, epoch ms.
    pub created_ms: i64,
    /// When it was last updated, epoch ms.
    pub updated_ms: i64,
    /// The event to deliver.
    pub event: Event,
}

/// The result of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The channel accepted it.
    Delivered,
    /// It failed; try again at `at_ms`.
    Retry {
        /// When to try again, epoch ms.
        at_ms: i64,
        /// Why it failed.
        error: String,
    },
    /// It failed and no attempt is left.
    GaveUp {
        /// Why it failed.
        error: String,
    },
}

/// A registered cluster and its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRow {
    /// Cluster name.
    pub name: String,
    /// REST URL.
    pub url: String,
    /// Reachability as last decided.
    pub health: ClusterHealth,
}

/// A job with the cluster it runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRow {
    /// Cluster name.
    pub cluster: String,
    /// The job's last known state.
    #[serde(flatten)]
    pub job: JobSnapshot,
}

/// Which events to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Job id or job name.
    pub job: Option<String>,
    /// Cluster name.
    pub cluster: Option<String>,
    /// Event kind.
    pub kind: Option<EventKind>,
    /// Only alerts (events that are delivered) when true.
    pub notify_only: bool,
    /// At most this many (newest first).
    pub limit: u32,
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    /// Of this event.
    pub event_id: Option<String>,
    /// To this channel.
    pub channel: Option<String>,
    /// In this status.
    pub status: Option<DeliveryStatus>,
    /// At most this many (newest first).
    pub limit: u32,
}
