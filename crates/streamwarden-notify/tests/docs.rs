//! The channel reference and the template variables in `docs/` stay true to the code: the
//! reference is generated from the config structs (`UPDATE_DOCS=1` rewrites it), and every
//! template variable is documented.

use std::path::PathBuf;
use streamwarden_notify::channels::configured::{KINDS, describe_kind};
use streamwarden_notify::describe::markdown;
use streamwarden_notify::templates::context::{Globals, for_outgoing};
use streamwarden_notify::templates::sample;

fn docs(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs")).join(name)
}

#[test]
fn channel_reference_is_generated_from_the_config_structs() {
    let mut generated = String::from(
        "# Channel reference\n\nGenerated from the channel kinds' configuration structs (the same \
         description `GET /api/v1/channel-kinds` serves and the server validates with); do not edit \
         by hand: run `UPDATE_DOCS=1 cargo test -p streamwarden-notify --test docs`.\n\n\
         Declare channels in the configuration file as `[[channels]]` with `kind` and these keys, \
         or create them with `POST /api/v1/channels` / `streamwarden channels create`. Secrets are \
         stored but never returned.\n\n",
    );
    for (kind, _) in KINDS {
        let description = describe_kind(kind).expect("described");
        generated.push_str(&markdown(&description));
        generated.push('\n');
    }
    let path = docs("channels.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/channels.md");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/channels.md is out of date: run UPDATE_DOCS=1 cargo test -p streamwarden-notify --test docs"
    );
}

fn keys(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(object) = value.as_object() {
        for (key, inner) in object {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if prefix.is_empty() || !matches!(prefix, "labels") {
                out.push(path.clone());
            }
            if key != "labels" {
                keys(&path, inner, out);
            }
        }
    }
}

#[test]
fn every_template_variable_is_documented() {
    let doc = std::fs::read_to_string(docs("templates.md")).expect("docs/templates.md");
    let mut variables = Vec::new();
    let globals = Globals {
        public_url: Some("https://sw.example.com".into()),
        ..Globals::default()
    };
    for outgoing in sample::notifications() {
        keys(
            "",
            &for_outgoing(&outgoing, &globals, false),
            &mut variables,
        );
    }
    // Members of `alerts` have the event's variables (documented once) plus `resolved`.
    variables.retain(|v| !v.starts_with("alerts."));
    variables.sort();
    variables.dedup();
    let missing: Vec<_> = variables
        .iter()
        .filter(|v| !doc.contains(&format!("`{v}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "undocumented template variables: {missing:?}"
    );
}
