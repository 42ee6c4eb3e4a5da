//! The pre-start inspection (Streamis' `execute/inspect`, research A5 and seed 004 §2): what a
//! person should confirm before an application starts. Two checks exist:
//!
//! - `version`: the version about to run is not the one that ran last ("start with the newest
//!   version v00003? last started: v00002");
//! - `snapshot`: the start restores state ("restore from this snapshot: /flink/checkpoints/…/chk-42").
//!
//! An empty list means nothing needs confirming and the start can go ahead at once.

use crate::restore::{RestorePoint, SnapshotKind};
use crate::version::Version;
use serde::Serialize;

/// One thing to confirm before a start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Inspection {
    /// The start runs another version than the last run did.
    Version {
        /// The version of the last run.
        from: Version,
        /// The version about to run.
        to: Version,
    },
    /// The start restores state from a snapshot.
    Snapshot {
        /// Where the state is.
        path: String,
        /// Checkpoint or savepoint (see [`RestorePoint::kind`]).
        kind: SnapshotKind,
        /// When it completed, epoch milliseconds; `None` for a pinned path whose time is not
        /// known.
        completed_ms: Option<i64>,
        /// Whether the user pinned it rather than it being the newest found.
        pinned: bool,
    },
}

impl Inspection {
    /// The name of the check (`"version"`, `"snapshot"`), as Streamis lists it in
    /// `inspections`.
    pub fn name(&self) -> &'static str {
        match self {
            Inspection::Version { .. } => "version",
            Inspection::Snapshot { .. } => "snapshot",
        }
    }
}

/// The checks needing confirmation before `to_run` starts, in the order `version`,
/// `snapshot`.
///
/// - `version` when `last_run` is a different version. A first start (`last_run` is `None`)
///   has nothing to compare with, so it asks nothing; a restart of the same version neither.
/// - `snapshot` when `restore` is `Some`: pass the point the start will really use
///   ([`restore_point_for_start`](crate::restore::restore_point_for_start)), so an
///   application with auto-restore off and no pinned path is not asked about state it will
///   not load.
pub fn inspect(
    to_run: Version,
    last_run: Option<Version>,
    restore: Option<&RestorePoint>,
) -> Vec<Inspection> {
    let mut checks = Vec::new();
    if let Some(from) = last_run.filter(|last| *last != to_run) {
        checks.push(Inspection::Version { from, to: to_run });
    }
    if let Some(point) = restore {
        checks.push(Inspection::Snapshot {
            path: point.path().to_owned(),
            kind: point.kind(),
            completed_ms: point.completed_ms(),
            pinned: point.is_pinned(),
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::restore::{Snapshot, SnapshotSource, choose_restore_point};

    fn v(n: u32) -> Version {
        Version::new(n).expect("non-zero")
    }

    fn newest() -> RestorePoint {
        RestorePoint::Newest {
            snapshot: Snapshot {
                path: "/ck/job/chk-7".into(),
                kind: SnapshotKind::Checkpoint,
                completed_ms: 1_700_000_000_000,
                source: SnapshotSource::CheckpointDir,
            },
        }
    }

    #[test]
    fn nothing_to_confirm() {
        assert_eq!(inspect(v(1), None, None), vec![]);
        assert_eq!(inspect(v(3), Some(v(3)), None), vec![]);
    }

    #[test]
    fn a_different_version_asks_from_to() {
        assert_eq!(
            inspect(v(3), Some(v(2)), None),
            vec![Inspection::Version {
                from: v(2),
                to: v(3)
            }]
        );
        // Going back to an older version is a change too.
        assert_eq!(
            inspect(v(1), Some(v(4)), None),
            vec![Inspection::Version {
                from: v(4),
                to: v(1)
            }]
        );
    }

    #[test]
    fn a_restore_point_asks_path_kind_and_time() {
        let point = newest();
        assert_eq!(
            inspect(v(2), Some(v(2)), Some(&point)),
            vec![Inspection::Snapshot {
                path: "/ck/job/chk-7".into(),
                kind: SnapshotKind::Checkpoint,
                completed_ms: Some(1_700_000_000_000),
                pinned: false,
            }]
        );
    }

    #[test]
    fn a_pinned_path_is_reported_as_pinned_without_a_known_time() {
        let point = choose_restore_point(Some("s3://b/savepoint-1"), &[]).expect("pinned");
        assert_eq!(
            inspect(v(1), None, Some(&point)),
            vec![Inspection::Snapshot {
                path: "s3://b/savepoint-1".into(),
                kind: SnapshotKind::Savepoint,
                completed_ms: None,
                pinned: true,
            }]
        );
    }

    #[test]
    fn both_checks_come_version_first() {
        let point = newest();
        let checks = inspect(v(5), Some(v(4)), Some(&point));
        let names: Vec<&str> = checks.iter().map(Inspection::name).collect();
        assert_eq!(names, vec!["version", "snapshot"]);
    }

    #[test]
    fn serializes_with_the_check_name() {
        let point = newest();
        let json = serde_json::to_value(inspect(v(5), Some(v(4)), Some(&point))).expect("json");
        assert_eq!(
            json,
            serde_json::json!([
                {"check": "version", "from": "v00004", "to": "v00005"},
                {"check": "snapshot", "path": "/ck/job/chk-7", "kind": "checkpoint",
                 "completed_ms": 1_700_000_000_000_i64, "pinned": false}
            ])
        );
    }
}
