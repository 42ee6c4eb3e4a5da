//! Noise control: from events to notifications. Pure and driven by the caller's clock
//! (`now_ms`), so every rule is tested over simulated time.
//!
//! - An event opens, continues or resolves a *condition* ([`condition::effect`]). An open
//!   condition is an [`Alert`]: notified once, then again only every `repeat_interval` while it
//!   lasts and is not acknowledged; identical events in between only count.
//! - Grouping never delays the first alert: the first alert of a group (per route, cluster and
//!   kind) goes out at once; alerts joining within `group_interval` go out together at its end;
//!   a quiet group closes.
//! - When a condition ends (the job runs again and stays up for `resolve_after`, the cluster
//!   answers), the receivers that heard of it get a resolved notification.
//! - Silenced alerts are recorded, not notified; when the silence ends and the alert still
//!   fires, it is notified then.

pub mod condition;
mod engine;
mod silence;
mod targets;
#[cfg(test)]
mod tests;

pub use engine::{on_event, on_tick};
pub use silence::{Silence, SilenceMatchers};
pub use targets::targets;

use crate::routing::Recipients;
use crate::{EventKind, JobState, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Timing of noise control, ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoiseConfig {
    /// Alerts joining an open group are sent together at the end of this interval (10 s).
    pub group_interval_ms: i64,
    /// An ongoing, unacknowledged condition is notified again after this long (4 h).
    pub repeat_interval_ms: i64,
    /// A job must stay RUNNING this long before its condition is resolved (60 s).
    pub resolve_after_ms: i64,
}

impl Default for NoiseConfig {
    fn default() -> Self {
        NoiseConfig {
            group_interval_ms: 10_000,
            repeat_interval_ms: 4 * 3600 * 1000,
            resolve_after_ms: 60_000,
        }
    }
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// The condition holds.
    Firing,
    /// The condition ended (or the alert was a one-off notice).
    Resolved,
}

/// One route's view of an alert: where it goes and when it was last notified there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RouteTarget {
    /// Route name.
    pub route: String,
    /// Channels that group (chat, email).
    pub grouped: Vec<String>,
    /// Channels that get every alert on its own (webhooks, unless the route groups them).
    pub single: Vec<String>,
    /// Recipients.
    pub recipients: Recipients,
    /// Severity for this route.
    pub severity: Severity,
    /// When this route's receivers were last told, epoch ms; `None` before the first time.
    pub notified_ms: Option<i64>,
    /// This route's group interval, ms.
    pub group_interval_ms: i64,
    /// This route's repeat interval, ms.
    pub repeat_interval_ms: i64,
}

/// An alert: one open (or ended) condition, with the routes that hear about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Alert {
    /// Unique id.
    pub id: String,
    /// Condition key ([`condition::job_key`], [`condition::cluster_key`]).
    pub key: String,
    /// Cluster.
    pub cluster: String,
    /// Job name, for job conditions.
    pub job: Option<String>,
    /// Kind of the latest event.
    pub kind: EventKind,
    /// Most severe severity seen.
    pub severity: Severity,
    /// Firing or resolved.
    pub state: AlertState,
    /// The event that opened it.
    pub first_event_id: String,
    /// The latest event that continued it.
    pub last_event_id: String,
    /// Events that opened or continued it.
    pub events: u32,
    /// When it started, epoch ms.
    pub started_ms: i64,
    /// When the latest event came, epoch ms.
    pub last_event_ms: i64,
    /// Since when the subject is well again (resolves at this + `resolve_after`), epoch ms.
    pub healthy_since_ms: Option<i64>,
    /// The event that showed it well again (shown in the resolution).
    pub healthy_event_id: Option<String>,
    /// The job's state in the latest event.
    pub job_state: Option<JobState>,
    /// When it was resolved, epoch ms.
    pub resolved_ms: Option<i64>,
    /// Who acknowledged it (no more repeats).
    pub acknowledged_by: Option<String>,
    /// The silence that mutes it right now.
    pub silenced_by: Option<String>,
    /// Routes it goes to.
    pub targets: Vec<RouteTarget>,
}

/// A notification's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Notice {
    /// An alert, the first of its group or alone.
    Alert {
        /// Alert id.
        alert_id: String,
        /// The event to show.
        event_id: String,
    },
    /// An ongoing alert again, after `repeat_interval`.
    Repeat {
        /// Alert id.
        alert_id: String,
        /// Its latest event.
        event_id: String,
    },
    /// The condition ended.
    Resolved {
        /// Alert id.
        alert_id: String,
        /// The event that ended it (or the alert's latest).
        event_id: String,
    },
    /// Alerts (and resolutions) that joined a group, sent together.
    Group {
        /// Group key (`cluster/kind`).
        group: String,
        /// Members in arrival order.
        members: Vec<Member>,
    },
}

/// One member of a group notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Member {
    /// Alert id.
    pub alert_id: String,
    /// Event to show.
    pub event_id: String,
    /// A resolution rather than an alert.
    pub resolved: bool,
}

/// Something to send: a notice to some channels of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    /// Route name.
    pub route: String,
    /// Channels.
    pub channels: Vec<String>,
    /// Recipients.
    pub recipients: Recipients,
    /// Severity for these receivers.
    pub severity: Severity,
    /// What to send.
    pub notice: Notice,
}

/// A group being collected for one route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Route name.
    pub route: String,
    /// Group key (`cluster/kind`).
    pub key: String,
    /// Channels it goes to.
    pub channels: Vec<String>,
    /// Recipients.
    pub recipients: Recipients,
    /// Highest severity among its members.
    pub severity: Severity,
    /// When the current interval ends, epoch ms.
    pub flush_at_ms: i64,
    /// The route's group interval, ms.
    pub interval_ms: i64,
    /// Members waiting for the flush.
    pub pending: Vec<Member>,
}

/// Everything noise control keeps between calls: open alerts and open groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoiseState {
    /// Firing alerts by condition key.
    pub alerts: BTreeMap<String, Alert>,
    /// Open groups by (route, group key).
    pub groups: BTreeMap<(String, String), Group>,
}

/// What one call decided: the notifications to send and the alerts that changed (to store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    /// Notifications, in order.
    pub sends: Vec<Send>,
    /// Alerts created or changed (including ones that just resolved).
    pub alerts: Vec<Alert>,
}
