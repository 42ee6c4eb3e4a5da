//! Descriptions derived from a real config struct, and validation over them.

use super::*;
use crate::channels::webhook::WebhookConfig;
use serde_json::json;

fn webhook() -> KindDescription {
    describe::<WebhookConfig>("webhook", "HTTP callback")
}

fn field<'a>(d: &'a KindDescription, name: &str) -> &'a FieldDescription {
    d.fields.iter().find(|f| f.name == name).expect("field")
}

#[test]
fn the_struct_is_the_description() {
    let d = webhook();
    let names: Vec<_> = d.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "name",
            "url",
            "method",
            "headers",
            "basic_user",
            "basic_password",
            "bearer_token",
            "signing_secret",
            "signature_header",
            "body_template",
            "content_type",
            "timeout"
        ],
        "declaration order"
    );
    let url = field(&d, "url");
    assert_eq!(
        (url.label.as_str(), url.field_type, url.required),
        ("URL", FieldType::Text, true)
    );
    assert_eq!(url.validators, [Validator::Require, Validator::Url]);
    assert_eq!(
        url.placeholder.as_deref(),
        Some("https://hooks.example.com/flink")
    );
    assert!(url.help.contains("http"), "doc comment is the help");
    let method = field(&d, "method");
    assert_eq!(method.field_type, FieldType::Enum);
    let values: Vec<_> = method.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["POST", "PUT"]);
    assert_eq!(method.default, Some(json!("POST")));
    let secret = field(&d, "bearer_token");
    assert!(secret.secret && !secret.required);
    assert_eq!(secret.field_type, FieldType::Password);
    assert_eq!(field(&d, "timeout").field_type, FieldType::Duration);
    assert_eq!(field(&d, "timeout").default, Some(json!("10s")));
    assert_eq!(field(&d, "body_template").field_type, FieldType::Textarea);
    assert_eq!(field(&d, "headers").field_type, FieldType::Map);
    assert!(d.help.contains("HTTP callback"));
}

#[test]
fn every_offending_field_is_reported_with_its_reason() {
    let errors = validate::<WebhookConfig>(
        &webhook(),
        &json!({
            "name": "has space",
            "url": "ftp://x",
            "method": "GET",
            "timeout": "soon",
            "colour": "blue",
            "basic_user": "a b",
        }),
    )
    .expect_err("invalid");
    let mut fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["basic_user", "colour", "method", "name", "timeout", "url"],
        "{errors:?}"
    );
    let reason = |f: &str| {
        errors
            .iter()
            .find(|e| e.field == f)
            .map(|e| e.reason.clone())
            .unwrap_or_default()
    };
    assert_eq!(reason("colour"), "unknown field");
    assert!(reason("url").contains("not an http or https URL"));
    assert!(reason("method").contains("POST, PUT"));
    assert!(reason("timeout").contains("duration"));
}

#[test]
fn missing_required_fields_and_cross_field_rules_are_errors() {
    let errors = validate::<WebhookConfig>(&webhook(), &json!({})).expect_err("empty");
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "url"]);
    let errors = validate::<WebhookConfig>(
        &webhook(),
        &json!({"name": "h", "url": "http://x", "basic_password": "p", "headers": {"bad header": "v"}}),
    )
    .expect_err("cross-field");
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["headers.bad header", "basic_user"]);
}

#[test]
fn a_valid_form_reads_into_the_struct_with_defaults_and_empty_optionals_unset() {
    let config = validate::<WebhookConfig>(
        &webhook(),
        &json!({"name": "ops", "url": "https://h.example/x", "method": "PUT", "basic_user": "", "timeout": "3s"}),
    )
    .expect("valid");
    assert_eq!(config.method, crate::channels::webhook::WebhookMethod::Put);
    assert_eq!(config.basic_user, None);
    assert_eq!(config.timeout, std::time::Duration::from_secs(3));
    assert_eq!(config.signature_header, "X-StreamWarden-Signature");
}

#[test]
fn validators_accept_and_reject_what_their_names_promise() {
    let cases: &[(Validator, &[&str], &[&str])] = &[
        (Validator::Require, &["x"], &[""]),
        (Validator::NoneBlank, &["x"], &["", "  \t"]),
        (
            Validator::Host,
            &[
                "smtp.example.com",
                "10.0.0.1:25",
                "h:587",
                "[::1]:25",
                "::1",
            ],
            &["", "a b", "h:0", "h:99999", "-h.com", "h_1.com"],
        ),
        (
            Validator::HostWithoutPort,
            &["smtp.example.com", "10.0.0.1", "[::1]"],
            &["h:25", "", "x..y"],
        ),
        (
            Validator::Url,
            &["http://a", "https://a.b/c?d=1"],
            &["ftp://a", "a.b", "http://"],
        ),
        (
            Validator::Email,
            &["ops@example.com", "a.b+c@x.io"],
            &["ops", "@x.com", "a@"],
        ),
        (Validator::Integer, &["0", "-12", "42"], &["4.2", "x", ""]),
        (
            Validator::Identity,
            &["ops", "ops-hook_1.a", "9x"],
            &["", "-x", "a b", &"x".repeat(65)],
        ),
        (
            Validator::UserName,
            &["alice", "a.b-c_d"],
            &["", "a b", "a@b"],
        ),
    ];
    for (validator, good, bad) in cases {
        for value in *good {
            assert!(
                validator.check(value).is_ok(),
                "{validator:?} should accept {value:?}"
            );
        }
        for value in *bad {
            assert!(
                validator.check(value).is_err(),
                "{validator:?} should reject {value:?}"
            );
        }
    }
}

#[test]
fn secrets_are_masked_and_kept_when_left_blank() {
    let d = webhook();
    let stored =
        json!({"name": "h", "url": "http://x", "bearer_token": "t0k", "signing_secret": "s"});
    let mut shown = stored.clone();
    mask_secrets(&d, &mut shown);
    assert_eq!(shown["bearer_token"], SECRET_MASK);
    assert_eq!(shown["url"], "http://x");
    assert!(!shown.to_string().contains("t0k"));
    let mut update =
        json!({"name": "h", "url": "http://y", "bearer_token": "", "signing_secret": "new"});
    merge_secrets(&d, &stored, &mut update);
    assert_eq!(update["bearer_token"], "t0k", "blank keeps the old secret");
    assert_eq!(update["signing_secret"], "new", "a new value replaces it");
    let mut masked_back = shown.clone();
    merge_secrets(&d, &stored, &mut masked_back);
    assert_eq!(
        masked_back["bearer_token"], "t0k",
        "the mask itself keeps it too"
    );
}

#[test]
fn markdown_reference_lists_every_field() {
    let md = markdown(&webhook());
    for f in &webhook().fields {
        assert!(md.contains(&format!("| `{}` |", f.name)), "{}", f.name);
    }
    assert!(md.contains("password (secret)"));
}
