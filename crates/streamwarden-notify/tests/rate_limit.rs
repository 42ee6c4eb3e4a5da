//! Rate limits queue, never drop: the eleventh DingTalk alert in a burst waits for the robot's
//! budget (10 at once, then one every 6 s) and is then accepted.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};
use streamwarden_notify::channels::Channel;
use streamwarden_notify::channels::configured::{ChannelConfig, ConfiguredChannel, platform_rate};
use streamwarden_notify::channels::dingtalk::DingTalkConfig;
use streamwarden_notify::templates::sample;
use streamwarden_testkit::FakeDingTalk;

#[tokio::test]
async fn a_burst_beyond_the_platform_budget_waits_instead_of_failing() {
    assert_eq!(
        platform_rate("dingtalk"),
        Some((10, Duration::from_secs(6)))
    );
    let robot = FakeDingTalk::start(None).await;
    let channel = ConfiguredChannel::new(
        ChannelConfig::Dingtalk(DingTalkConfig::new("ding", robot.webhook_url())),
        &Default::default(),
        Default::default(),
    )
    .unwrap();
    let event = sample::alert_of(&sample::events()[0]);
    let started = Instant::now();
    for _ in 0..10 {
        channel.send(&event).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the burst goes out at once"
    );
    channel.send(&event).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5),
        "the 11th waited: {waited:?}"
    );
    assert_eq!(
        robot.accepted().len(),
        11,
        "nothing dropped, nothing refused"
    );
}
