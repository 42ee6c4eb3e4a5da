//! Choosing the state an application restarts from (Streamis' auto-restore, research A6 and
//! seed 004 §4).
//!
//! Candidates come from three places: the snapshots recorded for the application (the state
//! its last run started from, the savepoint taken when it stopped), its checkpoint directory
//! and its savepoint directory. The rule:
//!
//! 1. a savepoint path the user pinned (`wds.linkis.flink.savepoint.path`, or one confirmed at
//!    start) always wins;
//! 2. otherwise the candidate that completed last wins, whatever its kind or source;
//! 3. no candidate: start without state.
//!
//! [`choose_restore_point`] applies this rule; [`restore_point_for_start`] adds the
//! application's auto-restore switch on top. [`scan_snapshot_dir`] lists the candidates of a
//! local directory; remote file systems (`hdfs://`, `s3://`, …) cannot be listed here.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// What a snapshot is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotKind {
    /// A retained checkpoint (`…/<job id>/chk-<n>/_metadata`).
    Checkpoint,
    /// A savepoint (`…/savepoint-<id>/_metadata`).
    Savepoint,
}

impl SnapshotKind {
    /// The lower-case name (`"checkpoint"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotKind::Checkpoint => "checkpoint",
            SnapshotKind::Savepoint => "savepoint",
        }
    }
}

/// Where a candidate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotSource {
    /// Recorded by StreamWarden for an earlier run (started from it, or written at stop).
    Recorded,
    /// Found by listing the application's checkpoint directory.
    CheckpointDir,
    /// Found by listing the application's savepoint directory.
    SavepointDir,
}

/// One state an application could restart from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Snapshot {
    /// Where it is: the snapshot directory (the one holding `_metadata`), as Flink takes it
    /// for `execution.savepoint.path`.
    pub path: String,
    /// Checkpoint or savepoint.
    pub kind: SnapshotKind,
    /// When it completed, epoch milliseconds (for a listed directory: the modification time
    /// of its `_metadata` file).
    pub completed_ms: i64,
    /// Where it was found.
    pub source: SnapshotSource,
}

/// The state chosen for a start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RestorePoint {
    /// The path the user pinned. `known` is the candidate with the same path, when one was
    /// found (it tells the kind and completion time).
    Pinned {
        /// The pinned path, trimmed.
        path: String,
        /// The candidate at the same path, if any.
        known: Option<Snapshot>,
    },
    /// The candidate that completed last.
    Newest {
        /// The candidate.
        snapshot: Snapshot,
    },
}

impl RestorePoint {
    /// The path to restore from.
    pub fn path(&self) -> &str {
        match self {
            RestorePoint::Pinned { path, .. } => path,
            RestorePoint::Newest { snapshot } => &snapshot.path,
        }
    }

    /// Checkpoint or savepoint. For a pinned path without a matching candidate it is guessed
    /// from the path: a last component `chk-<digits>` (or `chk-<digits>/_metadata`) is a
    /// checkpoint, anything else a savepoint (Streamis calls the pinned path a savepoint).
    pub fn kind(&self) -> SnapshotKind {
        match self {
            RestorePoint::Pinned { known: Some(s), .. } | RestorePoint::Newest { snapshot: s } => {
                s.kind
            }
            RestorePoint::Pinned { path, known: None } => kind_from_path(path),
        }
    }

    /// When it completed, epoch milliseconds; `None` for a pinned path no candidate matched.
    pub fn completed_ms(&self) -> Option<i64> {
        match self {
            RestorePoint::Pinned { known, .. } => known.as_ref().map(|s| s.completed_ms),
            RestorePoint::Newest { snapshot } => Some(snapshot.completed_ms),
        }
    }

    /// Whether the user pinned it.
    pub fn is_pinned(&self) -> bool {
        matches!(self, RestorePoint::Pinned { .. })
    }
}

fn kind_from_path(path: &str) -> SnapshotKind {
    let trimmed = path.trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/_metadata").unwrap_or(trimmed);
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    if checkpoint_number(last).is_some() {
        SnapshotKind::Checkpoint
    } else {
        SnapshotKind::Savepoint
    }
}

