//! Notifications: what a channel is asked to send — one notice (an alert, a repeat, a
//! resolution, or a group of them) with the events it shows.

use crate::noise::Notice;
use crate::routing::Recipients;
use crate::{Event, Severity};
use serde::{Deserialize, Serialize};

/// One notification of a route, before it is fanned out to the route's channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    /// Unique id (UUID v7 in production), the same on every delivery attempt.
    pub id: String,
    /// The route that decided it.
    pub route: String,
    /// Cluster it is about.
    pub cluster: String,
    /// Severity for the route's receivers.
    pub severity: Severity,
    /// Who the route addresses, on top of each channel's own recipients.
    pub recipients: Recipients,
    /// What it says.
    pub notice: Notice,
    /// When it was decided, epoch ms.
    pub created_ms: i64,
}

impl Notification {
    /// The events it shows, in order: one for an alert, a repeat or a resolution, every
    /// member's for a group.
    pub fn event_ids(&self) -> Vec<&str> {
        match &self.notice {
            Notice::Alert { event_id, .. }
            | Notice::Repeat { event_id, .. }
            | Notice::Resolved { event_id, .. } => vec![event_id.as_str()],
            Notice::Group { members, .. } => members.iter().map(|m| m.event_id.as_str()).collect(),
        }
    }

    /// The alerts it is about, in order.
    pub fn alert_ids(&self) -> Vec<&str> {
        match &self.notice {
            Notice::Alert { alert_id, .. }
            | Notice::Repeat { alert_id, .. }
            | Notice::Resolved { alert_id, .. } => vec![alert_id.as_str()],
            Notice::Group { members, .. } => members.iter().map(|m| m.alert_id.as_str()).collect(),
        }
    }
}

/// A notification with its events loaded, as a channel renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outgoing {
    /// The notification.
    pub notification: Notification,
    /// Its events, in [`Notification::event_ids`] order; for a group, paired with whether the
    /// member is a resolution.
    pub events: Vec<(Event, bool)>,
}
