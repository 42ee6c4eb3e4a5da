//! What the chat-robot kinds (DingTalk, WeCom, Lark) share: building the channel's client,
//! naming the channel in errors without its credential-bearing URL, and posting one JSON
//! message and reading the platform's answer (`{"errcode": 0, …}` or `{"code": 0, …}`).

use crate::channels::http;
use crate::describe::DescribedConfig;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::time::Duration;

/// How a robot platform answers.
pub(crate) struct Platform {
    /// The platform as errors name it, e.g. `DingTalk`.
    pub name: &'static str,
    /// The answer's code field as errors name it, e.g. `errcode`.
    pub code_field: &'static str,
    /// `(code, message)` of an answer; `None` when it carries no code.
    pub read: fn(&Value) -> Option<(i64, String)>,
    /// What to do about a code, when known.
    pub hint: fn(i64) -> Option<&'static str>,
}

impl Platform {
    /// `<name> <code_field> <code>: <msg> — <hint>` (the message cut to 512 characters; no
    /// hint for unknown codes).
    pub(crate) fn explain(&self, code: i64, msg: &str) -> String {
        let msg: String = msg.chars().take(http::ERROR_BODY_LIMIT).collect();
        let (name, field) = (self.name, self.code_field);
        match (self.hint)(code) {
            Some(hint) => format!("{name} {field} {code}: {msg} — {hint}"),
            None => format!("{name} {field} {code}: {msg}"),
        }
    }

    /// POSTs `body` as JSON to `url`. `Ok` only when the platform answers code 0 with a 2xx
    /// status; otherwise why: the transport failure ([`http::describe`], with `timeout`), the
    /// HTTP status with the platform's code or an excerpt of the body, the platform's code
    /// ([`Platform::explain`]), or an answer without a code.
    pub(crate) async fn post(
        &self,
        http: &reqwest::Client,
        url: url::Url,
        body: &Value,
        timeout: Duration,
    ) -> Result<(), String> {
        let response = http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| http::describe(&e, timeout))?;
        let status = response.status();
        let bytes = http::read_capped(response)
            .await
            .map_err(|e| format!("reading the answer: {}", http::describe(&e, timeout)))?;
        let reply: Option<Value> = serde_json::from_slice(&bytes).ok();
        let platform = reply.as_ref().and_then(self.read);
        if !status.is_success() {
            return Err(match platform {
                Some((code, msg)) => {
                    format!("HTTP {}, {}", status.as_u16(), self.explain(code, &msg))
                }
                None => format!("HTTP {}: {}", status.as_u16(), http::excerpt(&bytes)),
            });
        }
        match platform {
            Some((0, _)) => Ok(()),
            Some((code, msg)) => Err(self.explain(code, &msg)),
            None => Err(format!(
                "unexpected answer (no {}): {}",
                self.code_field,
                http::excerpt(&bytes)
            )),
        }
    }
}

/// A code given as a JSON number or a string of digits.
pub(crate) fn number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `(errcode, errmsg)` of a DingTalk or WeCom answer.
pub(crate) fn errcode(reply: &Value) -> Option<(i64, String)> {
    let code = number(&reply["errcode"])?;
    let msg = reply["errmsg"].as_str().unwrap_or_default().to_string();
    Some((code, msg))
}

/// What a robot channel's errors start with: `<kind> channel "<name>" (<host>[:<port>])` —
/// never the URL, whose query or path is the robot's credential.
pub(crate) fn label(kind: &str, name: &str, url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{kind} channel {name:?} ({host}:{port})"),
        None => format!("{kind} channel {name:?} ({host})"),
    }
}

/// The HTTP client of robot channel `name` of `kind`, once its `config` is valid; otherwise
/// `<kind> channel "<name>": <field>: <reason>; …` with every problem.
pub(crate) fn client(
    kind: &str,
    name: &str,
    config: &impl DescribedConfig,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    if let Err(problems) = config.validate() {
        let problems: Vec<String> = problems
            .into_iter()
            .map(|(field, reason)| format!("{field}: {reason}"))
            .collect();
        return Err(format!("{kind} channel {name:?}: {}", problems.join("; ")));
    }
    http::client(timeout, HeaderMap::new()).map_err(|e| format!("{kind} channel {name:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errcodes_are_read_leniently() {
        assert_eq!(
            errcode(&json!({"errcode": 0, "errmsg": "ok"})),
            Some((0, "ok".into()))
        );
        assert_eq!(
            errcode(&json!({"errcode": "310000"})),
            Some((310000, String::new()))
        );
        assert_eq!(errcode(&json!({"ok": true})), None);
        assert_eq!(errcode(&json!([1])), None);
    }

    #[test]
    fn labels_name_the_host_but_not_the_url() {
        let url = url::Url::parse("https://oapi.dingtalk.com/robot/send?access_token=t").unwrap();
        assert_eq!(
            label("dingtalk", "ops", &url),
            "dingtalk channel \"ops\" (oapi.dingtalk.com)"
        );
        let url = url::Url::parse("http://127.0.0.1:8080/hook/t").unwrap();
        assert_eq!(
            label("lark", "l", &url),
            "lark channel \"l\" (127.0.0.1:8080)"
        );
    }
}
