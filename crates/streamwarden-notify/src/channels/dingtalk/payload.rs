//! What a `dingtalk` channel sends (pure): the markdown message and the request signature.
//!
//! Protocol of the custom robot (<https://open.dingtalk.com/document/robots/custom-robot-access>):
//! `POST {webhook_url}[&timestamp=…&sign=…]` with
//! `{"msgtype":"markdown","markdown":{"title","text"},"at":{"atMobiles":[…],"isAtAll":bool}}`;
//! the answer is `{"errcode":0,"errmsg":"ok"}` on success. A mobile in `atMobiles` is only
//! notified when the markdown text also contains `@<mobile>` — StreamPark leaves those tokens
//! out, so its mentions never ring; [`markdown_text`] appends the missing ones.
//!
//! Limits and error codes (errcode, errmsg) as DingTalk answers them:
//! - 20 messages a minute per robot; beyond that `130101 send too fast, exceed 20 times per
//!   minute` and the robot is throttled for 10 minutes;
//! - the message at most 20 000 bytes: `460101 message too long, exceed 20000 bytes`
//!   ([`payload`] shortens the text to stay under [`MAX_BODY_BYTES`]);
//! - signing: `310000 sign not match` or `310000 invalid timestamp` (the timestamp must be
//!   within one hour of DingTalk's clock);
//! - a wrong `access_token`: `300001 token is not exist`.

use crate::channels::{Message, truncate};
use base64::Engine;
use hmac::{KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

/// Largest request body DingTalk accepts (bytes of JSON).
pub const MAX_BODY_BYTES: usize = 20_000;

/// Appended where the text was shortened to fit [`MAX_BODY_BYTES`].
pub const TRUNCATION_MARKER: &str = "\n\n… (truncated)";

/// Characters left as they are by `URLEncoder.encode` (the encoding of DingTalk's examples):
/// letters, digits and `-_.*`. Base64 only produces `+`, `/` and `=` besides letters and
/// digits, and these are escaped.
const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'*');

/// The `sign` query parameter of a signed request (*Additional signature* / 加签, see
/// <https://open.dingtalk.com/document/robots/customize-robot-security-settings>):
/// `urlencode(base64(HMAC-SHA256(key = secret, message = "{timestamp}\n{secret}")))`, UTF-8,
/// where `timestamp_ms` is the epoch time in milliseconds sent as the `timestamp` parameter.
pub fn sign(secret: &str, timestamp_ms: i64) -> String {
    let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; unreachable, but never panic.
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let digest = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    utf8_percent_encode(&digest, URL_ENCODE).to_string()
}

