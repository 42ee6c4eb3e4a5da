//! `GET /jobs/:jobid/metrics`: job-scoped metric values.

use serde::{Deserialize, Serialize};

/// One metric of `GET /jobs/:jobid/metrics?get=a,b`, whose body is a JSON array of these.
///
/// See "/jobs/:jobid/metrics" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name, e.g. `numRestarts`, `uptime` (`id`).
    pub id: String,
    /// Value as Flink formats it, always a string, e.g. `"3"` (`value`); absent when only
    /// names were listed (no `get` parameter).
    #[serde(default)]
    pub value: String,
}

impl Metric {
    /// The value parsed as an unsigned integer (counters, gauges like `numRestarts`).
    pub fn as_u64(&self) -> Option<u64> {
        self.value.trim().parse().ok()
    }

    /// The value parsed as a float.
    pub fn as_f64(&self) -> Option<f64> {
        self.value.trim().parse().ok()
    }
}

/// Metric list bodies: a bare array (Flink's actual wire format) or `{"metrics": [...]}`
/// (the documented schema).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum MetricsBody {
    /// `[{"id": ..., "value": ...}]`.
    List(Vec<Metric>),
    /// `{"metrics": [...]}`.
    Wrapped {
        /// The metrics.
        metrics: Vec<Metric>,
    },
}

impl MetricsBody {
    /// The metrics, whichever shape they came in.
    pub(crate) fn into_vec(self) -> Vec<Metric> {
        match self {
            Self::List(metrics) | Self::Wrapped { metrics } => metrics,
        }
    }
}
