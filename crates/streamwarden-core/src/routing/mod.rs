//! Routing: which routes an event matches, and so which channels and recipients hear about it.
//!
//! Routes are ordered. The first matching route takes the event unless it says `continue`, in
//! which case later routes are tried too. When none matches, the default route (if any) takes
//! it; with no routes at all, every alert goes to every channel. Pure: no IO.

mod pattern;
#[cfg(test)]
mod tests;

pub use pattern::JobPattern;

use crate::{Event, EventKind, JobState, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Who a route's messages are addressed to, on top of each channel's own configuration: email
/// addresses for `email`, mobiles to `@` on DingTalk and WeCom, user ids on WeCom and Lark.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipients {
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Mobile numbers to mention (DingTalk, WeCom).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mobiles: Vec<String>,
    /// Platform user ids to mention (WeCom `userid`, Lark `open_id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
}

impl Recipients {
    /// Adds `other`'s recipients, without duplicates.
    pub fn merge(&mut self, other: &Recipients) {
        for (mine, theirs) in [
            (&mut self.emails, &other.emails),
            (&mut self.mobiles, &other.mobiles),
            (&mut self.user_ids, &other.user_ids),
        ] {
            for r in theirs {
                if !mine.contains(r) {
                    mine.push(r.clone());
                }
            }
        }
    }
}

/// Severity overrides: an event kind (`job_restarted`) or, for `job_state_changed`, a Flink
/// state (`CANCELED`) → severity. A state's entry wins over the kind's.
pub type SeverityMap = BTreeMap<String, Severity>;

/// Checks the keys of a severity map: event kinds or Flink job states.
pub fn check_severity_keys(map: &SeverityMap) -> Result<(), String> {
    for key in map.keys() {
        if EventKind::parse(key).is_none() && JobState::parse(key).is_none() {
            return Err(format!(
                "{key:?} is neither an event kind (job_restarted, …) nor a Flink job state (FAILED, …)"
            ));
        }
    }
    Ok(())
}

/// `event`'s severity after `map`'s overrides.
pub fn severity_of(event: &Event, map: &SeverityMap) -> Severity {
    let by_state = (event.kind == EventKind::JobStateChanged)
        .then(|| event.job.as_ref().and_then(|j| map.get(j.state.as_str())))
        .flatten();
    by_state
        .or_else(|| map.get(event.kind.as_str()))
        .copied()
        .unwrap_or(event.severity)
}

/// A route (or a user's subscription): matchers → channels and recipients, with its noise
/// settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Unique name.
    #[schema(min_length = 1)]
    pub name: String,
    /// Clusters it matches (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<String>,
    /// Job names it matches: exact, glob (`orders-*`) or regex (`re:^orders-\d+$`); any when
    /// empty. Cluster events match only routes without job patterns or tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<JobPattern>,
    /// Tags it matches: the job must carry at least one (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Event kinds it matches (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<EventKind>,
    /// Lowest severity it matches (after severity overrides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// Channels the matched events go to.
    #[schema(min_items = 1)]
    pub channels: Vec<String>,
    /// Recipients the channels' templates address.
    #[serde(default, skip_serializing_if = "is_default")]
    pub recipients: Recipients,
    /// Go on matching later routes after this one.
    #[serde(
        default,
        rename = "continue",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub continue_matching: bool,
    /// Severity overrides for this route's receivers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: SeverityMap,
    /// The user who owns it, for a subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Alerts joining a group after its first are sent together at the end of this interval
    /// (default: the global `group_interval`).
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_interval: Option<Duration>,
    /// An ongoing condition is notified again after this long (default: the global
    /// `repeat_interval`).
    #[schema(value_type = Option<crate::clock::HumanDuration>)]
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub repeat_interval: Option<Duration>,
    /// Send the webhook one message per group instead of one per event.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub group_webhooks: bool,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl Route {
    /// A route named `name` sending everything to `channels`.
    pub fn catch_all(name: &str, channels: Vec<String>) -> Route {
        Route {
            name: name.into(),
            clusters: Vec::new(),
            jobs: Vec::new(),
            tags: Vec::new(),
            kinds: Vec::new(),
            min_severity: None,
            channels,
            recipients: Recipients::default(),
            continue_matching: false,
            severity: SeverityMap::new(),
            owner: None,
            group_interval: None,
            repeat_interval: None,
            group_webhooks: false,
        }
    }

    /// Whether this route matches `event` (of a job carrying `tags`) at `severity`.
    pub fn matches(&self, event: &Event, tags: &[String], severity: Severity) -> bool {
        if !self.clusters.is_empty() && !self.clusters.contains(&event.cluster) {
            return false;
        }
        if !self.kinds.is_empty() && !self.kinds.contains(&event.kind) {
            return false;
        }
        if self.min_severity.is_some_and(|min| severity < min) {
            return false;
        }
        let job_name = event.job.as_ref().map(|j| j.name.as_str());
        if !self.jobs.is_empty()
            && !job_name.is_some_and(|name| self.jobs.iter().any(|p| p.matches(name)))
        {
            return false;
        }
        if !self.tags.is_empty() && !self.tags.iter().any(|t| tags.contains(t)) {
            return false;
        }
        true
    }
}

