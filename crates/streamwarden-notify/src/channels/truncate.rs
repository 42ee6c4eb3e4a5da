//! Shortening text to a platform's size limit, always on a character boundary (sizes are bytes
//! of UTF-8, as the platforms count them).

use serde_json::Value;

/// The longest prefix of `s` of at most `max_bytes` bytes that ends on a character boundary.
pub(crate) fn prefix(s: &str, max_bytes: usize) -> &str {
    let mut end = max_bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `text` followed by `suffix`, in at most `limit_bytes` bytes: when too long, `text` is cut
/// and `marker` put between what is kept and `suffix` (which is always kept whole).
pub(crate) fn fit(text: &str, suffix: &str, marker: &str, limit_bytes: usize) -> String {
    if text.len() + suffix.len() <= limit_bytes {
        return format!("{text}{suffix}");
    }
    let room = limit_bytes.saturating_sub(suffix.len() + marker.len());
    format!("{}{marker}{suffix}", prefix(text, room))
}

/// The JSON request `build` makes of `body`, at most `max_bytes` bytes once serialized: the
/// whole `body` when that fits, otherwise the longest prefix of `body` followed by `marker`
/// that fits (found by bisection: JSON escaping makes the size on the wire depend on which
/// characters are kept). When not even `marker` alone fits (a huge title), that request is
/// returned anyway, for the platform to answer.
pub(crate) fn fit_json(
    body: &str,
    marker: &str,
    max_bytes: usize,
    build: impl Fn(&str) -> Value,
) -> Value {
    let full = build(body);
    if full.to_string().len() <= max_bytes {
        return full;
    }
    let cut = |keep: usize| build(&format!("{}{marker}", prefix(body, keep)));
    let (mut low, mut high) = (0, body.len());
    let mut best = None;
    while low <= high {
        let mid = low + (high - low) / 2;
        let value = cut(mid);
        if value.to_string().len() <= max_bytes {
            best = Some(value);
            low = mid + 1;
        } else if mid == 0 {
            break;
        } else {
            high = mid - 1;
        }
    }
    best.unwrap_or_else(|| cut(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefixes_end_on_a_character_boundary() {
        assert_eq!(prefix("héllo", 2), "h");
        assert_eq!(prefix("héllo", 3), "hé");
        assert_eq!(prefix("abc", 10), "abc");
    }

    #[test]
    fn fit_keeps_the_suffix_and_marks_the_cut() {
        assert_eq!(fit("abc", "!", "~", 4), "abc!");
        assert_eq!(fit("abcdef", "!", "~", 5), "abc~!");
        assert_eq!(fit("abcdef", "!!!!!!", "~", 3), "~!!!!!!");
    }

    #[test]
    fn fit_json_keeps_the_longest_prefix_that_fits() {
        let build = |text: &str| json!({ "text": text });
        assert_eq!(fit_json("short", "~", 100, build), json!({"text": "short"}));
        let cut = fit_json(&"\"é".repeat(100), "~", 60, build);
        assert!(cut.to_string().len() <= 60, "{cut}");
        assert!(cut.to_string().len() > 55, "{cut}");
        assert!(cut["text"].as_str().unwrap().ends_with('~'));
        assert_eq!(fit_json("abc", "~", 1, build), json!({"text": "~"}));
    }
}
