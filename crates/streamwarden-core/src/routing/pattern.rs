//! Job name patterns: exact, glob or regex.

use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A job name pattern, written as a string: `re:<regex>` is a regular expression (anchor it
/// yourself), a string with `*` or `?` is a glob over the whole name, anything else is exact.
#[derive(Clone)]
pub struct JobPattern {
    source: String,
    regex: Option<Regex>,
}

impl JobPattern {
    /// Parses a pattern; errors name what is wrong with a regex.
    pub fn parse(source: &str) -> Result<JobPattern, String> {
        let regex = if let Some(re) = source.strip_prefix("re:") {
            Some(Regex::new(re).map_err(|e| format!("invalid regex {re:?}: {e}"))?)
        } else if source.contains(['*', '?']) {
            let mut re = String::from("^");
            for c in source.chars() {
                match c {
                    '*' => re.push_str(".*"),
                    '?' => re.push('.'),
                    c => re.push_str(&regex::escape(&c.to_string())),
                }
            }
            re.push('$');
            Some(Regex::new(&re).map_err(|e| format!("invalid glob {source:?}: {e}"))?)
        } else {
            None
        };
        if source.is_empty() {
            return Err("empty job pattern".into());
        }
        Ok(JobPattern {
            source: source.into(),
            regex,
        })
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        match &self.regex {
            Some(re) => re.is_match(name),
            None => self.source == name,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl PartialEq for JobPattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl fmt::Debug for JobPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.source)
    }
}

impl Serialize for JobPattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

/// Described as the string it is written as.
impl utoipa::PartialSchema for JobPattern {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .description(Some(
                "A job name pattern: `re:<regex>` is a regular expression, a string with `*` or \
                 `?` a glob over the whole name, anything else the exact name.",
            ))
            .examples(["orders-*"])
            .into()
    }
}

impl utoipa::ToSchema for JobPattern {}

impl<'de> Deserialize<'de> for JobPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        JobPattern::parse(&source).map_err(serde::de::Error::custom)
    }
}
