//! What a `lark` channel sends (pure): the message card and the signature.
//!
//! Protocol of the custom bot (<https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot>):
//! `POST {webhook_url}` with `{"msg_type":"interactive","card":{…}}` plus, when signature
//! verification is on, `"timestamp"` (epoch **seconds**, as a string) and `"sign"` in the same
//! body. Success is `{"code":0,"msg":"success",…}` (older answers also carry `StatusCode` 0).
//!
//! The card is built as a JSON value, never by pasting text into a JSON template: StreamPark
//! interpolates values into its card template unescaped, so a quote in a job name breaks it.
//!
//! Limits and error codes (code, msg) as Feishu/Lark answers them:
//! - 100 requests a minute and 5 a second per bot: `11232` (frequency limited);
//! - request bodies of at most 20 KB, malformed bodies: `9499 Bad Request` — [`payload`] cuts
//!   the card's text to stay under [`MAX_BODY_BYTES`] instead;
//! - signing: `19021 sign match fail or timestamp is not within one hour from current time`;
//! - other security settings: `19022 Ip Not Allowed`, `19024 Key Words Not Found`.

use crate::channels::{Message, truncate};
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use streamwarden_core::Severity;

/// Largest request body sent (bytes of JSON): under Feishu/Lark's 20 KB.
pub const MAX_BODY_BYTES: usize = 20_000;

/// Appended where the card's text was shortened to fit [`MAX_BODY_BYTES`].
pub const TRUNCATION_MARKER: &str = "\n\n… (truncated)";

/// The `sign` of a signed request (*signature verification*, 签名校验):
/// `base64(HMAC-SHA256(key = "{timestamp}\n{secret}", message = empty))`, where
/// `timestamp_s` is the epoch time in seconds sent as `timestamp`. Note the key is the
/// string-to-sign and the message is empty — the reverse of DingTalk.
pub fn sign(secret: &str, timestamp_s: i64) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    let mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; unreachable, but never panic.
        Err(_) => return String::new(),
    };
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The card header's colour template for a severity: critical red, major orange, minor and
/// warning yellow, info green.
pub fn template(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "red",
        Severity::Major => "orange",
        Severity::Minor | Severity::Warning => "yellow",
        Severity::Info => "green",
    }
}

