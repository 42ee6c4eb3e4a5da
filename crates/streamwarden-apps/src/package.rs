//! Reading an uploaded application package: a zip with `meta.json` at its root and the files
//! it names (Streamis' package layout).
//!
//! The zip is untrusted. [`read_package`] refuses, before using anything: an empty upload or
//! one that is not a zip, more entries than [`PackageLimits::max_entries`], an entry whose path
//! is absolute or climbs out with `..` (zip-slip), a symbolic link, and more uncompressed bytes
//! than [`PackageLimits::max_uncompressed_bytes`] in all. Sizes are counted while
//! decompressing: the sizes written in the zip's headers are not used (a zip bomb lies in them),
//! and decompression stops one chunk past a limit. Nothing is written to disk.

use crate::meta::{
    JobSpec, META_FILE, MetaErrors, SqlSource, Warning, parse_meta_value, read_meta_json,
};
use serde::Serialize;
use serde_json::Value;
use std::io::{Cursor, Read};
use std::path::Component;
use zip::ZipArchive;

/// How much a package may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PackageLimits {
    /// Entries (files and directories) in the zip; default 1,000.
    pub max_entries: usize,
    /// Bytes of all entries once decompressed; default 512 MiB.
    pub max_uncompressed_bytes: u64,
    /// Bytes of `meta.json`; default 16 MiB.
    pub max_meta_json_bytes: u64,
}

impl Default for PackageLimits {
    fn default() -> Self {
        PackageLimits {
            max_entries: 1_000,
            max_uncompressed_bytes: 512 * 1024 * 1024,
            max_meta_json_bytes: 16 * 1024 * 1024,
        }
    }
}

/// One file of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageFile {
    /// Path inside the package, `/`-separated, without `.` components (`meta.json`,
    /// `lib/udf.jar`).
    pub path: String,
    /// Bytes once decompressed, as counted while reading.
    pub size: u64,
}

/// A package read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// What `meta.json` asks for.
    pub spec: JobSpec,
    /// Remarks on `meta.json` and on the files, sorted by file and path.
    pub warnings: Vec<Warning>,
    /// Every file of the package (directories left out), in the zip's order, `meta.json`
    /// included.
    pub files: Vec<PackageFile>,
    /// The bytes of the jar named by `jobContent.main.class.jar` (`flink.jar`).
    pub jar: Option<Vec<u8>>,
    /// The SQL statements (`flink.sql`): `jobContent.sql`, or the content of the file named by
    /// `jobContent.file`.
    pub sql: Option<String>,
    /// `meta.json` as it was written.
    pub meta_json: Value,
}

/// Why a package is refused. Each error names the file or entry concerned and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    /// The upload has no bytes.
    #[error("package: empty upload (0 bytes): expected a zip file")]
    Empty,
    /// The upload is not a readable zip.
    #[error("package: not a zip file: {reason}")]
    NotZip {
        /// What the zip reader said.
        reason: String,
    },
    /// More entries than [`PackageLimits::max_entries`].
    #[error("package: {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries in the zip.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// An entry whose path is absolute or leaves the package through `..` (zip-slip).
    #[error("{entry}: unsafe path: absolute, or leaving the package through ..")]
    UnsafePath {
        /// The entry's name as written in the zip.
        entry: String,
    },
    /// A symbolic link.
    #[error("{entry}: symbolic links are not allowed in a package")]
    Symlink {
        /// The entry's name.
        entry: String,
    },
    /// An entry that cannot be decompressed (encrypted, damaged, checksum mismatch).
    #[error("{entry}: cannot be read: {reason}")]
    Unreadable {
        /// The entry's name.
        entry: String,
        /// What the zip reader said.
        reason: String,
    },
    /// No `meta.json` at the root of the package.
    #[error("package: no meta.json at the root{}", found_hint(.found_at.as_deref()))]
    MissingMeta {
        /// Where a `meta.json` was found deeper in the package, if anywhere.
        found_at: Option<String>,
    },
    /// `meta.json` is larger than [`PackageLimits::max_meta_json_bytes`].
    #[error("meta.json: larger than the limit of {limit} bytes")]
    MetaTooLarge {
        /// The limit.
        limit: u64,
    },
    /// `meta.json` cannot be used.
    #[error(transparent)]
    Meta(#[from] MetaErrors),
    /// The entries decompress to more than [`PackageLimits::max_uncompressed_bytes`].
    #[error("{entry}: the package decompresses to more than the limit of {limit} bytes")]
    TooLarge {
        /// The entry being read when the limit was passed.
        entry: String,
        /// The limit.
        limit: u64,
    },
    /// The jar named by `jobContent.main.class.jar` is not in the package.
    #[error("{name}: named by meta.json jobContent.main.class.jar but not in the package")]
    MissingJar {
        /// The name given.
        name: String,
    },
    /// The SQL file named by `jobContent.file` is not in the package.
    #[error("{name}: named by meta.json jobContent.file but not in the package")]
    MissingSql {
        /// The name given.
        name: String,
    },
    /// The SQL file is not UTF-8 text.
    #[error("{name}: SQL is not UTF-8 text (invalid byte at offset {offset})")]
    SqlNotUtf8 {
        /// The file's name.
        name: String,
        /// Offset of the first invalid byte.
        offset: usize,
    },
}

