//! The console templates' filters: times, ages, durations and the colour class of a state.

use chrono::{DateTime, SecondsFormat};
use minijinja::Environment;
use streamwarden_core::clock::now_ms;

/// Registers `time`, `ago`, `duration` and `tone` on `env`.
pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("time", time);
    env.add_filter("ago", ago);
    env.add_filter("duration", duration);
    env.add_filter("tone", tone);
}

/// Epoch ms → `2026-11-21T10:00:03Z` (UTC, whole seconds); `—` for none.
fn time(ms: Option<i64>) -> String {
    ms.and_then(DateTime::from_timestamp_millis).map_or_else(
        || "—".into(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// Epoch ms → how long ago, coarsely (`12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`).
fn ago(ms: Option<i64>) -> String {
    match ms {
        None => "—".into(),
        Some(ms) => format!("{} ago", duration(Some((now_ms() - ms).max(0)))),
    }
}

/// A length of time in ms → `850 ms`, `12 s`, `5 min`, `3 h`, `2 d`.
fn duration(ms: Option<i64>) -> String {
    let Some(ms) = ms else {
        return "—".into();
    };
    match ms {
        ..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{} s", ms / 1_000),
        60_000..3_600_000 => format!("{} min", ms / 60_000),
        3_600_000..86_400_000 => format!("{} h", ms / 3_600_000),
        _ => format!("{} d", ms / 86_400_000),
    }
}

/// The colour class of a Flink job state, run status, alert state or outcome: `good`, `bad`,
/// `warn` or `quiet`.
fn tone(state: &str) -> &'static str {
    match state.to_ascii_uppercase().as_str() {
        "RUNNING" | "FINISHED" | "DELIVERED" | "OK" | "RESOLVED" | "UP" | "HEALTHY" => "good",
        "FAILED" | "FAILING" | "FIRING" | "DOWN" | "UNREACHABLE" | "GAVE_UP" | "ERROR" => "bad",
        "RESTARTING" | "CANCELLING" | "CREATED" | "INITIALIZING" | "RECONCILING" | "STARTING"
        | "STOPPING" | "PENDING" | "SUSPENDED" | "RETRY" => "warn",
        _ => "quiet",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_coarse_and_readable() {
        let cases = [
            (Some(0), "0 ms"),
            (Some(999), "999 ms"),
            (Some(1_000), "1 s"),
            (Some(59_999), "59 s"),
            (Some(60_000), "1 min"),
            (Some(3_600_000), "1 h"),
            (Some(86_400_000 * 3), "3 d"),
            (None, "—"),
        ];
        for (ms, text) in cases {
            assert_eq!(duration(ms), text, "{ms:?}");
        }
    }

    #[test]
    fn times_are_utc_seconds() {
        assert_eq!(time(Some(1_763_719_203_456)), "2025-11-21T10:00:03Z");
        assert_eq!(time(None), "—");
    }

    #[test]
    fn states_get_a_tone() {
        assert_eq!(tone("RUNNING"), "good");
        assert_eq!(tone("failed"), "bad");
        assert_eq!(tone("RESTARTING"), "warn");
        assert_eq!(tone("CANCELED"), "quiet");
    }
}
