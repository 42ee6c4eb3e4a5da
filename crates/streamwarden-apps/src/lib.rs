//! StreamWarden's application packages, compatible with Streamis: a zip holding a `meta.json`
//! and the files it names (a jar, SQL, resources).
//!
//! - [`meta`]: `meta.json` read unchanged and mapped onto a typed [`JobSpec`], with a warning
//!   for everything not used and an error naming the JSON path for everything unusable;
//! - [`package`]: reading an uploaded zip safely (zip-slip, symbolic links, entry count and
//!   size limits counted while reading);
//! - [`version`]: `v00001`-style versions and `versionForwards`;
//! - [`restore`]: which checkpoint or savepoint a start restores from, and listing local
//!   snapshot directories;
//! - [`mod@inspect`]: what to confirm before a start.
//!
//! Apart from [`restore::scan_snapshot_dir`], which lists a local directory, everything here is
//! pure: no network, no database, no clock.

pub mod inspect;
pub mod meta;
pub mod package;
pub mod restore;
pub mod version;

pub use inspect::{Inspection, inspect};
pub use meta::{
    JobSpec, JobType, MetaError, MetaErrors, ParsedMeta, SqlSource, StreamisSettings, Warning,
    parse_meta_json, parse_meta_value,
};
pub use package::{Package, PackageError, PackageFile, PackageLimits, read_package};
pub use restore::{
    RestorePoint, Snapshot, SnapshotKind, SnapshotSource, choose_restore_point, local_path,
    restore_point_for_start, scan_snapshot_dir,
};
pub use version::{Version, VersionError, next_version, version_forwards};
