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

/// How the API writes a duration (`Duration` fields in humantime form: `30s`, `5m`, `1h 30m`),
/// for its OpenAPI document.
pub struct HumanDuration;

impl utoipa::PartialSchema for HumanDuration {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let unit = "nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|\
                    minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w|months|\
                    month|M|years|year|yrs|yr|y";
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(format!(r"^\s*([0-9]+(\.[0-9]+)?\s*({unit})\s*)+$")))
            .description(Some(
                "A duration: numbers with units, e.g. `30s`, `5m`, `1h 30m`, `2days`.",
            ))
            .examples(["30m"])
            .into()
    }
}

impl utoipa::ToSchema for HumanDuration {}