/// The `lark_md` mention tags: `<at id=all></at>` and `<at id=…></at>` per user ID; empty
/// when nobody is mentioned.
pub fn mentions(at_all: bool, at_user_ids: &[String]) -> String {
    let mut tags: Vec<String> = Vec::new();
    if at_all {
        tags.push("<at id=all></at>".into());
    }
    for id in at_user_ids {
        let tag = format!("<at id={id}></at>");
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags.join(" ")
}

/// The message card: a header titled `message.title` (plain text) coloured by
/// [`template`], a `div` whose `lark_md` text is `body`, and a `div` with the [`mentions`]
/// when anyone is mentioned.
fn card(message: &Message, body: &str, at_all: bool, at_user_ids: &[String]) -> Value {
    let mut elements = vec![json!({
        "tag": "div",
        "text": { "tag": "lark_md", "content": body },
    })];
    let mentions = mentions(at_all, at_user_ids);
    if !mentions.is_empty() {
        elements.push(json!({
            "tag": "div",
            "text": { "tag": "lark_md", "content": mentions },
        }));
    }
    json!({
        "config": { "wide_screen_mode": true },
        "header": {
            "template": template(message.severity),
            "title": { "tag": "plain_text", "content": message.title },
        },
        "elements": elements,
    })
}

fn build(
    message: &Message,
    body: &str,
    at_all: bool,
    at_user_ids: &[String],
    signature: Option<&(i64, String)>,
) -> Value {
    let mut value = json!({
        "msg_type": "interactive",
        "card": card(message, body, at_all, at_user_ids),
    });
    if let (Some((timestamp, sign)), Some(object)) = (signature, value.as_object_mut()) {
        object.insert("timestamp".into(), Value::String(timestamp.to_string()));
        object.insert("sign".into(), Value::String(sign.clone()));
    }
    value
}

/// The request body for `message`: the card, plus `timestamp` and `sign` when `signature`
/// (`(epoch seconds, sign(secret, seconds))`) is given. When the JSON would exceed
/// [`MAX_BODY_BYTES`], the card's text is cut at a character boundary and ends with
/// [`TRUNCATION_MARKER`] (title and mentions are kept), rather than being rejected.
pub fn payload(
    message: &Message,
    at_all: bool,
    at_user_ids: &[String],
    signature: Option<(i64, String)>,
) -> Value {
    let signature = signature.as_ref();
    truncate::fit_json(&message.body, TRUNCATION_MARKER, MAX_BODY_BYTES, |body| {
        build(message, body, at_all, at_user_ids, signature)
    })
}

/// What to do about a Feishu/Lark error code, when known.
pub fn hint(code: i64) -> Option<&'static str> {
    match code {
        19021 => Some(
            "check `secret` (the bot's signature verification secret) and this host's clock \
             (one hour of skew allowed)",
        ),
        19022 => Some("this host's IP address is not in the bot's IP allowlist"),
        19024 => Some("the message lacks every keyword of the bot's keyword security setting"),
        9499 => Some("the request was malformed or larger than 20 KB"),
        11232 | 99991400 => {
            Some("rate limited: a custom bot may send 100 requests a minute and 5 a second")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(severity: Severity, body: &str) -> Message {
        Message {
            title: "Job \"orders\" FAILED".into(),
            body: body.into(),
            text: body.into(),
            severity,
            recipients: Default::default(),
        }
    }

    #[test]
    fn sign_matches_a_known_vector() {
        // Computed with:
        // python3 -c 'import hmac,hashlib,base64;
        //   print(base64.b64encode(hmac.new(("1700000000"+"\n"+"lark-test-secret").encode(),
        //     b"", hashlib.sha256).digest()).decode())'
        assert_eq!(
            sign("lark-test-secret", 1_700_000_000),
            "C6hZMltuQURn+DA/Nk3fqLS7mnbNGEAKTQOhSxXgQ2U="
        );
    }

    #[test]
    fn colours_follow_severity() {
        assert_eq!(template(Severity::Critical), "red");
        assert_eq!(template(Severity::Major), "orange");
        assert_eq!(template(Severity::Minor), "yellow");
        assert_eq!(template(Severity::Warning), "yellow");
        assert_eq!(template(Severity::Info), "green");
    }

    #[test]
    fn a_signed_card_with_mentions() {
        let ids = vec!["ou_1".to_string(), "ou_1".to_string(), "b6x".to_string()];
        let value = payload(
            &message(Severity::Major, "**orders**: restarting"),
            true,
            &ids,
            Some((1_700_000_000, "c2lnbg==".into())),
        );
        assert_eq!(
            value,
            json!({
                "msg_type": "interactive",
                "timestamp": "1700000000",
                "sign": "c2lnbg==",
                "card": {
                    "config": { "wide_screen_mode": true },
                    "header": {
                        "template": "orange",
                        "title": { "tag": "plain_text", "content": "Job \"orders\" FAILED" }
                    },
                    "elements": [
                        { "tag": "div", "text": { "tag": "lark_md", "content": "**orders**: restarting" } },
                        { "tag": "div", "text": { "tag": "lark_md", "content": "<at id=all></at> <at id=ou_1></at> <at id=b6x></at>" } }
                    ]
                }
            })
        );
    }

    #[test]
    fn an_unsigned_card_without_mentions_has_one_element() {
        let value = payload(&message(Severity::Info, "ok"), false, &[], None);
        assert!(value.get("sign").is_none() && value.get("timestamp").is_none());
        assert_eq!(value["card"]["elements"].as_array().unwrap().len(), 1);
        assert_eq!(value["card"]["header"]["template"], "green");
    }

    #[test]
    fn an_oversized_card_is_cut_under_the_limit() {
        let body = "\"\\\n</div>🚨".repeat(4000);
        let value = payload(&message(Severity::Critical, &body), true, &[], None);
        let size = value.to_string().len();
        assert!(size <= MAX_BODY_BYTES, "{size}");
        assert!(size > MAX_BODY_BYTES - 64, "{size}");
        let text = value["card"]["elements"][0]["text"]["content"]
            .as_str()
            .unwrap();
        assert!(text.ends_with(TRUNCATION_MARKER));
        assert_eq!(
            value["card"]["elements"][1]["text"]["content"],
            "<at id=all></at>"
        );
    }

    #[test]
    fn hints_cover_the_documented_codes() {
        assert!(hint(19021).unwrap().contains("secret"));
        assert!(hint(11232).unwrap().contains("100 requests"));
        assert_eq!(hint(0), None);
    }
}
