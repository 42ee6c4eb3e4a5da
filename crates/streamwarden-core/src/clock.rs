//! The wall clock, in the unit the domain uses. Decisions never call it: callers read it once
//! and pass `now_ms` in.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now as epoch milliseconds (0 if the system clock is before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
