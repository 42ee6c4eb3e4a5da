//! Application versions, numbered the way Streamis numbers them: `v00001`, `v00002`, … (`"v"`
//! followed by the number zero-padded to at least five digits, so `v99999` is followed by
//! `v100000`). Every upload of a package appends a version; the first one is `v00001`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// One version of an application: a number from 1 up, written `v00001`.
///
/// Ordered by number, so `v00002 > v00001` and `v100000 > v99999`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(u32);

/// Why a version string or number is not a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// Not of the form `v` + at least five digits, without extra leading zeros.
    #[error("version {given:?}: expected v followed by a zero-padded number, like v00001")]
    Malformed {
        /// The string given.
        given: String,
    },
    /// `v00000`: versions start at 1.
    #[error("version {given:?}: versions start at v00001")]
    Zero {
        /// The string given.
        given: String,
    },
    /// The number does not fit (more than 4,294,967,295 versions).
    #[error("version {given:?}: number too large")]
    TooLarge {
        /// The string given.
        given: String,
    },
    /// [`next_version`] after the largest representable version.
    #[error("no version after v{}", u32::MAX)]
    Exhausted,
}

impl Version {
    /// The first version of every application, `v00001`.
    pub const FIRST: Version = Version(1);

    /// The version numbered `number` (1 for `v00001`); `None` for 0.
    pub fn new(number: u32) -> Option<Version> {
        (number > 0).then_some(Version(number))
    }

    /// The number of this version (1 for `v00001`).
    pub fn number(self) -> u32 {
        self.0
    }

    /// The version after this one.
    pub fn next(self) -> Result<Version, VersionError> {
        self.0
            .checked_add(1)
            .map(Version)
            .ok_or(VersionError::Exhausted)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{:05}", self.0)
    }
}

impl FromStr for Version {
    type Err = VersionError;

    /// Parses the canonical form only: `v00001`, `v12345`, `v100000`. `V00001`, `v1`,
    /// `v000001` (an extra leading zero), `v00000` and signs or spaces are refused, so that
    /// parsing and [`Display`](fmt::Display) round-trip exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || VersionError::Malformed {
            given: s.to_owned(),
        };
        let digits = s.strip_prefix('v').ok_or_else(malformed)?;
        if digits.len() < 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        // Padding is to five digits: a longer number has no leading zero.
        if digits.len() > 5 && digits.starts_with('0') {
            return Err(malformed());
        }
        let number: u32 = digits.parse().map_err(|_| VersionError::TooLarge {
            given: s.to_owned(),
        })?;
        Version::new(number).ok_or_else(|| VersionError::Zero {
            given: s.to_owned(),
        })
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Described as the string it is written as (`v00001`).
impl utoipa::PartialSchema for Version {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^v([0-9]{5}|[1-9][0-9]{5,})$"))
            .description(Some(
                "An application version: `v` and a zero-padded number.",
            ))
            .examples(["v00001"])
            .into()
    }
}

impl utoipa::ToSchema for Version {}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The version a new upload gets: one more than the largest of `existing`, or `v00001` when
/// there is none.
///
/// Streamis rolls from the newest version row; taking the largest is the same as long as
/// versions only grow, and stays right if `existing` is unordered or has gaps.
pub fn next_version(existing: &[Version]) -> Result<Version, VersionError> {
    match existing.iter().max() {
        Some(latest) => latest.next(),
        None => Ok(Version::FIRST),
    }
}

