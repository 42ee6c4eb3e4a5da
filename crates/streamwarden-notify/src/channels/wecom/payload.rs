//! What a `wecom` channel sends (pure): the markdown message and the mention message.
//!
//! Protocol of the group robot (<https://developer.work.weixin.qq.com/document/path/91770>):
//! `POST {webhook_url}` with `{"msgtype":"markdown","markdown":{"content"}}` — content at most
//! 4096 bytes of UTF-8, members mentioned with `<@userid>` — or
//! `{"msgtype":"text","text":{"content","mentioned_list","mentioned_mobile_list"}}` — content at
//! most 2048 bytes; only the text type mentions by mobile (`@all` for everyone). The answer is
//! `{"errcode":0,"errmsg":"ok"}` on success, with HTTP 200 for errors too.
//!
//! Limits and error codes (errcode, errmsg) as WeCom answers them:
//! - 20 messages a minute per robot: `45009 api freq out of limit`;
//! - markdown content over 4096 bytes: `40058 markdown.content exceed max length 4096. invalid
//!   Request Parameter` — [`markdown`] cuts the body to fit instead;
//! - an unknown `key`: `93000 invalid webhook url`.

use crate::channels::{Message, truncate};
use serde_json::{Value, json};

/// Longest markdown content WeCom accepts (bytes of UTF-8).
pub const MAX_MARKDOWN_BYTES: usize = 4096;

/// Longest text content WeCom accepts (bytes of UTF-8).
pub const MAX_TEXT_BYTES: usize = 2048;

/// Appended where content was shortened to fit.
pub const TRUNCATION_MARKER: &str = "\n… (truncated)";

/// `text` followed by `suffix`, in at most `limit` bytes: when too long, `text` is cut at a
/// character boundary and [`TRUNCATION_MARKER`] put before `suffix`.
fn fit(text: &str, suffix: &str, limit: usize) -> String {
    truncate::fit(text, suffix, TRUNCATION_MARKER, limit)
}

/// The markdown content: `body`, then a final line with `<@userid>` for each of `userids`;
/// at most [`MAX_MARKDOWN_BYTES`] bytes (the body is shortened, the mentions kept).
pub fn markdown_content(body: &str, userids: &[String]) -> String {
    let mut mentions: Vec<String> = Vec::new();
    for id in userids {
        let token = format!("<@{id}>");
        if !mentions.contains(&token) {
            mentions.push(token);
        }
    }
    let suffix = if mentions.is_empty() {
        String::new()
    } else {
        format!("\n{}", mentions.join(" "))
    };
    fit(body.trim_end(), &suffix, MAX_MARKDOWN_BYTES)
}

/// The markdown message of `message` ([`markdown_content`] of its body).
pub fn markdown(message: &Message, userids: &[String]) -> Value {
    json!({
        "msgtype": "markdown",
        "markdown": { "content": markdown_content(&message.body, userids) },
    })
}

/// The text message that mentions `mobiles` (markdown cannot): the alert's title, at most
/// [`MAX_TEXT_BYTES`] bytes, with `mentioned_mobile_list`. `None` when there is no mobile.
pub fn mention_text(message: &Message, mobiles: &[String]) -> Option<Value> {
    if mobiles.is_empty() {
        return None;
    }
    let mut list: Vec<&String> = Vec::new();
    for mobile in mobiles {
        if !list.contains(&mobile) {
            list.push(mobile);
        }
    }
    let title = message.title.trim();
    let title = if title.is_empty() {
        "StreamWarden alert"
    } else {
        title
    };
    Some(json!({
        "msgtype": "text",
        "text": {
            "content": fit(title, "", MAX_TEXT_BYTES),
            "mentioned_mobile_list": list,
        },
    }))
}

/// What to do about a WeCom error code, when known.
pub fn hint(errcode: i64) -> Option<&'static str> {
    match errcode {
        45009 => Some("rate limited: a robot may send 20 messages a minute"),
        93000 => Some("check the key of `webhook_url` (was the robot removed?)"),
        40058 => Some("content too long (markdown 4096 bytes, text 2048 bytes)"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamwarden_core::Severity;

    fn message(body: &str) -> Message {
        Message {
            title: "Job orders FAILED".into(),
            body: body.into(),
            text: body.into(),
            severity: Severity::Major,
            recipients: Default::default(),
        }
    }

    #[test]
    fn markdown_mentions_user_ids_on_a_final_line() {
        let ids = vec![
            "zhangsan".to_string(),
            "lisi".to_string(),
            "zhangsan".to_string(),
        ];
        assert_eq!(
            markdown(&message("## FAILED\n> orders\n"), &ids),
            json!({
                "msgtype": "markdown",
                "markdown": { "content": "## FAILED\n> orders\n<@zhangsan> <@lisi>" }
            })
        );
        assert_eq!(markdown_content("plain", &[]), "plain");
    }

    #[test]
    fn long_content_is_cut_at_a_char_boundary_to_4096_bytes() {
        // 3-byte and 4-byte characters, so a byte cut would split one.
        let body = "告警🚨".repeat(1000);
        let ids = vec!["zhangsan".to_string()];
        let content = markdown_content(&body, &ids);
        assert!(content.len() <= MAX_MARKDOWN_BYTES);
        assert!(content.len() > MAX_MARKDOWN_BYTES - 8);
        assert!(content.ends_with(&format!("{TRUNCATION_MARKER}\n<@zhangsan>")));
        assert!(content.starts_with("告警🚨告警"));
    }

    #[test]
    fn content_of_exactly_the_limit_is_kept_whole() {
        let body = "x".repeat(MAX_MARKDOWN_BYTES);
        assert_eq!(markdown_content(&body, &[]), body);
        let body = "x".repeat(MAX_MARKDOWN_BYTES + 1);
        assert!(markdown_content(&body, &[]).ends_with(TRUNCATION_MARKER));
    }

    #[test]
    fn mobiles_are_mentioned_by_a_text_message_with_the_title() {
        assert_eq!(mention_text(&message("b"), &[]), None);
        let mobiles = vec!["13800001111".to_string(), "@all".to_string()];
        assert_eq!(
            mention_text(&message("b"), &mobiles),
            Some(json!({
                "msgtype": "text",
                "text": {
                    "content": "Job orders FAILED",
                    "mentioned_mobile_list": ["13800001111", "@all"]
                }
            }))
        );
    }

    #[test]
    fn hints_cover_the_documented_codes() {
        assert!(hint(45009).unwrap().contains("20 messages"));
        assert!(hint(93000).unwrap().contains("key"));
        assert_eq!(hint(1), None);
    }
}
