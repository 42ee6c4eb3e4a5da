//! The webhook receiver of the end-to-end tests (the testkit's), with the filters they use.

use serde_json::Value;
pub use streamwarden_testkit::WebhookReceiver as Receiver;

/// Questions the tests ask a receiver about the alerts it accepted.
pub trait Alerts {
    /// Accepted alerts about job `jid` of `kind` (and, if given, reaching `state`).
    fn alerts_for(&self, jid: &str, kind: &str, state: Option<&str>) -> Vec<Value>;
    /// Accepted alerts of `kind` about cluster `cluster`.
    fn cluster_alerts(&self, cluster: &str, kind: &str) -> Vec<Value>;
    /// Every body received, accepted or not, in arrival order.
    fn bodies(&self) -> Vec<Value>;
}

impl Alerts for Receiver {
    fn alerts_for(&self, jid: &str, kind: &str, state: Option<&str>) -> Vec<Value> {
        self.accepted()
            .into_iter()
            .filter(|b| b["job"]["id"] == jid && b["kind"] == kind)
            .filter(|b| state.is_none_or(|s| b["job"]["state"] == s))
            .collect()
    }

    fn cluster_alerts(&self, cluster: &str, kind: &str) -> Vec<Value> {
        self.accepted()
            .into_iter()
            .filter(|b| b["cluster"]["name"] == cluster && b["kind"] == kind)
            .collect()
    }

    fn bodies(&self) -> Vec<Value> {
        self.requests().iter().filter_map(|r| r.json()).collect()
    }
}