/// `n` for a directory name `chk-<n>`.
fn checkpoint_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("chk-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether a directory name is a savepoint's: `savepoint-` followed by letters, digits, `_`
/// or `-` (Streamis: `savepoint-[\w-]+`).
fn is_savepoint_dir(name: &str) -> bool {
    name.strip_prefix("savepoint-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

fn same_path(a: &str, b: &str) -> bool {
    fn norm(p: &str) -> &str {
        let p = p.trim_end_matches('/');
        p.strip_suffix("/_metadata").unwrap_or(p)
    }
    norm(a) == norm(b)
}

/// Rank of a kind when completion times tie: savepoints first.
fn kind_rank(kind: SnapshotKind) -> u8 {
    match kind {
        SnapshotKind::Checkpoint => 0,
        SnapshotKind::Savepoint => 1,
    }
}

/// Rank of a source when completion time and kind tie: recorded first, then the savepoint
/// directory, then the checkpoint directory.
fn source_rank(source: SnapshotSource) -> u8 {
    match source {
        SnapshotSource::CheckpointDir => 0,
        SnapshotSource::SavepointDir => 1,
        SnapshotSource::Recorded => 2,
    }
}

/// The order in which candidates win: greater wins.
///
/// By completion time; on a tie a savepoint beats a checkpoint; then a recorded snapshot beats
/// a listed one, and the savepoint directory beats the checkpoint directory; then the higher
/// checkpoint number (`chk-12` over `chk-9`); finally the greater path, byte by byte. The
/// order is total, so the choice never depends on the order of the candidates.
fn precedence(a: &Snapshot, b: &Snapshot) -> Ordering {
    let chk = |s: &Snapshot| {
        let p = s.path.trim_end_matches('/');
        let p = p.strip_suffix("/_metadata").unwrap_or(p);
        checkpoint_number(p.rsplit('/').next().unwrap_or(p))
    };
    a.completed_ms
        .cmp(&b.completed_ms)
        .then_with(|| kind_rank(a.kind).cmp(&kind_rank(b.kind)))
        .then_with(|| source_rank(a.source).cmp(&source_rank(b.source)))
        .then_with(|| chk(a).cmp(&chk(b)))
        .then_with(|| a.path.cmp(&b.path))
}

/// The candidate that completed last, ties broken as documented on the module: by kind
/// (savepoint first), source (recorded, savepoint directory, checkpoint directory), checkpoint
/// number, then path. `None` when there is no candidate.
pub fn newest_snapshot(candidates: &[Snapshot]) -> Option<&Snapshot> {
    candidates.iter().max_by(|a, b| precedence(a, b))
}

/// The state to restore from: the pinned path if one is given (a blank pin counts as none),
/// otherwise the newest candidate ([`newest_snapshot`]); `None` when neither exists.
pub fn choose_restore_point(pinned: Option<&str>, candidates: &[Snapshot]) -> Option<RestorePoint> {
    if let Some(path) = pinned.map(str::trim).filter(|p| !p.is_empty()) {
        // Among several candidates at the pinned path, the same precedence picks one.
        let known = candidates
            .iter()
            .filter(|c| same_path(&c.path, path))
            .max_by(|a, b| precedence(a, b))
            .cloned();
        return Some(RestorePoint::Pinned {
            path: path.to_owned(),
            known,
        });
    }
    newest_snapshot(candidates).map(|s| RestorePoint::Newest {
        snapshot: s.clone(),
    })
}

/// The state a start restores from, with the application's auto-restore switch applied as
/// Streamis applies it: a pinned path is used even when auto-restore is off; otherwise the
/// newest candidate only when `auto_restore` is on.
pub fn restore_point_for_start(
    pinned: Option<&str>,
    auto_restore: bool,
    candidates: &[Snapshot],
) -> Option<RestorePoint> {
    match choose_restore_point(pinned, candidates) {
        Some(p @ RestorePoint::Pinned { .. }) => Some(p),
        Some(newest) if auto_restore => Some(newest),
        _ => None,
    }
}

/// The local directory a snapshot location names, or `None` when it cannot be read here.
///
/// Accepted: plain paths (`/flink/checkpoints`, `state/chk`), `file:///abs/path`,
/// `file://localhost/abs/path` and Hadoop's `file:/abs/path`; `%XX` escapes in `file:` URIs
/// are decoded. Refused (`None`): other schemes (`hdfs://`, `viewfs://`, `s3://`, `oss://`,
/// …), `file://` with another host, a blank string, and a URI whose escapes do not decode
/// to UTF-8.
pub fn local_path(uri: &str) -> Option<PathBuf> {
    let uri = uri.trim();
    if uri.is_empty() {
        return None;
    }
    if let Some(rest) = strip_prefix_ignore_case(uri, "file:") {
        let path = if let Some(after) = rest.strip_prefix("//") {
            // file://host/path: only an empty host or localhost is this machine.
            let slash = after.find('/')?;
            let (host, path) = after.split_at(slash);
            if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
                return None;
            }
            path
        } else if rest.starts_with('/') {
            rest
        } else {
            return None;
        };
        return percent_decode(path).map(PathBuf::from);
    }
    if has_scheme(uri) {
        return None;
    }
    Some(PathBuf::from(uri))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Whether `s` starts with a URI scheme of two or more characters followed by `:`
/// (`s3:`, `hdfs:`); one letter followed by `:` reads as a drive letter, a path.
fn has_scheme(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// How deep [`scan_snapshot_dir`] descends below the directory it is given. Flink writes
/// `<dir>/<job id>/chk-<n>/_metadata` and `<dir>/savepoint-<id>/_metadata`; Streamis adds
/// `<policy>/<project>/<job>` above them.
pub const MAX_SCAN_DEPTH: usize = 8;

/// The snapshots of `kind` under `dir`: every `chk-<n>/_metadata` (for
/// [`SnapshotKind::Checkpoint`]) or `savepoint-<id>/_metadata` (for
/// [`SnapshotKind::Savepoint`]) found at most [`MAX_SCAN_DEPTH`] levels down.
///
/// Each snapshot's `path` is the directory holding `_metadata`, its completion time the
/// modification time of `_metadata`, its source [`SnapshotSource::CheckpointDir`] or
/// [`SnapshotSource::SavepointDir`]. Symbolic links are not followed. Whatever cannot be read
/// (a missing `dir`, a directory without permission, a `_metadata` without a modification
/// time) is skipped: the result is what could be read, sorted by path.
pub fn scan_snapshot_dir(dir: &Path, kind: SnapshotKind) -> Vec<Snapshot> {
    let mut found = Vec::new();
    scan(dir, kind, 0, &mut found);
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// [`scan_snapshot_dir`] on a location given as a URI or path ([`local_path`]): nothing for a
/// location that is not local.
pub fn scan_snapshot_location(location: &str, kind: SnapshotKind) -> Vec<Snapshot> {
    local_path(location).map_or_else(Vec::new, |dir| scan_snapshot_dir(&dir, kind))
}

fn scan(dir: &Path, kind: SnapshotKind, depth: usize, found: &mut Vec<Snapshot>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if !file_type.is_dir() {
            continue; // files and symbolic links
        }
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let matches = match kind {
            SnapshotKind::Checkpoint => checkpoint_number(&name).is_some(),
            SnapshotKind::Savepoint => is_savepoint_dir(&name),
        };
        if matches {
            if let Some(completed_ms) = metadata_mtime_ms(&path.join("_metadata")) {
                found.push(Snapshot {
                    path: path.to_string_lossy().into_owned(),
                    kind,
                    completed_ms,
                    source: match kind {
                        SnapshotKind::Checkpoint => SnapshotSource::CheckpointDir,
                        SnapshotKind::Savepoint => SnapshotSource::SavepointDir,
                    },
                });
            }
        } else if depth < MAX_SCAN_DEPTH {
            scan(&path, kind, depth + 1, found);
        }
    }
}

/// Modification time of a regular `_metadata` file, epoch milliseconds.
fn metadata_mtime_ms(file: &Path) -> Option<i64> {
    let meta = std::fs::symlink_metadata(file).ok()?;
    if !meta.is_file() {
        return None;
    }
    let modified = meta.modified().ok()?;
    let ms = modified.duration_since(UNIX_EPOCH).ok()?.as_millis();
    i64::try_from(ms).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(path: &str, kind: SnapshotKind, completed_ms: i64, source: SnapshotSource) -> Snapshot {
        Snapshot {
            path: path.into(),
            kind,
            completed_ms,
            source,
        }
    }

    /// Every ordering of `items` (Heap's algorithm).
    fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
        fn heap<T: Clone>(k: usize, a: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
            if k <= 1 {
                out.push(a.clone());
                return;
            }
            heap(k - 1, a, out);
            for i in 0..k - 1 {
                if k.is_multiple_of(2) {
                    a.swap(i, k - 1);
                } else {
                    a.swap(0, k - 1);
                }
                heap(k - 1, a, out);
            }
        }
        let mut a = items.to_vec();
        let mut out = Vec::new();
        heap(a.len(), &mut a, &mut out);
        out
    }

    use SnapshotKind::{Checkpoint, Savepoint};
    use SnapshotSource::{CheckpointDir, Recorded, SavepointDir};

    #[test]
    fn permutations_helper_yields_every_order() {
        let perms = permutations(&[1, 2, 3, 4]);
        assert_eq!(perms.len(), 24);
        let mut sorted = perms.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 24);
    }

    #[test]
    fn newest_wins_in_every_order() {
        let candidates = [
            snap("/c/job/chk-7", Checkpoint, 1_000, CheckpointDir),
            snap("/s/savepoint-aa", Savepoint, 3_000, SavepointDir),
            snap("/r/savepoint-bb", Savepoint, 2_000, Recorded),
            snap("/c/job/chk-8", Checkpoint, 4_000, CheckpointDir),
            snap("/r/chk-2", Checkpoint, 500, Recorded),
        ];
        for order in permutations(&candidates) {
            let chosen = choose_restore_point(None, &order).expect("a candidate");
            assert_eq!(chosen.path(), "/c/job/chk-8", "{order:?}");
            assert_eq!(chosen.kind(), Checkpoint);
            assert_eq!(chosen.completed_ms(), Some(4_000));
            assert!(!chosen.is_pinned());
        }
    }

    #[test]
    fn a_recorded_snapshot_wins_when_newest() {
        let candidates = [
            snap("/c/job/chk-7", Checkpoint, 1_000, CheckpointDir),
            snap("/r/savepoint-stop", Savepoint, 9_000, Recorded),
            snap("/s/savepoint-aa", Savepoint, 3_000, SavepointDir),
        ];
        for order in permutations(&candidates) {
            assert_eq!(
                newest_snapshot(&order).map(|s| s.path.as_str()),
                Some("/r/savepoint-stop")
            );
        }
    }

    #[test]
    fn ties_prefer_savepoint_then_recorded_then_savepoint_dir() {
        let candidates = [
            snap("/c/job/chk-9", Checkpoint, 5_000, CheckpointDir),
            snap("/r/chk-3", Checkpoint, 5_000, Recorded),
            snap("/s/savepoint-x", Savepoint, 5_000, SavepointDir),
            snap("/r/savepoint-y", Savepoint, 5_000, Recorded),
        ];
        for order in permutations(&candidates) {
            assert_eq!(
                newest_snapshot(&order).map(|s| s.path.as_str()),
                Some("/r/savepoint-y")
            );
        }
        // Without the recorded savepoint: the savepoint directory's.
        for order in permutations(&candidates[..3]) {
            assert_eq!(
                newest_snapshot(&order).map(|s| s.path.as_str()),
                Some("/s/savepoint-x")
            );
        }
        // Checkpoints only: the recorded one beats the listed one.
        for order in permutations(&candidates[..2]) {
            assert_eq!(
                newest_snapshot(&order).map(|s| s.path.as_str()),
                Some("/r/chk-3")
            );
        }
    }

    #[test]
    fn ties_then_prefer_higher_checkpoint_number_then_greater_path() {
        let candidates = [
            snap("/c/job/chk-9", Checkpoint, 5_000, CheckpointDir),
            snap("/c/job/chk-12", Checkpoint, 5_000, CheckpointDir),
            snap("/c/job/chk-10/", Checkpoint, 5_000, CheckpointDir),
        ];
        for order in permutations(&candidates) {
            assert_eq!(
                newest_snapshot(&order).map(|s| s.path.as_str()),
                Some("/c/job/chk-12")
            );
        }
        let same_everything = [
            snap("/a/savepoint-1", Savepoint, 5_000, SavepointDir),
            snap("/b/savepoint-1", Savepoint, 5_000, SavepointDir),
        ];
        for order in permutations(&same_everything) {
            assert_eq!(
                newest_snapshot(&order).map(|s| s.path.as_str()),
                Some("/b/savepoint-1")
            );
        }
    }

    #[test]
    fn a_pinned_path_wins_over_newer_candidates() {
        let candidates = [
            snap("/s/savepoint-old", Savepoint, 1_000, SavepointDir),
            snap("/c/job/chk-99", Checkpoint, 9_000, CheckpointDir),
        ];
        for order in permutations(&candidates) {
            let chosen = choose_restore_point(Some("/s/savepoint-old"), &order).expect("pinned");
            assert!(chosen.is_pinned());
            assert_eq!(chosen.path(), "/s/savepoint-old");
            assert_eq!(chosen.kind(), Savepoint);
            assert_eq!(
                chosen.completed_ms(),
                Some(1_000),
                "known from the candidate"
            );
        }
    }

    #[test]
    fn a_pinned_path_matches_candidates_ignoring_trailing_slash_and_metadata() {
        let candidates = [snap("/s/savepoint-old", Savepoint, 1_000, SavepointDir)];
        for pin in [
            "/s/savepoint-old/",
            "/s/savepoint-old/_metadata",
            "  /s/savepoint-old  ",
        ] {
            let chosen = choose_restore_point(Some(pin), &candidates).expect("pinned");
            assert_eq!(chosen.completed_ms(), Some(1_000), "{pin}");
            assert_eq!(chosen.path(), pin.trim());
        }
    }

    #[test]
    fn a_pinned_path_without_candidates_has_no_time_and_a_guessed_kind() {
        let chosen = choose_restore_point(Some("hdfs:///sp/savepoint-abc"), &[]).expect("pinned");
        assert_eq!(
            chosen,
            RestorePoint::Pinned {
                path: "hdfs:///sp/savepoint-abc".into(),
                known: None
            }
        );
        assert_eq!(chosen.completed_ms(), None);
        assert_eq!(chosen.kind(), Savepoint);
        let chk = choose_restore_point(Some("/ck/abc/chk-42/_metadata"), &[]).expect("pinned");
        assert_eq!(chk.kind(), Checkpoint);
        let odd = choose_restore_point(Some("/state/chk-x"), &[]).expect("pinned");
        assert_eq!(odd.kind(), Savepoint);
    }

    #[test]
    fn a_blank_pin_is_no_pin() {
        let candidates = [snap("/c/job/chk-1", Checkpoint, 1, CheckpointDir)];
        for pin in [Some(""), Some("   "), None] {
            let chosen = choose_restore_point(pin, &candidates).expect("newest");
            assert!(!chosen.is_pinned(), "{pin:?}");
            assert_eq!(chosen.path(), "/c/job/chk-1");
        }
        assert_eq!(choose_restore_point(Some(" "), &[]), None);
    }

    #[test]
    fn nothing_to_restore_from() {
        assert_eq!(choose_restore_point(None, &[]), None);
        assert_eq!(newest_snapshot(&[]), None);
    }

    #[test]
    fn auto_restore_switch_gates_only_the_newest() {
        let candidates = [snap("/c/job/chk-1", Checkpoint, 1, CheckpointDir)];
        assert_eq!(restore_point_for_start(None, false, &candidates), None);
        assert_eq!(
            restore_point_for_start(None, true, &candidates).map(|p| p.path().to_owned()),
            Some("/c/job/chk-1".into())
        );
        let pinned = restore_point_for_start(Some("/sp/savepoint-1"), false, &candidates)
            .expect("pinned wins even with auto-restore off");
        assert!(pinned.is_pinned());
        assert_eq!(restore_point_for_start(None, true, &[]), None);
    }

    #[test]
    fn local_path_accepts_plain_paths_and_file_uris() {
        let cases = [
            ("/flink/checkpoints", "/flink/checkpoints"),
            ("state/chk", "state/chk"),
            ("file:///flink/checkpoints", "/flink/checkpoints"),
            ("FILE:///flink/x", "/flink/x"),
            ("file://localhost/flink/x", "/flink/x"),
            ("file:/flink/x", "/flink/x"),
            ("file:///flink/a%20b", "/flink/a b"),
            ("  /padded  ", "/padded"),
            ("C:/windows/style", "C:/windows/style"),
        ];
        for (uri, want) in cases {
            assert_eq!(local_path(uri), Some(PathBuf::from(want)), "{uri}");
        }
    }

    #[test]
    fn local_path_refuses_what_cannot_be_listed_here() {
        for uri in [
            "",
            "   ",
            "s3://bucket/checkpoints",
            "hdfs:///flink/checkpoints",
            "hdfs://nn:8020/flink",
            "viewfs://cluster/flink",
            "oss://bucket/x",
            "file://otherhost/flink/x",
            "file:relative",
            "file://",
            "file:///bad%zzescape",
            "file:///bad%ff",
        ] {
            assert_eq!(local_path(uri), None, "{uri}");
        }
    }

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, b"meta").expect("write");
    }

    fn set_mtime(path: &Path, epoch_ms: u64) {
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        file.set_modified(UNIX_EPOCH + std::time::Duration::from_millis(epoch_ms))
            .expect("set mtime");
    }

    #[test]
    fn scans_checkpoints_with_metadata_mtime() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        touch(&root.join("job-a/chk-3/_metadata"));
        set_mtime(&root.join("job-a/chk-3/_metadata"), 3_000);
        touch(&root.join("job-a/chk-4/_metadata"));
        set_mtime(&root.join("job-a/chk-4/_metadata"), 4_000);
        // Not snapshots: no _metadata, wrong names, shared state, a _metadata directory.
        std::fs::create_dir_all(root.join("job-a/chk-5")).expect("mkdir");
        touch(&root.join("job-a/shared/_metadata"));
        touch(&root.join("job-a/chk-x/_metadata"));
        std::fs::create_dir_all(root.join("job-a/chk-6/_metadata")).expect("mkdir");
        touch(&root.join("job-a/savepoint-1/_metadata"));

        let found = scan_snapshot_dir(root, Checkpoint);
        let chk3 = root.join("job-a/chk-3").to_string_lossy().into_owned();
        let chk4 = root.join("job-a/chk-4").to_string_lossy().into_owned();
        assert_eq!(
            found,
            vec![
                snap(&chk3, Checkpoint, 3_000, CheckpointDir),
                snap(&chk4, Checkpoint, 4_000, CheckpointDir),
            ]
        );
        assert_eq!(newest_snapshot(&found).map(|s| s.path.clone()), Some(chk4));
    }

    #[test]
    fn scans_savepoints_at_any_depth_up_to_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        touch(&root.join("single/proj/job/savepoint-ab12-cd34/_metadata"));
        set_mtime(
            &root.join("single/proj/job/savepoint-ab12-cd34/_metadata"),
            7_000,
        );
        touch(&root.join("savepoint-top/_metadata"));
        set_mtime(&root.join("savepoint-top/_metadata"), 1_000);
        touch(&root.join("job-a/chk-1/_metadata"));
        touch(&root.join("savepoint-/_metadata")); // empty id
        let deep: PathBuf =
            (0..=MAX_SCAN_DEPTH).fold(root.to_path_buf(), |p, i| p.join(format!("d{i}")));
        touch(&deep.join("savepoint-deep/_metadata"));

        let found = scan_snapshot_dir(root, Savepoint);
        let paths: Vec<&str> = found.iter().map(|s| s.path.as_str()).collect();
        let nested = root.join("single/proj/job/savepoint-ab12-cd34");
        let top = root.join("savepoint-top");
        assert_eq!(
            paths,
            vec![
                top.to_str().expect("utf-8"),
                nested.to_str().expect("utf-8")
            ]
        );
        assert!(
            found
                .iter()
                .all(|s| s.kind == Savepoint && s.source == SavepointDir)
        );
        assert_eq!(found[1].completed_ms, 7_000);
        assert_eq!(found[0].completed_ms, 1_000);
    }

    #[test]
    fn scanning_what_is_not_there_finds_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(scan_snapshot_dir(&dir.path().join("missing"), Checkpoint).is_empty());
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").expect("write");
        assert!(scan_snapshot_dir(&file, Savepoint).is_empty());
        assert!(scan_snapshot_location("s3://bucket/sp", Savepoint).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn scanning_skips_symlinks_and_unreadable_directories() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let outside = tempfile::tempdir().expect("tempdir");
        touch(&outside.path().join("chk-1/_metadata"));
        std::os::unix::fs::symlink(outside.path(), root.join("link")).expect("symlink");
        std::os::unix::fs::symlink(outside.path().join("chk-1"), root.join("chk-2"))
            .expect("symlink");
        touch(&root.join("job/chk-3/_metadata"));
        touch(&root.join("locked/job/chk-4/_metadata"));
        let locked = root.join("locked");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        let readable_anyway = std::fs::read_dir(&locked).is_ok(); // root ignores permissions

        let found = scan_snapshot_dir(root, Checkpoint);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");

        let names: Vec<String> = found
            .iter()
            .map(|s| {
                s.path
                    .strip_prefix(root.to_str().expect("utf-8"))
                    .unwrap_or(&s.path)
                    .to_owned()
            })
            .collect();
        if readable_anyway {
            assert_eq!(names, vec!["/job/chk-3", "/locked/job/chk-4"]);
        } else {
            assert_eq!(names, vec!["/job/chk-3"]);
        }
    }

    #[test]
    fn scan_location_accepts_file_uris() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(&dir.path().join("j/chk-1/_metadata"));
        let uri = format!("file://{}", dir.path().display());
        let found = scan_snapshot_location(&uri, Checkpoint);
        assert_eq!(found.len(), 1);
        assert!(found[0].path.ends_with("/j/chk-1"));
    }

    #[test]
    fn names_of_snapshot_directories() {
        assert_eq!(checkpoint_number("chk-12"), Some(12));
        assert_eq!(checkpoint_number("chk-"), None);
        assert_eq!(checkpoint_number("chk-1a"), None);
        assert_eq!(checkpoint_number("chk-+1"), None);
        assert!(is_savepoint_dir("savepoint-7f1a2b-0123456789ab"));
        assert!(is_savepoint_dir("savepoint-a_b"));
        assert!(!is_savepoint_dir("savepoint-"));
        assert!(!is_savepoint_dir("savepoint-a.b"));
        assert!(!is_savepoint_dir("chk-1"));
    }

    #[test]
    fn serializes_with_snake_case_names() {
        let point = RestorePoint::Newest {
            snapshot: snap("/c/chk-1", Checkpoint, 5, CheckpointDir),
        };
        let json = serde_json::to_value(&point).expect("json");
        assert_eq!(json["reason"], "newest");
        assert_eq!(json["snapshot"]["kind"], "checkpoint");
        assert_eq!(json["snapshot"]["source"], "checkpoint_dir");
    }
}