fn found_hint(found_at: Option<&str>) -> String {
    found_at.map_or_else(String::new, |path| {
        format!(" (found {path}: zip the files themselves, not their folder)")
    })
}

/// An entry of the zip, checked.
struct Entry {
    index: usize,
    path: String,
    is_dir: bool,
}

/// Why reading an entry stopped.
enum ReadFail {
    /// Past the package's total.
    Total,
    /// Past the entry's own cap.
    Cap,
    /// The zip reader failed.
    Io(String),
}

/// Reads and checks an uploaded package (see the module documentation for what is refused).
///
/// `meta.json` must be at the root, mapped without error by
/// [`parse_meta_value`]; for `flink.jar` the jar named by
/// `jobContent.main.class.jar` must be an entry of the package (same path), for `flink.sql`
/// with `type: file` the file named by `jobContent.file` must be one and hold UTF-8 text.
/// Files named by `jobContent.dependency.jars` or `jobContent.resources` but absent are only
/// warned about: Streamis looks them up among the project's shared files too.
pub fn read_package(bytes: &[u8], limits: &PackageLimits) -> Result<Package, PackageError> {
    if bytes.is_empty() {
        return Err(PackageError::Empty);
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| PackageError::NotZip {
        reason: e.to_string(),
    })?;
    let count = archive.len();
    if count > limits.max_entries {
        return Err(PackageError::TooManyEntries {
            count,
            limit: limits.max_entries,
        });
    }
    let entries = list_entries(&mut archive)?;

    let Some(meta_entry) = entries.iter().find(|e| !e.is_dir && e.path == META_FILE) else {
        let found_at = entries
            .iter()
            .find(|e| !e.is_dir && e.path.ends_with("/meta.json"))
            .map(|e| e.path.clone());
        return Err(PackageError::MissingMeta { found_at });
    };
    let mut budget = limits.max_uncompressed_bytes;
    let (meta_size, meta_bytes) = read_entry(
        &mut archive,
        meta_entry.index,
        true,
        Some(limits.max_meta_json_bytes),
        &mut budget,
    )
    .map_err(|fail| match fail {
        ReadFail::Cap => PackageError::MetaTooLarge {
            limit: limits.max_meta_json_bytes,
        },
        other => read_error(other, META_FILE, limits),
    })?;
    let meta_json = read_meta_json(&meta_bytes)?;
    let parsed = parse_meta_value(&meta_json)?;
    let spec = parsed.spec;
    let mut warnings = parsed.warnings;

    let has_file = |name: &str| entries.iter().any(|e| !e.is_dir && e.path == name);
    if let Some(jar) = spec.jar.as_ref().filter(|jar| !has_file(jar)) {
        return Err(PackageError::MissingJar { name: jar.clone() });
    }
    let sql_file = match &spec.sql {
        Some(SqlSource::File { file }) => {
            if !has_file(file) {
                return Err(PackageError::MissingSql { name: file.clone() });
            }
            Some(file.clone())
        }
        _ => None,
    };
    for (field, names) in [
        ("jobContent.dependency.jars", &spec.dependency_jars),
        ("jobContent.resources", &spec.resources),
    ] {
        for name in names.iter().filter(|n| !has_file(n)) {
            warnings.push(Warning {
                file: name.clone(),
                path: String::new(),
                message: format!(
                    "named by meta.json {field} but not in the package (Streamis would look among the project's shared files)"
                ),
            });
        }
    }

    let mut files = Vec::new();
    let mut jar = None;
    let mut sql_bytes = None;
    for entry in entries.iter().filter(|e| !e.is_dir) {
        if entry.index == meta_entry.index {
            files.push(PackageFile {
                path: entry.path.clone(),
                size: meta_size,
            });
            continue;
        }
        let is_jar = spec.jar.as_deref() == Some(entry.path.as_str());
        let is_sql = sql_file.as_deref() == Some(entry.path.as_str());
        let (size, content) = read_entry(
            &mut archive,
            entry.index,
            is_jar || is_sql,
            None,
            &mut budget,
        )
        .map_err(|fail| read_error(fail, &entry.path, limits))?;
        files.push(PackageFile {
            path: entry.path.clone(),
            size,
        });
        if is_jar {
            jar = Some(content);
        } else if is_sql {
            sql_bytes = Some(content);
        }
    }

    let sql = match (&spec.sql, sql_bytes) {
        (Some(SqlSource::Inline { sql }), _) => Some(sql.clone()),
        (Some(SqlSource::File { file }), Some(mut content)) => {
            if content.starts_with(b"\xEF\xBB\xBF") {
                content.drain(..3);
            }
            Some(
                String::from_utf8(content).map_err(|e| PackageError::SqlNotUtf8 {
                    name: file.clone(),
                    offset: e.utf8_error().valid_up_to(),
                })?,
            )
        }
        _ => None,
    };
    warnings.sort();
    Ok(Package {
        spec,
        warnings,
        files,
        jar,
        sql,
        meta_json,
    })
}

