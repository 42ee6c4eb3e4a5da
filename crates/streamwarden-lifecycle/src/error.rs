//! Errors of lifecycle operations, each with what went wrong for a person to read.

use streamwarden_apps::package::PackageError;
use streamwarden_store::StoreError;

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// Bad input: the field and why.
    #[error("{0}")]
    Invalid(String),
    /// A package that cannot be used: the file, the entry or path, and why.
    #[error("{0}")]
    Package(#[from] PackageError),
    /// No such application, version or run.
    #[error("not found: {0}")]
    NotFound(String),
    /// Not now: disabled, already running, not running.
    #[error("{0}")]
    Conflict(String),
    /// Flink refused or failed: what it said.
    #[error("{0}")]
    Flink(String),
    /// Flink did not reach the expected state in time.
    #[error("{0}")]
    Timeout(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A local file could not be written or read.
    #[error("{0}")]
    Io(String),
}
