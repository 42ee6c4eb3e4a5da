//! Helpers for the Java stack traces Flink sends as text (exception history, savepoint
//! failures, REST error bodies).

/// Prefix of the lines that start a cause in a Java stack trace: at column 0 for the main
/// chain, indented under `Suppressed:` blocks (which these helpers ignore).
pub(crate) const CAUSED_BY: &str = "Caused by: ";

/// Index (in `lines()`) of the innermost top-level `Caused by:` line, if any.
pub(crate) fn innermost_cause_index(trace: &str) -> Option<usize> {
    trace
        .lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with(CAUSED_BY))
        .map(|(index, _)| index)
        .last()
}

/// The innermost top-level cause as `class: message` (without `Caused by: `), if any.
pub(crate) fn innermost_cause(trace: &str) -> Option<&str> {
    innermost_cause_index(trace)
        .and_then(|index| trace.lines().nth(index))
        .and_then(|line| line.strip_prefix(CAUSED_BY))
        .map(str::trim)
        .filter(|line| !line.is_empty())
}

/// The first line of `text` that says something: not blank, not a stack frame (`at ...`,
/// `... 5 more`) and not Flink's `<Exception on server side:` / `End of exception on server
/// side>` framing.
pub(crate) fn headline(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|line| {
        !line.is_empty()
            && !line.starts_with("at ")
            && !line.starts_with("...")
            && *line != "<Exception on server side:"
            && *line != "End of exception on server side>"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "a.Outer: top\n\tat x.Y.z(Y.java:1)\n\tSuppressed: s.S: no\n\t\tCaused by: s.T: no\nCaused by: b.Mid: middle\n\t... 3 more\nCaused by: c.Inner: the reason\n\tat q.R.s(R.java:2)";

    #[test]
    fn innermost_cause_skips_suppressed_blocks() {
        assert_eq!(innermost_cause_index(TRACE), Some(6));
        assert_eq!(innermost_cause(TRACE), Some("c.Inner: the reason"));
        assert_eq!(innermost_cause("a.B: only\n\tat c.D(D.java:1)"), None);
        assert_eq!(innermost_cause("Caused by: "), None);
    }

    #[test]
    fn headline_skips_frames_and_server_side_framing() {
        assert_eq!(headline(TRACE), Some("a.Outer: top"));
        assert_eq!(
            headline(
                "<Exception on server side:\njava.io.IOException: gone\n\tat a.B(B.java:1)\nEnd of exception on server side>"
            ),
            Some("java.io.IOException: gone")
        );
        assert_eq!(headline("\n\tat a.B(B.java:1)\n"), None);
    }
}
