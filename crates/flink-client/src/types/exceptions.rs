//! `GET /jobs/:jobid/exceptions`: the job's exception history and its newest root cause.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::de;
use crate::trace;

/// Body of `GET /jobs/:jobid/exceptions?maxExceptions=N`.
///
/// Flink 2.x only fills `exceptionHistory`; Flink 1.x also sends the legacy `root-exception`,
/// `timestamp` and `all-exceptions` fields, kept here as optional. Use
/// [`JobExceptions::root_cause`] for "why did it fail".
///
/// See "/jobs/:jobid/exceptions" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobExceptions {
    /// Failures that caused restarts or the job's failure, newest first (`exceptionHistory`).
    #[serde(
        rename = "exceptionHistory",
        default,
        deserialize_with = "de::null_default"
    )]
    pub exception_history: ExceptionHistory,
    /// Legacy (Flink 1.x): stack trace of the current root exception (`root-exception`).
    #[serde(rename = "root-exception", default)]
    pub root_exception: Option<String>,
    /// Legacy (Flink 1.x): when the root exception happened, epoch ms (`timestamp`).
    #[serde(rename = "timestamp", default, deserialize_with = "de::opt_epoch_ms")]
    pub timestamp_ms: Option<i64>,
    /// Legacy (Flink 1.x): task failures of the current execution (`all-exceptions`).
    #[serde(
        rename = "all-exceptions",
        default,
        deserialize_with = "de::null_default"
    )]
    pub all_exceptions: Vec<LegacyException>,
    /// Legacy (Flink 1.x): whether `all-exceptions` was cut (`truncated`).
    #[serde(default)]
    pub truncated: Option<bool>,
}

/// The `exceptionHistory` object of [`JobExceptions`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionHistory {
    /// Root failures, newest first, at most `maxExceptions` of them (`entries`).
    #[serde(default, deserialize_with = "de::null_default")]
    pub entries: Vec<ExceptionEntry>,
    /// Whether older entries were left out (`truncated`).
    #[serde(default)]
    pub truncated: bool,
}

/// One failure in the exception history (Flink's `RootExceptionInfo` / `ExceptionInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionEntry {
    /// Fully qualified exception class, e.g. `java.lang.RuntimeException` (`exceptionName`).
    #[serde(rename = "exceptionName", default)]
    pub exception_name: String,
    /// Full stack trace; its first line is `class: message` (`stacktrace`).
    #[serde(default)]
    pub stacktrace: String,
    /// When the failure happened, epoch ms (`timestamp`).
    #[serde(rename = "timestamp", default, deserialize_with = "de::opt_epoch_ms")]
    pub timestamp_ms: Option<i64>,
    /// Failing task with subtask index, e.g. `Map (1/2)#0` (`taskName`); absent for global
    /// failures.
    #[serde(rename = "taskName", default)]
    pub task_name: Option<String>,
    /// Task manager address `host:port` of the failing task (`endpoint`, Flink 1.17+).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Older name of `endpoint` (`location`, Flink < 2.0).
    #[serde(default)]
    pub location: Option<String>,
    /// Id of the task manager the failing task ran on (`taskManagerId`).
    #[serde(rename = "taskManagerId", default)]
    pub task_manager_id: Option<String>,
    /// Labels attached by failure enrichers (`failureLabels`, Flink 1.18+).
    #[serde(
        rename = "failureLabels",
        default,
        deserialize_with = "de::null_default"
    )]
    pub failure_labels: BTreeMap<String, String>,
    /// Other failures of the same incident (`concurrentExceptions`; always empty on
    /// concurrent entries themselves).
    #[serde(
        rename = "concurrentExceptions",
        default,
        deserialize_with = "de::null_default"
    )]
    pub concurrent_exceptions: Vec<ExceptionEntry>,
}

/// One element of the legacy (Flink 1.x) `all-exceptions` list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyException {
    /// Stack trace (`exception`).
    #[serde(default)]
    pub exception: String,
    /// Task name (`task`).
    #[serde(default)]
    pub task: Option<String>,
    /// Task manager location (`location`, later `endpoint`).
    #[serde(default, alias = "endpoint")]
    pub location: Option<String>,
    /// When it happened, epoch ms (`timestamp`).
    #[serde(rename = "timestamp", default, deserialize_with = "de::opt_epoch_ms")]
    pub timestamp_ms: Option<i64>,
}