fn read_error(fail: ReadFail, entry: &str, limits: &PackageLimits) -> PackageError {
    match fail {
        ReadFail::Total | ReadFail::Cap => PackageError::TooLarge {
            entry: entry.to_owned(),
            limit: limits.max_uncompressed_bytes,
        },
        ReadFail::Io(reason) => PackageError::Unreadable {
            entry: entry.to_owned(),
            reason,
        },
    }
}

/// Unix file-type bits of a symbolic link.
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

/// Whether an entry name is absolute (`/x`, `\\x`, `C:x`) or has a `..` component.
fn climbs_or_is_absolute(name: &str) -> bool {
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    name.starts_with(['/', '\\'])
        || drive
        || name.contains('\0')
        || name.split(['/', '\\']).any(|part| part == "..")
}

/// Every entry's checked path, without reading any content.
fn list_entries(archive: &mut ZipArchive<Cursor<&[u8]>>) -> Result<Vec<Entry>, PackageError> {
    let mut entries = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let file = archive
            .by_index_raw(index)
            .map_err(|e| PackageError::Unreadable {
                entry: format!("entry #{}", index + 1),
                reason: e.to_string(),
            })?;
        let written = String::from_utf8_lossy(file.name_raw()).into_owned();
        if file.is_symlink() || file.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK) {
            return Err(PackageError::Symlink { entry: written });
        }
        let unsafe_path = || PackageError::UnsafePath {
            entry: written.clone(),
        };
        // `enclosed_name` refuses names that climb out, but makes `/etc/x` relative and
        // resolves `a/../b`: both are refused here first, on the name as written.
        if climbs_or_is_absolute(&written) {
            return Err(unsafe_path());
        }
        let enclosed = file.enclosed_name().ok_or_else(unsafe_path)?;
        let mut parts = Vec::new();
        for component in enclosed.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_str().ok_or_else(unsafe_path)?),
                Component::CurDir => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                    return Err(unsafe_path());
                }
            }
        }
        let is_dir = file.is_dir();
        if parts.is_empty() {
            if is_dir {
                continue; // `./`
            }
            return Err(unsafe_path());
        }
        entries.push(Entry {
            index,
            path: parts.join("/"),
            is_dir,
        });
    }
    Ok(entries)
}

/// Decompresses entry `index`, counting bytes against `budget` (the package's remaining
/// allowance) and `cap` (the entry's own), and keeping them when `keep`.
fn read_entry(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    keep: bool,
    cap: Option<u64>,
    budget: &mut u64,
) -> Result<(u64, Vec<u8>), ReadFail> {
    let mut file = archive
        .by_index(index)
        .map_err(|e| ReadFail::Io(e.to_string()))?;
    // The sizes in the headers are not looked at: only the bytes that come out count.
    let mut chunk = vec![0u8; 64 * 1024];
    let mut kept = Vec::new();
    let mut total: u64 = 0;
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadFail::Io(e.to_string())),
        };
        total = total.saturating_add(n as u64);
        if cap.is_some_and(|c| total > c) {
            return Err(ReadFail::Cap);
        }
        if total > *budget {
            return Err(ReadFail::Total);
        }
        if keep {
            kept.extend_from_slice(&chunk[..n]);
        }
    }
    *budget -= total;
    Ok((total, kept))
}

#[cfg(test)]
mod tests;
