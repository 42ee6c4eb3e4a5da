//! Typed bodies of the Flink REST API responses and requests this crate uses.
//!
//! All response types ignore unknown fields and default the fields that differ between Flink
//! 1.x and 2.x, so one client works across versions. Timestamps are epoch milliseconds and
//! durations milliseconds; the Rust field names end in `_ms` (the JSON names are kept with
//! `#[serde(rename)]`). Reference: the Flink REST API documentation,
//! <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.

pub mod checkpoints;
pub mod cluster;
pub mod exceptions;
pub mod jars;
pub mod job;
pub mod metrics;
pub mod savepoints;

/// serde helpers shared by the response types.
pub(crate) mod de {
    use serde::{Deserialize, Deserializer};

    /// An optional epoch-milliseconds timestamp: absent, `null` and negative values (Flink
    /// uses `-1` for "not yet", e.g. `end-time` of a running job) all become `None`.
    pub(crate) fn opt_epoch_ms<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
    where
        D: Deserializer<'de>,
    {
        Ok(Option::<i64>::deserialize(deserializer)?.filter(|ms| *ms >= 0))
    }

    /// `null` becomes the type's default (Flink sometimes writes `null` for empty maps/lists).
    pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Default + Deserialize<'de>,
    {
        Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
    }
}
