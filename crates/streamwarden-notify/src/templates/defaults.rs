//! The parts each channel kind renders, with their markup and the default template shipped in
//! the binary.

use super::Markup;

/// One template part of a channel kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartSpec {
    /// Part name (`title`, `body`, `text`).
    pub name: &'static str,
    /// Its markup (decides escaping).
    pub markup: Markup,
    /// The default template.
    pub default: &'static str,
}

const TITLE: &str = include_str!("defaults/title.txt");

/// The parts of channel kind `kind` (`email`, `dingtalk`, `wecom`, `lark`, `webhook`); empty for
/// an unknown kind. The webhook's `body` has no default template: without one it sends the
/// default JSON payload.
pub fn parts(kind: &str) -> &'static [PartSpec] {
    const fn part(name: &'static str, markup: Markup, default: &'static str) -> PartSpec {
        PartSpec {
            name,
            markup,
            default,
        }
    }
    const EMAIL: &[PartSpec] = &[
        part("title", Markup::Line, TITLE),
        part("body", Markup::Html, include_str!("defaults/email.html")),
        part("text", Markup::Text, include_str!("defaults/email.txt")),
    ];
    const DINGTALK: &[PartSpec] = &[
        part("title", Markup::Line, TITLE),
        part(
            "body",
            Markup::Markdown,
            include_str!("defaults/dingtalk.md"),
        ),
    ];
    const WECOM: &[PartSpec] = &[
        part("title", Markup::Line, TITLE),
        part("body", Markup::Markdown, include_str!("defaults/wecom.md")),
    ];
    const LARK: &[PartSpec] = &[
        part("title", Markup::Line, TITLE),
        part("body", Markup::Markdown, include_str!("defaults/lark.md")),
    ];
    const WEBHOOK: &[PartSpec] = &[part("body", Markup::Json, "")];
    match kind {
        "email" => EMAIL,
        "dingtalk" => DINGTALK,
        "wecom" => WECOM,
        "lark" => LARK,
        "webhook" => WEBHOOK,
        _ => &[],
    }
}