/// One route an event goes through.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteMatch {
    /// The route's name.
    pub route: String,
    /// Its channels.
    pub channels: Vec<String>,
    /// Its recipients.
    pub recipients: Recipients,
    /// The event's severity for this route's receivers.
    pub severity: Severity,
    /// The route's group interval, when it sets one.
    pub group_interval: Option<Duration>,
    /// The route's repeat interval, when it sets one.
    pub repeat_interval: Option<Duration>,
    /// Whether the route groups webhooks too.
    pub group_webhooks: bool,
}

/// Tags given to jobs by name: `[[job_tags]] jobs = ["orders-*"] tags = ["team-a"]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    /// Job name patterns.
    pub jobs: Vec<JobPattern>,
    /// Tags of the jobs they match.
    pub tags: Vec<String>,
}

/// The routes of an installation, in order, with the default route and the global severity
/// overrides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routing {
    /// Routes in the order they are tried.
    pub routes: Vec<Route>,
    /// Takes what no route matched (`None`: nothing; with no routes at all, the caller builds a
    /// catch-all to every channel).
    pub default: Option<Route>,
    /// Global severity overrides.
    pub severity: SeverityMap,
    /// Tags of jobs by name.
    pub tag_rules: Vec<TagRule>,
}

impl Routing {
    /// The tags of the job `event` is about (none for cluster events).
    pub fn tags_of(&self, event: &Event) -> Vec<String> {
        match &event.job {
            Some(job) => self.tags_of_job(&job.name),
            None => Vec::new(),
        }
    }

    /// The tags `[[job_tags]]` give the job named `name`, in rule order, each once.
    pub fn tags_of_job(&self, name: &str) -> Vec<String> {
        let mut tags = Vec::new();
        for rule in &self.tag_rules {
            if rule.jobs.iter().any(|p| p.matches(name)) {
                for tag in &rule.tags {
                    if !tags.contains(tag) {
                        tags.push(tag.clone());
                    }
                }
            }
        }
        tags
    }

    /// The routes `event` (of a job carrying `tags`) goes through, in order.
    pub fn route(&self, event: &Event, tags: &[String]) -> Vec<RouteMatch> {
        let global = severity_of(event, &self.severity);
        let mut matched = Vec::new();
        for route in &self.routes {
            let severity = route_severity(event, route, global);
            if route.matches(event, tags, severity) {
                matched.push(route_match(route, severity));
                if !route.continue_matching {
                    return matched;
                }
            }
        }
        if matched.is_empty()
            && let Some(default) = &self.default
        {
            let severity = route_severity(event, default, global);
            if default.min_severity.is_none_or(|min| severity >= min) {
                matched.push(route_match(default, severity));
            }
        }
        matched
    }
}

fn route_severity(event: &Event, route: &Route, global: Severity) -> Severity {
    if route.severity.is_empty() {
        return global;
    }
    let by_state = (event.kind == EventKind::JobStateChanged)
        .then(|| {
            event
                .job
                .as_ref()
                .and_then(|j| route.severity.get(j.state.as_str()))
        })
        .flatten();
    by_state
        .or_else(|| route.severity.get(event.kind.as_str()))
        .copied()
        .unwrap_or(global)
}

fn route_match(route: &Route, severity: Severity) -> RouteMatch {
    RouteMatch {
        route: route.name.clone(),
        channels: route.channels.clone(),
        recipients: route.recipients.clone(),
        severity,
        group_interval: route.group_interval,
        repeat_interval: route.repeat_interval,
        group_webhooks: route.group_webhooks,
    }
}
