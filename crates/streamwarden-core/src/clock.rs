//! The wall clock, in the unit the domain uses. Decisions never call it: callers read it once
//! and pass `now_ms` in.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A duration in milliseconds, saturating at `i64::MAX`.
pub fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Now as epoch milliseconds (0 if the system clock is before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, duration_ms)
}
