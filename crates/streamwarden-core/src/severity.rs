//! Alert severities.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How urgently an event needs a person, from most to least urgent.
///
/// Ordered so that `Critical > Major > Minor > Warning > Info`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: something good or expected happened (a recovery, a finished job).
    Info,
    /// Worth a look when convenient.
    Warning,
    /// Degraded but working.
    Minor,
    /// A job is not doing its work as it should (restarting, cancelled from outside).
    Major,
    /// A job or a cluster is down.
    Critical,
}

impl Severity {
    /// The lower-case name used in configuration, payloads and the API (`"critical"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_from_info_to_critical() {
        assert!(Severity::Critical > Severity::Major);
        assert!(Severity::Major > Severity::Minor);
        assert!(Severity::Minor > Severity::Warning);
        assert!(Severity::Warning > Severity::Info);
        assert_eq!(
            serde_json::to_string(&Severity::Critical).unwrap_or_default(),
            "\"critical\""
        );
    }
}