/// Whether `text` holds the mention token `@{mobile}` (not merely as the prefix of a longer
/// number).
fn has_token(text: &str, mobile: &str) -> bool {
    let token = format!("@{mobile}");
    text.match_indices(&token).any(|(at, _)| {
        !text[at + token.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The markdown text: `body`, then — on a final line — an `@<mobile>` token for every mobile of
/// `at_mobiles` the body does not already mention (DingTalk only notifies mentioned mobiles
/// that appear in the text).
pub fn markdown_text(body: &str, at_mobiles: &[String]) -> String {
    let mut missing: Vec<String> = Vec::new();
    for mobile in at_mobiles {
        let token = format!("@{mobile}");
        if !has_token(body, mobile) && !missing.contains(&token) {
            missing.push(token);
        }
    }
    if missing.is_empty() {
        body.to_string()
    } else if body.is_empty() {
        missing.join(" ")
    } else {
        format!("{}\n\n{}", body.trim_end(), missing.join(" "))
    }
}

fn build(message: &Message, body: &str, at_mobiles: &[String], at_all: bool) -> Value {
    let mut mobiles: Vec<&String> = Vec::new();
    for mobile in at_mobiles {
        if !mobiles.contains(&mobile) {
            mobiles.push(mobile);
        }
    }
    json!({
        "msgtype": "markdown",
        "markdown": {
            "title": message.title,
            "text": markdown_text(body, at_mobiles),
        },
        "at": {
            "atMobiles": mobiles,
            "isAtAll": at_all,
        },
    })
}

/// The request body for `message`: a markdown message titled `message.title` whose text is
/// `message.body` plus the mention tokens ([`markdown_text`]). When the JSON would exceed
/// [`MAX_BODY_BYTES`], the body is cut at a character boundary and ends with
/// [`TRUNCATION_MARKER`] (the mention tokens are kept), rather than being rejected.
pub fn payload(message: &Message, at_mobiles: &[String], at_all: bool) -> Value {
    truncate::fit_json(&message.body, TRUNCATION_MARKER, MAX_BODY_BYTES, |body| {
        build(message, body, at_mobiles, at_all)
    })
}

/// What to do about a DingTalk error code, when known.
pub fn hint(errcode: i64) -> Option<&'static str> {
    match errcode {
        130101 => Some(
            "rate limited: a robot may send 20 messages a minute and is then throttled for \
             10 minutes",
        ),
        310000 => Some(
            "check `secret` (the SEC… string of the robot's Additional signature setting) and \
             this host's clock (DingTalk allows one hour of skew)",
        ),
        300001 | 300005 => Some("check the access_token of `webhook_url`"),
        460101 => Some("the message is longer than 20000 bytes"),
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
            severity: Severity::Critical,
            recipients: Default::default(),
        }
    }

    #[test]
    fn sign_matches_a_known_vector() {
        // Computed with:
        // python3 -c 'import hmac,hashlib,base64,urllib.parse;
        //   s="SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
        //   t="1700000000015";
        //   print(urllib.parse.quote_plus(base64.b64encode(hmac.new(s.encode(),
        //     (t+"\n"+s).encode(), hashlib.sha256).digest())))'
        // (base64 before URL encoding: WkhwWv/d9lDN+iQSL1g+x4dWEUFe/9+W28zhERrfbFU=)
        let secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
        assert_eq!(
            sign(secret, 1_700_000_000_015),
            "WkhwWv%2Fd9lDN%2BiQSL1g%2Bx4dWEUFe%2F9%2BW28zhERrfbFU%3D"
        );
    }

    #[test]
    fn missing_mention_tokens_are_appended_on_a_final_line() {
        let mobiles = vec!["13800000000".to_string(), "13900000000".to_string()];
        assert_eq!(
            markdown_text("### FAILED\n- job: orders\n", &mobiles),
            "### FAILED\n- job: orders\n\n@13800000000 @13900000000"
        );
        assert_eq!(
            markdown_text("on call: @13900000000", &mobiles),
            "on call: @13900000000\n\n@13800000000"
        );
        assert_eq!(
            markdown_text("@13800000000 @13900000000", &mobiles),
            "@13800000000 @13900000000"
        );
        assert_eq!(markdown_text("", &mobiles), "@13800000000 @13900000000");
        assert_eq!(markdown_text("no one", &[]), "no one");
    }

    #[test]
    fn a_longer_number_is_not_a_mention() {
        let mobiles = vec!["1380000000".to_string()];
        assert_eq!(
            markdown_text("@13800000001", &mobiles),
            "@13800000001\n\n@1380000000"
        );
    }

    #[test]
    fn payload_is_a_markdown_message_with_mentions() {
        let mobiles = vec!["13800000000".to_string(), "13800000000".to_string()];
        assert_eq!(
            payload(&message("**orders** failed"), &mobiles, true),
            json!({
                "msgtype": "markdown",
                "markdown": {
                    "title": "Job orders FAILED",
                    "text": "**orders** failed\n\n@13800000000"
                },
                "at": { "atMobiles": ["13800000000"], "isAtAll": true }
            })
        );
    }

    #[test]
    fn an_oversized_body_is_shortened_but_keeps_its_mentions() {
        let body = "告警 \"quoted\"\n".repeat(3000);
        let mobiles = vec!["13800000000".to_string()];
        let value = payload(&message(&body), &mobiles, false);
        let size = value.to_string().len();
        assert!(size <= MAX_BODY_BYTES, "{size}");
        assert!(size > MAX_BODY_BYTES - 64, "{size}");
        let text = value["markdown"]["text"].as_str().unwrap();
        assert!(text.ends_with(&format!("{TRUNCATION_MARKER}\n\n@13800000000")));
        assert!(text.starts_with("告警 \"quoted\"\n告警"));
    }

    #[test]
    fn hints_cover_the_documented_codes() {
        assert!(hint(130101).unwrap().contains("20 messages"));
        assert!(hint(310000).unwrap().contains("secret"));
        assert_eq!(hint(0), None);
    }
}
