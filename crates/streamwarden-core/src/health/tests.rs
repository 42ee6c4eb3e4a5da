//! Unhealthy-job detection over simulated time: restart loops, stalled and failing checkpoints,
//! the end of a job, configuration. No sleeps: the clock is a number.

use super::*;

mod checkpoint_stalled;
mod failed_checkpoints;
mod restart_loop;

const S: i64 = 1000;
const MIN: i64 = 60 * S;

/// Settings whose default stall threshold is 1 min: max(1 s, 30 s) × (0 + 2).
fn settings() -> CheckpointSettings {
    CheckpointSettings {
        interval_ms: S,
        timeout_ms: 30 * S,
        tolerable_failures: 0,
    }
}

fn sample(now_ms: i64, state: JobState) -> HealthSample {
    HealthSample {
        now_ms,
        state,
        restarts: None,
        running_since_ms: None,
        checkpoints: None,
    }
}

fn restarts(now_ms: i64, state: JobState, count: u64) -> HealthSample {
    HealthSample {
        restarts: Some(count),
        ..sample(now_ms, state)
    }
}

/// A RUNNING (since 0) job's checkpoints with [`settings`].
fn checkpoints(now_ms: i64, ack: Option<i64>, failed: &[(u64, Option<i64>)]) -> HealthSample {
    HealthSample {
        running_since_ms: Some(0),
        checkpoints: Some(CheckpointSample {
            settings: settings(),
            latest_completed_ack_ms: ack,
            failed: failed.to_vec(),
        }),
        ..sample(now_ms, JobState::Running)
    }
}

/// A job under watch, with every finding and when it came.
struct Watch {
    health: JobHealth,
    config: HealthConfig,
    found: Vec<(i64, HealthFacts)>,
}

impl Watch {
    fn new(config: HealthConfig) -> Self {
        Watch {
            health: JobHealth::default(),
            config,
            found: Vec::new(),
        }
    }

    fn poll(&mut self, sample: &HealthSample) -> Vec<HealthFacts> {
        let facts = assess(&mut self.health, &self.config, sample);
        for f in &facts {
            self.found.push((sample.now_ms, f.clone()));
        }
        facts
    }

    /// `(when, check, unhealthy)` of every finding so far.
    fn transitions(&self) -> Vec<(i64, Check, bool)> {
        self.found
            .iter()
            .map(|(at, f)| (*at, f.check, f.unhealthy))
            .collect()
    }
}

// ---- ending, configuration, a healthy job -------------------------------------------------

/// A watch with all three checks open at 20 min 10 s: 4 restarts in 4 s, then (the last restart
/// over a minute ago) no checkpoint since 0 and 4 failed ones.
fn all_open() -> Watch {
    let mut w = Watch::new(HealthConfig::default());
    for i in 0..=4u64 {
        w.poll(&restarts(19 * MIN + i as i64 * S, JobState::Running, i));
    }
    let failed: Vec<_> = (1..=4u64).map(|k| (k, None)).collect();
    let s = checkpoints(20 * MIN + 10 * S, Some(0), &failed);
    w.poll(&HealthSample {
        restarts: Some(4),
        ..s
    });
    assert_eq!(w.health.open_checks().count(), 3);
    w
}

#[test]
fn end_closes_the_open_checks_once_and_forgets_the_job() {
    let mut w = all_open();
    let closed = end(&mut w.health);
    let checks: Vec<_> = closed
        .iter()
        .map(|f| (f.check, f.unhealthy, f.reason.as_str()))
        .collect();
    assert_eq!(checks, Check::ALL.map(|c| (c, false, "the job ended")));
    assert_eq!(end(&mut w.health), []);
    // Seen again, it starts from scratch: its count is a baseline.
    assert_eq!(w.poll(&restarts(30 * MIN, JobState::Running, 4)), []);
}

#[test]
fn every_terminal_state_closes_the_open_checks() {
    for state in [
        JobState::Failed,
        JobState::Canceled,
        JobState::Finished,
        JobState::Suspended,
    ] {
        let mut w = all_open();
        let closed = w.poll(&sample(21 * MIN, state));
        assert_eq!(closed.len(), 3);
        assert!(
            closed
                .iter()
                .all(|f| !f.unhealthy && f.reason == format!("the job ended ({state})"))
        );
        assert_eq!(w.poll(&sample(22 * MIN, state)), []);
    }
}

