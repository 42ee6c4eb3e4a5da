//! Rows and filters of the store.

use serde::{Deserialize, Serialize};
use streamwarden_core::noise::{Alert, Group, Notice, Silence};
use streamwarden_core::notification::{Notification, Outgoing};
use streamwarden_core::routing::{Recipients, Route};
use streamwarden_core::{ClusterHealth, Event, EventKind, JobSnapshot, Severity};

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

/// A notification to store, with the channels it is delivered to (one delivery each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// The notification.
    pub notification: Notification,
    /// Channels it goes to.
    pub channels: Vec<String>,
}

impl NewNotification {
    /// The classic fan-out of the implicit route: `event` alone, to each of `channels`.
    pub fn of_event(event: &Event, channels: &[String]) -> NewNotification {
        NewNotification {
            notification: Notification {
                id: event.event_id.clone(),
                route: "default".into(),
                cluster: event.cluster.clone(),
                severity: event.severity,
                recipients: Recipients::default(),
                notice: Notice::Alert {
                    alert_id: String::new(),
                    event_id: event.event_id.clone(),
                },
                created_ms: event.observed_at_ms,
            },
            channels: channels.to_vec(),
        }
    }
}

/// What noise control decided in one step for one cluster, stored with the poll's observation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertingChanges {
    /// Alerts created or changed (acknowledgements stored separately are kept).
    pub alerts: Vec<Alert>,
    /// The cluster's open groups, replacing the stored ones (`None`: unchanged).
    pub groups: Option<Vec<Group>>,
    /// Notifications to deliver.
    pub notifications: Vec<NewNotification>,
}

impl AlertingChanges {
    /// Whether there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty() && self.groups.is_none() && self.notifications.is_empty()
    }
}

/// Where a delivery stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// What to deliver: the notification and its events.
    pub outgoing: Outgoing,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClusterRow {
    /// Cluster name.
    pub name: String,
    /// REST URL.
    pub url: String,
    /// Reachability as last decided.
    pub health: ClusterHealth,
}

/// A job with the cluster it runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Showing this event.
    pub event_id: Option<String>,
    /// About this alert.
    pub alert_id: Option<String>,
    /// To this channel.
    pub channel: Option<String>,
    /// In this status.
    pub status: Option<DeliveryStatus>,
    /// At most this many (newest first).
    pub limit: u32,
}

/// An alert's status for filtering the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Firing, not silenced.
    Firing,
    /// Resolved.
    Resolved,
    /// Acknowledged by someone.
    Acknowledged,
    /// Muted by a silence right now.
    Silenced,
}

impl AlertStatus {
    /// Parses `firing`, `resolved`, `acknowledged`, `silenced`.
    pub fn parse(name: &str) -> Option<AlertStatus> {
        match name {
            "firing" => Some(AlertStatus::Firing),
            "resolved" => Some(AlertStatus::Resolved),
            "acknowledged" => Some(AlertStatus::Acknowledged),
            "silenced" => Some(AlertStatus::Silenced),
            _ => None,
        }
    }
}

/// Which alerts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    /// Job name.
    pub job: Option<String>,
    /// Cluster.
    pub cluster: Option<String>,
    /// Kind of the latest event.
    pub kind: Option<EventKind>,
    /// Severity.
    pub severity: Option<Severity>,
    /// Status.
    pub status: Option<AlertStatus>,
    /// Started at or after, epoch ms.
    pub since_ms: Option<i64>,
    /// Started before, epoch ms.
    pub until_ms: Option<i64>,
    /// At most this many (newest first).
    pub limit: u32,
}

/// One delivery of an alert, for the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeliverySummary {
    /// Channel.
    pub channel: String,
    /// What was sent: `alert`, `repeat`, `resolved`, `group`.
    pub notice: String,
    /// Status.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// Last error.
    pub last_error: Option<String>,
    /// Last change, epoch ms.
    pub updated_ms: i64,
}

/// An alert in the history, with its acknowledgement and deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertRecord {
    /// The alert (acknowledgement included).
    #[serde(flatten)]
    pub alert: Alert,
    /// When it was acknowledged, epoch ms.
    pub acknowledged_ms: Option<i64>,
    /// Its deliveries, oldest first.
    pub deliveries: Vec<DeliverySummary>,
}

/// A silence as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredSilence {
    /// The silence.
    #[serde(flatten)]
    pub silence: Silence,
    /// When it was created, epoch ms.
    pub created_ms: i64,
}

/// A route created through the API (or a user's subscription), as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRoute {
    /// The route.
    #[serde(flatten)]
    pub route: Route,
    /// Order among stored routes (after the file's routes).
    pub position: i64,
    /// When created, epoch ms.
    pub created_ms: i64,
    /// When last changed, epoch ms.
    pub updated_ms: i64,
}

/// The outbox at a glance (for `/metrics`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStats {
    /// Deliveries pending (not yet delivered, not given up).
    pub pending: u64,
    /// When the oldest pending delivery was created, epoch ms; `None` when none is pending.
    pub oldest_pending_ms: Option<i64>,
}
