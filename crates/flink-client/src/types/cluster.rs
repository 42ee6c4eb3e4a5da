//! Cluster-level responses: `GET /overview` and `GET /config`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of `GET /overview`: task managers, slots and job counts of the whole cluster.
///
/// See "/overview" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterOverview {
    /// Number of registered task managers (`taskmanagers`).
    #[serde(default)]
    pub taskmanagers: u32,
    /// Total task slots (`slots-total`).
    #[serde(rename = "slots-total", default)]
    pub slots_total: u32,
    /// Free task slots (`slots-available`).
    #[serde(rename = "slots-available", default)]
    pub slots_available: u32,
    /// Jobs not yet terminal (`jobs-running`), RESTARTING ones included.
    #[serde(rename = "jobs-running", default)]
    pub jobs_running: u32,
    /// Jobs finished (`jobs-finished`), as far as the JobManager remembers.
    #[serde(rename = "jobs-finished", default)]
    pub jobs_finished: u32,
    /// Jobs cancelled (`jobs-cancelled`).
    #[serde(rename = "jobs-cancelled", default)]
    pub jobs_cancelled: u32,
    /// Jobs failed (`jobs-failed`).
    #[serde(rename = "jobs-failed", default)]
    pub jobs_failed: u32,
    /// Flink version, e.g. `2.0.0` (`flink-version`).
    #[serde(rename = "flink-version", default)]
    pub flink_version: Option<String>,
    /// Git commit Flink was built from (`flink-commit`).
    #[serde(rename = "flink-commit", default)]
    pub flink_commit: Option<String>,
}

/// Body of `GET /config`: the web UI's configuration (version, timezone, enabled features).
///
/// See "/config" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardConfig {
    /// Web UI refresh interval in milliseconds (`refresh-interval`).
    #[serde(rename = "refresh-interval", default)]
    pub refresh_interval_ms: Option<i64>,
    /// JobManager timezone name, e.g. `Coordinated Universal Time` (`timezone-name`).
    #[serde(rename = "timezone-name", default)]
    pub timezone_name: Option<String>,
    /// JobManager timezone offset from UTC in milliseconds (`timezone-offset`).
    #[serde(rename = "timezone-offset", default)]
    pub timezone_offset_ms: Option<i64>,
    /// Flink version (`flink-version`).
    #[serde(rename = "flink-version", default)]
    pub flink_version: Option<String>,
    /// Flink revision, `"<commit> @ <build date>"` (`flink-revision`).
    #[serde(rename = "flink-revision", default)]
    pub flink_revision: Option<String>,
    /// Web UI feature flags by name, e.g. `web-submit`, `web-cancel` (`features`); the set
    /// grows with Flink versions, so it is kept as raw JSON values (see
    /// [`DashboardConfig::feature`]).
    #[serde(default, deserialize_with = "super::de::null_default")]
    pub features: BTreeMap<String, serde_json::Value>,
}

impl DashboardConfig {
    /// The boolean feature flag `name` (e.g. `"web-submit"`), `None` when absent or not a
    /// boolean.
    pub fn feature(&self, name: &str) -> Option<bool> {
        self.features.get(name).and_then(serde_json::Value::as_bool)
    }
}
