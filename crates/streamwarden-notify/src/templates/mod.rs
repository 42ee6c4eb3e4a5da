//! Message templates: minijinja, sandboxed (no loader, fuel, output size limit, strict
//! undefined), escaped for the target markup. Each channel kind renders a few parts (title,
//! body, text), each with a default shipped in the binary and overridable per channel.
//!
//! The variables are built by [`context::for_event`] and documented in `docs/templates.md`.

pub mod context;
pub mod defaults;
mod escape;
pub mod sample;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Instructions one render may execute.
const FUEL: u64 = 100_000;
/// Largest output of one part, bytes.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// The markup a part is written in, which decides how values are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Markup {
    /// Plain text on one line (titles, subjects): no escaping, newlines become spaces.
    Line,
    /// Plain text: no escaping.
    Text,
    /// Markdown (DingTalk, WeCom, Lark `lark_md`): values are made markdown-safe.
    Markdown,
    /// HTML (email): values are HTML-escaped.
    Html,
    /// JSON (webhook bodies): every value is written as a JSON literal (`{{ job.name }}` →
    /// `"orders"`).
    Json,
}

impl Markup {
    fn file_name(self) -> &'static str {
        match self {
            Markup::Line | Markup::Text => "part.txt",
            Markup::Markdown => "part.md",
            Markup::Html => "part.html",
            Markup::Json => "part.json",
        }
    }
}

/// A template that cannot be used; says which part, which line and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    /// The part (`title`, `body`, `text`).
    pub part: String,
    /// 1-based line in that part's source, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "template {} line {line}: {}", self.part, self.reason),
            None => write!(f, "template {}: {}", self.part, self.reason),
        }
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_recursion_limit(32);
    env.set_auto_escape_callback(|name| match name.rsplit('.').next() {
        Some("html") => AutoEscape::Html,
        Some("json") => AutoEscape::Json,
        Some("md") => AutoEscape::Custom("markdown".into()),
        _ => AutoEscape::None,
    });
    env.set_formatter(escape::formatter);
    env.add_filter("fenced", escape::fenced);
    env.add_filter("duration", escape::duration);
    env.add_filter("url", escape::url);
    env
}

/// Renders one part's `source` in `markup` against `context`.
///
/// Errors: syntax errors, undefined variables (strict), running out of fuel, output over
/// [`MAX_OUTPUT_BYTES`].
pub fn render(
    part: &str,
    source: &str,
    markup: Markup,
    context: &Value,
) -> Result<String, TemplateError> {
    let error = |e: minijinja::Error| TemplateError {
        part: part.into(),
        line: e.line(),
        reason: match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        },
    };
    let env = environment();
    let template = env
        .template_from_named_str(markup.file_name(), source)
        .map_err(error)?;
    let rendered = template
        .render(minijinja::Value::from(minijinja::value::Serde(context)))
        .map_err(error)?;
    if rendered.len() > MAX_OUTPUT_BYTES {
        return Err(TemplateError {
            part: part.into(),
            line: None,
            reason: format!(
                "output is {} bytes, more than the {MAX_OUTPUT_BYTES} allowed",
                rendered.len()
            ),
        });
    }
    Ok(match markup {
        Markup::Line => rendered.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => rendered.trim().to_string(),
    })
}

/// Checks a template part when it is saved: it must compile and render against every sample
/// notification (each sample event as an alert — a failed job with its exception, a restart, a
/// cluster outage, a recovery —, a repeat, a resolution and a group), so that a broken template
/// is never discovered at send time.
pub fn check(part: &str, source: &str, markup: Markup) -> Result<(), TemplateError> {
    for outgoing in sample::notifications() {
        let context = context::for_outgoing(&outgoing, &context::Globals::default(), false);
        render(part, source, markup, &context).map_err(|mut e| {
            let (event, _) = &outgoing.events[0];
            let shape = match (&outgoing.notification.notice, &event.job) {
                (streamwarden_core::noise::Notice::Group { .. }, _) => {
                    "group notification".to_string()
                }
                (_, Some(job)) => format!("{} event (job {})", event.kind, job.state),
                (_, None) => format!("{} event (no job: guard with {{% if job %}})", event.kind),
            };
            e.reason = format!("{} — with the sample {shape}", e.reason);
            e
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
