//! Escaping values for their target markup, and the filters templates get.

use minijinja::value::Value;
use minijinja::{AutoEscape, Error, Output, State};

/// Writes a value escaped for the template's markup; markdown gets [`markdown`], the rest
/// minijinja's own escaping (HTML, JSON literals, none).
pub(super) fn formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "markdown")
        && !value.is_safe()
    {
        let text = if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
        return out.write_str(&markdown(&text)).map_err(Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

/// Makes text safe inside markdown: punctuation that would start emphasis, code, links,
/// headings or tables is backslash-escaped, angle brackets become entities, and line breaks
/// become spaces so a value cannot start a new block.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `{{ exception.stacktrace | fenced }}`: the text in a fenced code block, its own fences
/// neutralised, marked safe.
pub(super) fn fenced(value: String) -> Value {
    let body = value.replace("```", "'''");
    Value::from_safe_string(format!("```\n{}\n```", body.trim_end()))
}

/// `{{ job.url | url }}`: a URL for a markdown link target: spaces, parentheses and angle
/// brackets percent-encoded so it cannot end the link, marked safe.
pub(super) fn url(value: String) -> Value {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\n' | '\r' => {}
            _ => out.push(c),
        }
    }
    Value::from_safe_string(out)
}

/// `{{ job.duration_ms | duration }}`: milliseconds as `1h 2m 3s` (`0s` for none).
pub(super) fn duration(ms: Option<i64>) -> String {
    let total = ms.unwrap_or(0).max(0) / 1000;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_metacharacters_and_line_breaks_are_neutralised() {
        assert_eq!(
            markdown("a*b_c`d[e](f)#g|h\ni<j>"),
            "a\\*b\\_c\\`d\\[e\\](f)\\#g\\|h i&lt;j&gt;"
        );
        assert_eq!(markdown("作业 orders-1.2"), "作业 orders-1.2");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Some(3_723_000)), "1h 2m 3s");
        assert_eq!(duration(Some(61_000)), "1m 1s");
        assert_eq!(duration(Some(999)), "0s");
        assert_eq!(duration(None), "0s");
    }

    #[test]
    fn fenced_blocks_cannot_be_closed_by_their_content() {
        let v = fenced("line\n```\nrm -rf".into());
        assert_eq!(v.to_string(), "```\nline\n'''\nrm -rf\n```");
        assert!(v.is_safe());
    }
}
