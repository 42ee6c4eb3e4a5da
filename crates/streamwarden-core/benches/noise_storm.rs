//! Noise control under a storm, and its cost for one isolated alert (pure, no IO).
//!
//! `cargo bench -p streamwarden-core --bench noise_storm` prints:
//! - for 1,000 FAILED events of 1,000 jobs within one second (a whole cluster going down),
//!   the messages each channel gets over the following minute — chat and email channels
//!   group, a webhook gets every event unless its route groups it;
//! - the time routing and noise control add to one isolated alert (p50, p99), to compare with
//!   the backbone's ~500 ms end-to-end latency.
#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;
use streamwarden_core::noise::{self, NoiseConfig, NoiseState};
use streamwarden_core::routing::{Route, Routing};
use streamwarden_core::{Event, EventKind, JobFacts, JobState, Severity};

fn failed(i: usize, at: i64) -> Event {
    Event {
        event_id: format!("e{i}"),
        kind: EventKind::JobStateChanged,
        severity: Severity::Critical,
        notify: true,
        summary: format!("job-{i} FAILED"),
        occurred_at_ms: at,
        observed_at_ms: at,
        cluster: "prod".into(),
        cluster_url: "http://flink:8081".into(),
        job: Some(JobFacts {
            id: format!("{i:032x}"),
            name: format!("job-{i}"),
            previous_state: Some(JobState::Running),
            state: JobState::Failed,
            start_time_ms: Some(0),
            end_time_ms: Some(at),
            duration_ms: Some(at),
            restarts: Some(0),
            previous_restarts: None,
            url: String::new(),
        }),
        exception: None,
        error: None,
        restart: None,
        health: None,
    }
}

fn routing(group_webhooks: bool) -> Routing {
    Routing {
        routes: vec![
            Route {
                continue_matching: true,
                ..Route::catch_all("chat", vec!["ding".into(), "mail".into()])
            },
            Route {
                group_webhooks,
                ..Route::catch_all("machines", vec!["hook".into()])
            },
        ],
        ..Routing::default()
    }
}

fn storm(group_webhooks: bool) -> BTreeMap<String, usize> {
    let routing = routing(group_webhooks);
    let config = NoiseConfig::default();
    let groups = |c: &str| c != "hook";
    let mut state = NoiseState::default();
    let mut ids = 0;
    let mut next = || {
        ids += 1;
        format!("a{ids}")
    };
    let mut per_channel: BTreeMap<String, usize> = BTreeMap::new();
    let mut count = |sends: Vec<noise::Send>| {
        for send in sends {
            for channel in send.channels {
                *per_channel.entry(channel).or_default() += 1;
            }
        }
    };
    for i in 0..1000 {
        let at = i as i64; // 1,000 events within one second
        let event = failed(i, at);
        let matches = routing.route(&event, &[]);
        let targets = noise::targets(&matches, &groups, &config);
        count(noise::on_event(&mut state, &event, targets, &[], at, &mut next).sends);
    }
    for second in 1..=60 {
        count(noise::on_tick(&mut state, &[], second * 1000, &config).sends);
    }
    per_channel
}

fn main() {
    let per_channel = storm(false);
    println!("1,000 FAILED events within 1 s, messages per channel over the next 60 s:");
    for (channel, n) in &per_channel {
        println!("  {channel:<5} {n}");
    }
    let grouped = storm(true);
    println!(
        "same storm, the webhook's route grouping webhooks: hook {}",
        grouped["hook"]
    );

    // One isolated alert into a fresh state: routing + targets + noise decision.
    let routing = routing(false);
    let config = NoiseConfig::default();
    let groups = |c: &str| c != "hook";
    let mut samples = Vec::with_capacity(10_000);
    for i in 0..10_000 {
        let event = failed(i, 0);
        let mut state = NoiseState::default();
        let started = Instant::now();
        let matches = routing.route(&event, &routing.tags_of(&event));
        let targets = noise::targets(&matches, &groups, &config);
        let decisions = noise::on_event(&mut state, &event, targets, &[], 0, &mut || "a".into());
        samples.push(started.elapsed().as_nanos());
        assert_eq!(decisions.sends.len(), 2);
    }
    samples.sort_unstable();
    let p = |q: f64| {
        samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)] as f64 / 1000.0
    };
    println!(
        "routing + noise control for one isolated alert: p50 {:.1} µs, p99 {:.1} µs",
        p(0.5),
        p(0.99)
    );
}