#[test]
fn disabled_checks_never_emit_and_disabling_an_open_check_closes_it_once() {
    let none = HealthConfig {
        restart_loop: None,
        checkpoint_stalled: None,
        failed_checkpoints: None,
    };
    let mut w = all_open();
    w.found.clear();
    w.config = none;
    w.poll(&sample(21 * MIN, JobState::Running));
    assert!(
        w.found
            .iter()
            .all(|(_, f)| !f.unhealthy && f.reason == "the check was disabled")
    );
    assert_eq!(w.found.len(), 3);
    let mut w = Watch::new(none);
    let failed: Vec<_> = (1..=40u64).map(|k| (k, None)).collect();
    for (i, now) in (0..360).map(|i| (i, i * 10 * S)) {
        w.poll(&HealthSample {
            restarts: Some(i as u64),
            ..checkpoints(now, None, &failed)
        });
    }
    assert_eq!(w.transitions(), []);
    assert_eq!(
        w.health,
        JobHealth {
            running_seen_ms: Some(0),
            restart_seen_ms: Some(3590 * S),
            last_restarts: Some(359),
            ..JobHealth::default()
        }
    );
}

#[test]
fn a_healthy_job_emits_nothing_over_two_minutes() {
    let mut w = Watch::new(HealthConfig::default());
    for now in (0..=2 * MIN).step_by(500) {
        let ack = (now >= S).then_some(now / S * S);
        w.poll(&HealthSample {
            restarts: Some(7),
            ..checkpoints(now, ack, &[])
        });
    }
    assert_eq!(w.transitions(), []);
    assert_eq!(w.health.open_checks().count(), 0);
}

#[test]
fn the_configuration_reads_missing_checks_as_defaults_and_null_as_disabled() {
    let json = serde_json::to_value(HealthConfig::default()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "restart_loop": {"max_restarts": 3, "window_ms": 600_000},
            "checkpoint_stalled": {"threshold_ms": null},
            "failed_checkpoints": {"max_failed": 3, "window_ms": 600_000},
        })
    );
    let parsed: HealthConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(parsed, HealthConfig::default());
    let parsed: HealthConfig =
        serde_json::from_str(r#"{"restart_loop": null, "failed_checkpoints": {"max_failed": 5}}"#)
            .unwrap();
    assert_eq!(parsed.restart_loop, None);
    assert_eq!(
        parsed.checkpoint_stalled,
        Some(CheckpointStallCheck::default())
    );
    assert_eq!(
        parsed.failed_checkpoints,
        Some(FailedCheckpointsCheck {
            max_failed: 5,
            window_ms: 10 * MIN
        })
    );
}

#[test]
fn checks_and_findings_serialize_with_their_snake_case_names() {
    for check in Check::ALL {
        assert_eq!(
            serde_json::to_string(&check).unwrap(),
            format!("\"{check}\"")
        );
    }
    let w = all_open();
    for facts in w.health.open_checks() {
        let json = serde_json::to_string(facts).unwrap();
        assert_eq!(&serde_json::from_str::<HealthFacts>(&json).unwrap(), facts);
    }
    assert_eq!(checks::human_ms(-5), "0 ms");
    assert_eq!(checks::human_ms(95_400), "1 min 35 s");
    assert_eq!(checks::human_ms(2 * 86_400_000 + 3 * 3_600_000), "2 d 3 h");
}

#[test]
fn overrides_turn_checks_off_and_on_and_tune_only_what_they_set() {
    let base = HealthConfig {
        checkpoint_stalled: None,
        ..HealthConfig::default()
    };
    assert_eq!(HealthOverrides::default().apply(&base), base);
    let o: HealthOverrides = serde_json::from_str(
        r#"{"restart_loop": {"max_restarts": 9}, "checkpoint_stalled": {"enabled": true,
            "threshold": "30s"}, "failed_checkpoints": {"enabled": false}}"#,
    )
    .unwrap();
    let c = o.apply(&base);
    assert_eq!(
        c.restart_loop,
        Some(RestartLoopCheck {
            max_restarts: 9,
            window_ms: 600_000
        })
    );
    assert_eq!(
        c.checkpoint_stalled,
        Some(CheckpointStallCheck {
            threshold_ms: Some(30_000)
        })
    );
    assert_eq!(c.failed_checkpoints, None);
    assert!(o.errors().is_empty());
    let bad: HealthOverrides =
        serde_json::from_str(r#"{"failed_checkpoints": {"window": "0s"}}"#).unwrap();
    assert_eq!(
        bad.errors(),
        [(
            "health.failed_checkpoints.window".to_string(),
            "must be longer than zero".to_string()
        )]
    );
    assert!(serde_json::from_str::<HealthOverrides>(r#"{"restart_loop": {"max": 1}}"#).is_err());
}