/// How many versions are newer than the one running (Streamis' `versionForwards`, shown as
/// `+N` next to the version): the number of distinct versions in `versions` greater than
/// `running`.
///
/// `running` is `None` when no version of the application runs: the result is then 0.
/// Streamis computes the count against the job's current version, which an upload moves to the
/// new version whenever nothing runs, so there too only a running job can have versions
/// ahead of it (seed 004 §1). A running version missing from `versions` still counts the
/// versions above it.
pub fn version_forwards(versions: &[Version], running: Option<Version>) -> usize {
    let Some(running) = running else {
        return 0;
    };
    let mut newer: Vec<Version> = versions.iter().copied().filter(|v| *v > running).collect();
    newer.sort_unstable();
    newer.dedup();
    newer.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: u32) -> Version {
        Version::new(n).expect("non-zero")
    }

    #[test]
    fn formats_zero_padded_to_five_digits() {
        assert_eq!(v(1).to_string(), "v00001");
        assert_eq!(v(42).to_string(), "v00042");
        assert_eq!(v(99_999).to_string(), "v99999");
        assert_eq!(v(100_000).to_string(), "v100000");
        assert_eq!(Version::FIRST.to_string(), "v00001");
    }

    #[test]
    fn parses_canonical_forms() {
        assert_eq!("v00001".parse::<Version>(), Ok(v(1)));
        assert_eq!("v00123".parse::<Version>(), Ok(v(123)));
        assert_eq!("v100000".parse::<Version>(), Ok(v(100_000)));
        assert_eq!("v4294967295".parse::<Version>(), Ok(v(u32::MAX)));
    }

    #[test]
    fn round_trips() {
        for n in [1, 9, 10, 99, 12_345, 99_999, 100_000, 1_234_567] {
            let text = v(n).to_string();
            assert_eq!(text.parse::<Version>(), Ok(v(n)), "{text}");
        }
    }

    #[test]
    fn refuses_malformed_versions() {
        for bad in [
            "", "v", "1", "00001", "V00001", "v1", "v0001", "v000001", "v0a001", "v 0001",
            "v+0001", " v00001", "v00001 ", "v-0001", "x00001",
        ] {
            assert_eq!(
                bad.parse::<Version>(),
                Err(VersionError::Malformed { given: bad.into() }),
                "{bad:?}"
            );
        }
        assert_eq!(
            "v00000".parse::<Version>(),
            Err(VersionError::Zero {
                given: "v00000".into()
            })
        );
        assert_eq!(
            "v4294967296".parse::<Version>(),
            Err(VersionError::TooLarge {
                given: "v4294967296".into()
            })
        );
    }

    #[test]
    fn zero_is_not_a_version() {
        assert_eq!(Version::new(0), None);
        assert_eq!(Version::new(7).map(Version::number), Some(7));
    }

    #[test]
    fn orders_by_number_not_text() {
        assert!(v(100_000) > v(99_999));
        assert!(v(2) > v(1));
        let mut list = vec![v(10), v(100_000), v(2)];
        list.sort();
        assert_eq!(list, vec![v(2), v(10), v(100_000)]);
    }

    #[test]
    fn next_version_starts_at_one_and_follows_the_largest() {
        assert_eq!(next_version(&[]), Ok(v(1)));
        assert_eq!(next_version(&[v(1)]), Ok(v(2)));
        assert_eq!(next_version(&[v(3), v(1), v(2)]), Ok(v(4)));
        assert_eq!(next_version(&[v(1), v(7)]), Ok(v(8)), "gaps are kept");
        assert_eq!(
            next_version(&[v(99_999)]).map(|n| n.to_string()),
            Ok("v100000".into())
        );
        assert_eq!(next_version(&[v(u32::MAX)]), Err(VersionError::Exhausted));
    }

    #[test]
    fn version_forwards_counts_newer_versions() {
        let all = [v(1), v(2), v(3), v(4)];
        assert_eq!(version_forwards(&all, Some(v(1))), 3);
        assert_eq!(version_forwards(&all, Some(v(3))), 1);
        assert_eq!(version_forwards(&all, Some(v(4))), 0);
        assert_eq!(
            version_forwards(&[v(4), v(2), v(3), v(1)], Some(v(2))),
            2,
            "any order"
        );
    }

    #[test]
    fn version_forwards_without_a_running_version_is_zero() {
        assert_eq!(version_forwards(&[v(1), v(2)], None), 0);
        assert_eq!(version_forwards(&[], None), 0);
    }

    #[test]
    fn version_forwards_edge_cases() {
        assert_eq!(version_forwards(&[], Some(v(1))), 0);
        assert_eq!(
            version_forwards(&[v(3), v(3), v(4)], Some(v(2))),
            2,
            "duplicates count once"
        );
        assert_eq!(
            version_forwards(&[v(1), v(5), v(6)], Some(v(3))),
            2,
            "running not listed"
        );
    }

    #[test]
    fn serializes_as_the_string_form() {
        assert_eq!(
            serde_json::to_string(&v(12)).ok(),
            Some("\"v00012\"".into())
        );
        assert_eq!(
            serde_json::from_str::<Version>("\"v00012\"").ok(),
            Some(v(12))
        );
        assert!(serde_json::from_str::<Version>("\"v12\"").is_err());
        assert!(serde_json::from_str::<Version>("12").is_err());
    }

    #[test]
    fn errors_name_the_given_text() {
        let err = "v1".parse::<Version>().expect_err("malformed");
        assert_eq!(
            err.to_string(),
            "version \"v1\": expected v followed by a zero-padded number, like v00001"
        );
    }
}
