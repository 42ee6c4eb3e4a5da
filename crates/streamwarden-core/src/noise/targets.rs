//! From the routes an event matched to the targets noise control works with.

use super::{NoiseConfig, RouteTarget};
use crate::clock::duration_ms;
use crate::routing::RouteMatch;

/// The targets of `matches`: each channel once (the first route that names it takes it; a
/// later route's recipients are added to it), split into channels that group and channels that
/// get every alert alone (`groups(channel)` false — webhooks — unless the route groups
/// webhooks), with the route's intervals or the defaults of `config`.
pub fn targets(
    matches: &[RouteMatch],
    groups: &dyn Fn(&str) -> bool,
    config: &NoiseConfig,
) -> Vec<RouteTarget> {
    let mut targets: Vec<RouteTarget> = Vec::new();
    for m in matches {
        let mut target = RouteTarget {
            route: m.route.clone(),
            grouped: Vec::new(),
            single: Vec::new(),
            recipients: m.recipients.clone(),
            severity: m.severity,
            notified_ms: None,
            group_interval_ms: m
                .group_interval
                .map_or(config.group_interval_ms, duration_ms),
            repeat_interval_ms: m
                .repeat_interval
                .map_or(config.repeat_interval_ms, duration_ms),
        };
        for channel in &m.channels {
            if let Some(owner) = targets
                .iter_mut()
                .find(|t| t.grouped.contains(channel) || t.single.contains(channel))
            {
                owner.recipients.merge(&m.recipients);
                continue;
            }
            if m.group_webhooks || groups(channel) {
                target.grouped.push(channel.clone());
            } else {
                target.single.push(channel.clone());
            }
        }
        if !target.grouped.is_empty() || !target.single.is_empty() {
            targets.push(target);
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;
    use crate::routing::Recipients;
    use std::time::Duration;

    fn matched(route: &str, channels: &[&str], mobiles: &[&str]) -> RouteMatch {
        RouteMatch {
            route: route.into(),
            channels: channels.iter().map(|c| c.to_string()).collect(),
            recipients: Recipients {
                mobiles: mobiles.iter().map(|m| m.to_string()).collect(),
                ..Recipients::default()
            },
            severity: Severity::Major,
            group_interval: None,
            repeat_interval: Some(Duration::from_secs(60)),
            group_webhooks: false,
        }
    }

    #[test]
    fn each_channel_is_targeted_once_and_recipients_add_up() {
        let groups = |c: &str| c != "hook";
        let t = targets(
            &[
                matched("mine", &["ding"], &["138"]),
                matched("all", &["ding", "mail", "hook"], &["139"]),
            ],
            &groups,
            &NoiseConfig::default(),
        );
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].route.as_str(), t[0].grouped.clone()),
            ("mine", vec!["ding".to_string()])
        );
        assert_eq!(t[0].recipients.mobiles, ["138", "139"]);
        assert_eq!(t[1].grouped, ["mail"]);
        assert_eq!(t[1].single, ["hook"], "webhooks get every alert alone");
        assert_eq!(t[0].repeat_interval_ms, 60_000, "the route's own interval");
        assert_eq!(t[0].group_interval_ms, 10_000, "the default");
    }

    #[test]
    fn a_route_can_group_its_webhooks() {
        let mut m = matched("r", &["hook"], &[]);
        m.group_webhooks = true;
        let t = targets(&[m], &|_| false, &NoiseConfig::default());
        assert_eq!(t[0].grouped, ["hook"]);
        assert!(t[0].single.is_empty());
    }
}
