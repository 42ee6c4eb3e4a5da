//! Silences: time-boxed mutes by matchers.

use super::Alert;
use crate::routing::JobPattern;
use crate::{EventKind, Severity};
use serde::{Deserialize, Serialize};

/// What a silence mutes; an empty matcher matches anything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SilenceMatchers {
    /// Clusters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<String>,
    /// Job name patterns (exact, glob, `re:`); cluster events never match a job matcher.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<JobPattern>,
    /// Event kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<EventKind>,
    /// Only alerts at most this severe (`None`: any severity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_severity: Option<Severity>,
}

/// A silence: matchers, a time box, who and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Silence {
    /// Unique id.
    pub id: String,
    /// What it mutes.
    pub matchers: SilenceMatchers,
    /// From, epoch ms.
    pub starts_ms: i64,
    /// Until (exclusive), epoch ms.
    pub ends_ms: i64,
    /// Who created it.
    pub author: String,
    /// Why.
    pub comment: String,
}

impl Silence {
    /// Whether it applies at `now_ms`.
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.starts_ms <= now_ms && now_ms < self.ends_ms
    }

    /// Whether it mutes `alert` at `now_ms`.
    pub fn mutes(&self, alert: &Alert, now_ms: i64) -> bool {
        let m = &self.matchers;
        self.is_active(now_ms)
            && (m.clusters.is_empty() || m.clusters.contains(&alert.cluster))
            && (m.kinds.is_empty() || m.kinds.contains(&alert.kind))
            && m.max_severity.is_none_or(|max| alert.severity <= max)
            && (m.jobs.is_empty()
                || alert
                    .job
                    .as_ref()
                    .is_some_and(|name| m.jobs.iter().any(|p| p.matches(name))))
    }
}