/// The newest failure of a job, condensed for alerts (see [`JobExceptions::root_cause`]).
///
/// `name` and `message` describe the *innermost* cause: Flink often wraps the failure that
/// matters, e.g. a job that exhausted its restarts reports `org.apache.flink.runtime.JobException:
/// Recovery is suppressed by ...` with the user's exception as `Caused by:`. When the stack
/// trace has no top-level `Caused by:` line, they come from `exceptionName` and the stack
/// trace's first line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootCause {
    /// Exception class, e.g. `java.lang.IllegalStateException`.
    pub name: String,
    /// The exception's message (the rest of its `class: message` line), possibly empty.
    pub message: String,
    /// The full stack trace, wrappers included.
    pub stacktrace: String,
    /// Failing task, e.g. `Map (1/2) - execution #0`, when Flink names one (for a wrapped
    /// global failure, the task of its first concurrent exception).
    pub task: Option<String>,
    /// When it happened, epoch ms.
    pub timestamp_ms: Option<i64>,
}

/// Splits a `class: message` line; a line without `": "` is all class.
fn split_exception_line(line: &str) -> (String, String) {
    match line.split_once(": ") {
        Some((name, message)) => (name.trim().to_owned(), message.trim().to_owned()),
        None => (line.trim().to_owned(), String::new()),
    }
}

impl RootCause {
    /// Builds a root cause from an exception class (may be empty) and a stack trace: the
    /// innermost `Caused by:` line when there is one, else `exception_name` and the rest of
    /// the first line after `class: ` (split at the first `": "` without a class).
    fn from_parts(
        exception_name: &str,
        stacktrace: &str,
        task: Option<String>,
        timestamp_ms: Option<i64>,
    ) -> Self {
        let first = stacktrace.lines().next().unwrap_or_default().trim();
        let caused_by = trace::innermost_cause(stacktrace);
        let name = exception_name.trim();
        let (name, message) = if let Some(cause) = caused_by {
            split_exception_line(cause)
        } else if name.is_empty() {
            split_exception_line(first)
        } else {
            let message = match first
                .strip_prefix(name)
                .map(|rest| (rest, rest.strip_prefix(':')))
            {
                Some(("", _)) => String::new(),
                Some((_, Some(after_colon))) => after_colon.trim().to_owned(),
                _ => first.to_owned(),
            };
            (name.to_owned(), message)
        };
        Self {
            name,
            message,
            stacktrace: stacktrace.to_owned(),
            task,
            timestamp_ms,
        }
    }

