//! What the audit log keeps of a call's parameters: a redacted summary. Pure.
//!
//! Secrets never reach the log: a value under a key that names a credential (`password`,
//! `secret`, `token`, `key`, `authorization`, `credential`, `cookie`, and every value of a
//! `headers` map) becomes `"***"`; a URL keeps only its scheme and host, since chat robots
//! carry their credential in the query (DingTalk `access_token`, WeCom `key`) or in the path
//! (Lark/Feishu `hook/<token>`); long text is cut to [`MAX_TEXT_CHARS`] characters.

use serde_json::{Map, Value};

/// What a redacted secret reads as.
pub const REDACTED: &str = "***";

/// Longest text kept in a summary, in characters; longer text ends in `…`.
pub const MAX_TEXT_CHARS: usize = 200;

/// Whether a value under `key` is a credential (case-insensitive).
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "key",
        "authorization",
        "credential",
        "cookie",
    ]
    .iter()
    .any(|word| key.contains(word))
}

/// The summary of `value` safe to keep: secrets replaced by [`REDACTED`], URLs reduced to
/// `scheme://host/…`, long text cut.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let kept = if is_secret_key(key) && !v.is_null() {
                        Value::String(REDACTED.into())
                    } else if key.eq_ignore_ascii_case("headers") {
                        mask_all(v)
                    } else {
                        redact(v)
                    };
                    (key.clone(), kept)
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(text) => Value::String(redact_text(text)),
        other => other.clone(),
    }
}

/// Every value of a map replaced by [`REDACTED`] (names kept).
fn mask_all(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.keys()
                .map(|k| (k.clone(), Value::String(REDACTED.into())))
                .collect(),
        ),
        Value::Null => Value::Null,
        _ => Value::String(REDACTED.into()),
    }
}

fn redact_text(text: &str) -> String {
    static URL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let url = URL.get_or_init(|| {
        regex::Regex::new(r#"([A-Za-z][A-Za-z0-9+.-]*)://([^\s/?#()"'<>]*)([^\s()"'<>]*)"#)
            .unwrap_or_else(|e| unreachable!("the URL pattern is valid: {e}"))
    });
    let kept = url.replace_all(text, |c: &regex::Captures<'_>| {
        let authority = &c[2];
        let host = authority.rsplit('@').next().unwrap_or_default();
        let cut = if c[3].is_empty() && !authority.contains('@') {
            ""
        } else {
            "/…"
        };
        format!("{}://{host}{cut}", &c[1])
    });
    if kept.chars().count() > MAX_TEXT_CHARS {
        let cut: String = kept.chars().take(MAX_TEXT_CHARS).collect();
        return format!("{cut}…");
    }
    kept.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_are_replaced_wherever_they_are() {
        let submitted = json!({
            "name": "ops",
            "kind": "webhook",
            "password": "hunter2",
            "config": {
                "bearer_token": "t0k",
                "signing_secret": "s3",
                "api_key": "k",
                "smtp_password": null,
                "headers": {"X-Custom": "abc", "Accept": "json"},
                "to": ["a@example.com"],
                "retries": 3
            },
            "items": [{"Authorization": "Bearer x"}]
        });
        assert_eq!(
            redact(&submitted),
            json!({
                "name": "ops",
                "kind": "webhook",
                "password": "***",
                "config": {
                    "bearer_token": "***",
                    "signing_secret": "***",
                    "api_key": "***",
                    "smtp_password": null,
                    "headers": {"X-Custom": "***", "Accept": "***"},
                    "to": ["a@example.com"],
                    "retries": 3
                },
                "items": [{"Authorization": "***"}]
            })
        );
    }

    #[test]
    fn robot_urls_keep_only_scheme_and_host() {
        let cases = [
            (
                "https://oapi.dingtalk.com/robot/send?access_token=abc123",
                "https://oapi.dingtalk.com/…",
            ),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1",
                "https://qyapi.weixin.qq.com/…",
            ),
            (
                "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c-secret",
                "https://open.feishu.cn/…",
            ),
            ("http://user:pw@10.0.0.1:8080", "http://10.0.0.1:8080/…"),
            ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
            ("not a url", "not a url"),
            ("://odd", "://odd"),
            (
                "error sending request for url (https://oapi.dingtalk.com/robot/send?access_token=abc)",
                "error sending request for url (https://oapi.dingtalk.com/…)",
            ),
        ];
        for (url, kept) in cases {
            assert_eq!(redact(&json!(url)), json!(kept), "{url}");
        }
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "告警".repeat(150);
        let cut = redact(&json!(long));
        let text = cut.as_str().unwrap_or_default();
        assert_eq!(text.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(text.ends_with('…'));
        assert_eq!(redact(&json!("short")), json!("short"));
    }

    #[test]
    fn secret_keys_are_recognised_by_name() {
        for key in [
            "password",
            "Bearer_Token",
            "SIGNING_SECRET",
            "api_key",
            "Cookie",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["name", "url", "to", "template", "job"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