    /// Up to `n` lines of the root cause's own part of the stack trace, joined with `\n`: its
    /// `class: message` line (without `Caused by: `) and its top frames. Falls back to
    /// `name: message` when there is no stack trace.
    pub fn first_lines(&self, n: usize) -> String {
        if self.stacktrace.trim().is_empty() {
            return if self.message.is_empty() {
                self.name.clone()
            } else {
                format!("{}: {}", self.name, self.message)
            };
        }
        let skip = trace::innermost_cause_index(&self.stacktrace).unwrap_or(0);
        self.stacktrace
            .lines()
            .skip(skip)
            .take(n)
            .map(|line| line.strip_prefix(trace::CAUSED_BY).unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl JobExceptions {
    /// The newest failure: the exception-history entry with the latest timestamp (the first
    /// one on ties; Flink lists newest first), else the legacy `root-exception`; `None` when
    /// the job never failed. See [`RootCause`] for how wrapped failures are unwrapped.
    pub fn root_cause(&self) -> Option<RootCause> {
        let newest = self
            .exception_history
            .entries
            .iter()
            .enumerate()
            .max_by_key(|(index, entry)| (entry.timestamp_ms, std::cmp::Reverse(*index)))
            .map(|(_, entry)| entry);
        if let Some(entry) = newest {
            let task = entry.task_name.clone().or_else(|| {
                entry
                    .concurrent_exceptions
                    .iter()
                    .find_map(|concurrent| concurrent.task_name.clone())
            });
            return Some(RootCause::from_parts(
                &entry.exception_name,
                &entry.stacktrace,
                task,
                entry.timestamp_ms,
            ));
        }
        let legacy = self.root_exception.as_deref()?;
        if legacy.trim().is_empty() {
            return None;
        }
        Some(RootCause::from_parts("", legacy, None, self.timestamp_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, trace: &str, ts: i64) -> ExceptionEntry {
        ExceptionEntry {
            exception_name: name.into(),
            stacktrace: trace.into(),
            timestamp_ms: Some(ts),
            task_name: Some(format!("task-{ts}")),
            ..ExceptionEntry::default()
        }
    }

    #[test]
    fn root_cause_is_the_newest_entry() {
        let exceptions = JobExceptions {
            exception_history: ExceptionHistory {
                entries: vec![
                    entry("a.Old", "a.Old: old\n\tat x", 1),
                    entry("b.New", "b.New: boom: deep\n\tat y", 5),
                ],
                truncated: false,
            },
            ..JobExceptions::default()
        };
        let cause = exceptions.root_cause().expect("has a cause");
        assert_eq!(cause.name, "b.New");
        assert_eq!(cause.message, "boom: deep");
        assert_eq!(cause.task.as_deref(), Some("task-5"));
        assert_eq!(cause.timestamp_ms, Some(5));
        assert_eq!(cause.first_lines(1), "b.New: boom: deep");
        assert_eq!(cause.first_lines(5), "b.New: boom: deep\n\tat y");
    }

    #[test]
    fn root_cause_falls_back_to_legacy_root_exception() {
        let exceptions = JobExceptions {
            root_exception: Some("java.io.IOException: disk full\n\tat z".into()),
            timestamp_ms: Some(42),
            ..JobExceptions::default()
        };
        let cause = exceptions.root_cause().expect("legacy cause");
        assert_eq!(cause.name, "java.io.IOException");
        assert_eq!(cause.message, "disk full");
        assert_eq!(cause.timestamp_ms, Some(42));
        assert_eq!(cause.task, None);
    }

    #[test]
    fn wrapped_failures_are_unwrapped_to_the_innermost_cause() {
        let trace = "org.apache.flink.runtime.JobException: Recovery is suppressed\n\tat a.B.c(B.java:1)\n\tSuppressed: x.Hidden: no\n\t\tCaused by: x.Deeper: not this\nCaused by: java.lang.RuntimeException: wrapper\n\tat d.E.f(E.java:2)\nCaused by: java.io.IOException: disk full\n\tat g.H.i(H.java:3)\n\t... 5 more";
        let mut root = entry("org.apache.flink.runtime.JobException", trace, 9);
        root.task_name = None;
        root.concurrent_exceptions = vec![entry(
            "java.io.IOException",
            "java.io.IOException: disk full",
            8,
        )];
        let exceptions = JobExceptions {
            exception_history: ExceptionHistory {
                entries: vec![root],
                truncated: false,
            },
            ..JobExceptions::default()
        };
        let cause = exceptions.root_cause().expect("cause");
        assert_eq!(cause.name, "java.io.IOException");
        assert_eq!(cause.message, "disk full");
        assert_eq!(
            cause.task.as_deref(),
            Some("task-8"),
            "task of the concurrent exception"
        );
        assert_eq!(cause.timestamp_ms, Some(9));
        assert_eq!(
            cause.first_lines(2),
            "java.io.IOException: disk full\n\tat g.H.i(H.java:3)"
        );
        assert!(
            cause
                .stacktrace
                .starts_with("org.apache.flink.runtime.JobException")
        );
    }

    #[test]
    fn no_failure_no_root_cause() {
        assert_eq!(JobExceptions::default().root_cause(), None);
        let blank = JobExceptions {
            root_exception: Some("  ".into()),
            ..JobExceptions::default()
        };
        assert_eq!(blank.root_cause(), None);
    }

    #[test]
    fn message_when_first_line_does_not_start_with_class() {
        let cause = RootCause::from_parts("x.Y", "something else entirely", None, None);
        assert_eq!(
            (cause.name.as_str(), cause.message.as_str()),
            ("x.Y", "something else entirely")
        );
        let longer_class = RootCause::from_parts("x.Y", "x.YZ: other", None, None);
        assert_eq!(longer_class.message, "x.YZ: other");
        let bare = RootCause::from_parts("x.Y", "x.Y", None, None);
        assert_eq!(bare.message, "");
        assert_eq!(bare.first_lines(3), "x.Y");
        let no_trace = RootCause::from_parts("x.Y", "", None, None);
        assert_eq!(no_trace.first_lines(3), "x.Y");
    }
}
