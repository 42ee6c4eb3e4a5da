//! Default templates on every sample event (snapshots), the sandbox, and hostile values.

use super::context::{Globals, for_event, for_outgoing};
use super::defaults::parts;
use super::*;
use proptest::prelude::*;
use streamwarden_core::Event;

const KINDS: [&str; 5] = ["email", "dingtalk", "wecom", "lark", "webhook"];

fn globals() -> Globals {
    Globals {
        labels: [("environment".to_string(), "prod-eu".to_string())].into(),
        public_url: Some("https://streamwarden.example.com".into()),
    }
}

#[test]
fn every_default_template_renders_every_sample_notification() {
    for kind in KINDS {
        for outgoing in sample::notifications() {
            let context = for_outgoing(&outgoing, &globals(), false);
            let id = outgoing
                .notification
                .id
                .rsplit('-')
                .next()
                .unwrap_or("")
                .to_string();
            for part in parts(kind).iter().filter(|p| !p.default.is_empty()) {
                let out = render(part.name, part.default, part.markup, &context)
                    .unwrap_or_else(|e| panic!("{kind}/{}/{id}: {e}", part.name));
                insta::assert_snapshot!(format!("{kind}__{}__{id}", part.name), out);
            }
        }
    }
}

#[test]
fn a_group_lists_the_first_twenty_then_counts_the_rest() {
    let group = sample::notifications().pop().expect("group");
    let context = for_outgoing(&group, &globals(), false);
    assert_eq!(context["group"]["count"], 25);
    assert_eq!(context["group"]["resolved"], 5);
    assert_eq!(context["group"]["more"], 5);
    let body = render(
        "body",
        parts("dingtalk")[1].default,
        Markup::Markdown,
        &context,
    )
    .expect("render");
    assert!(
        body.contains("orders-shard-19") && !body.contains("orders-shard-20"),
        "{body}"
    );
    assert!(
        body.contains(
            "… and 5 more: [all alerts](https://streamwarden.example.com/alerts?cluster=prod)"
        ),
        "{body}"
    );
    let title = render(
        "title",
        parts("dingtalk")[0].default,
        Markup::Line,
        &context,
    )
    .expect("title");
    assert_eq!(
        title,
        "[prod-eu] [CRITICAL] 25 more alerts on prod (20 firing, 5 resolved)"
    );
}

#[test]
fn resolutions_and_repeats_say_so() {
    let all = sample::notifications();
    let (repeat, resolved) = (&all[all.len() - 3], &all[all.len() - 2]);
    let title = |o| {
        render(
            "title",
            parts("email")[0].default,
            Markup::Line,
            &for_outgoing(o, &globals(), false),
        )
        .expect("title")
    };
    assert_eq!(
        title(resolved),
        "[prod-eu] [RESOLVED] [CRITICAL] orders-enrichment is running again on prod"
    );
    assert!(
        title(repeat).starts_with("[prod-eu] [STILL FIRING] [CRITICAL] orders-enrichment FAILED"),
        "{}",
        title(repeat)
    );
}

#[test]
fn defaults_pass_the_save_time_check() {
    for kind in KINDS {
        for part in parts(kind) {
            check(part.name, part.default, part.markup).expect("default template is valid");
        }
    }
}

#[test]
fn an_undefined_variable_is_rejected_with_its_line() {
    let err = check(
        "body",
        "Job {{ job.name }}\nOwner {{ job.owner }}",
        Markup::Markdown,
    )
    .expect_err("undefined");
    assert_eq!(err.part, "body");
    assert_eq!(err.line, Some(2));
    assert!(err.reason.contains("undefined"), "{err}");
    let err = check("title", "{{ nope }}", Markup::Line).expect_err("undefined");
    assert!(
        err.to_string().starts_with("template title line 1:"),
        "{err}"
    );
}

#[test]
fn a_syntax_error_is_rejected_with_its_line() {
    let err = check("body", "ok\n{% if job %}\nno end", Markup::Html).expect_err("syntax");
    assert!(err.line.is_some(), "{err}");
    assert!(err.reason.contains("syntax"), "{err}");
}

#[test]
fn a_fuel_bomb_is_stopped() {
    let bomb = "{% for a in range(1000) %}{% for b in range(1000) %}x{% endfor %}{% endfor %}";
    let err = check("body", bomb, Markup::Text).expect_err("out of fuel");
    assert!(err.reason.contains("fuel"), "{err}");
}

#[test]
fn output_over_the_limit_is_rejected() {
    let big = "{{ 'x' * 70000 }}";
    let err = check("body", big, Markup::Text).expect_err("too big");
    assert!(err.reason.contains("more than"), "{err}");
}

#[test]
fn json_bodies_write_values_as_json_literals() {
    let event = &sample::events()[0];
    let body = render(
        "body",
        r#"{"job": {{ job.name }}, "state": {{ job.state }}, "restarts": {{ job.restarts }}, "labels": {{ labels }}}"#,
        Markup::Json,
        &for_event(event, &globals(), false),
    )
    .expect("render");
    let parsed: serde_json::Value = serde_json::from_str(&body).expect("valid JSON");
    assert_eq!(parsed["job"], "orders-enrichment");
    assert_eq!(parsed["restarts"], 0);
    assert_eq!(parsed["labels"]["environment"], "prod-eu");
}

#[test]
fn test_sends_are_marked() {
    let event = &sample::events()[0];
    let title = render(
        "title",
        parts("email")[0].default,
        Markup::Line,
        &for_outgoing(&sample::alert_of(event), &globals(), true),
    )
    .expect("render");
    assert!(
        title.starts_with("[TEST] [prod-eu] [CRITICAL] orders-enrichment FAILED"),
        "{title}"
    );
}

fn hostile_event(name: &str, message: &str) -> Event {
    let mut event = sample::events()[0].clone();
    if let Some(job) = event.job.as_mut() {
        job.name = name.to_string();
    }
    if let Some(e) = event.exception.as_mut() {
        e.message = message.to_string();
    }
    event.summary = format!("{name}: {message}");
    event
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\"\\\\\n\r\t<>&*_`#|\\[\\]{}()'/ a-z0-9]{0,64}",
        Just("x".repeat(10_000)),
        Just("\"}, {\"injected\": true, \"x\": \"".to_string()),
        Just("</b><script>alert(1)</script>".to_string()),
        Just("```\n# heading\n- item\n[link](http://evil)".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn hostile_values_never_break_the_target_format(name in hostile(), message in hostile()) {
        let event = hostile_event(&name, &message);
        let context = for_outgoing(&sample::alert_of(&event), &globals(), false);
        // JSON: any value stays inside its string.
        let body = render("body", r#"{"name": {{ job.name }}, "message": {{ exception.message }}}"#, Markup::Json, &context).expect("json");
        let parsed: serde_json::Value = serde_json::from_str(&body).expect("still JSON");
        prop_assert_eq!(parsed["name"].as_str(), Some(name.as_str()));
        prop_assert_eq!(parsed["message"].as_str(), Some(message.as_str()));
        // HTML: no tag from a value survives.
        let html = render("body", parts("email")[1].default, Markup::Html, &context).expect("html");
        prop_assert!(!html.contains("<script>"));
        // Markdown: a value cannot open a new line (heading, list, fence) or a link.
        for kind in ["dingtalk", "wecom", "lark"] {
            let md = render("body", parts(kind)[1].default, Markup::Markdown, &context).expect("md");
            for line in md.lines() {
                prop_assert!(!line.starts_with("# heading"), "{}: {}", kind, line);
                prop_assert!(!line.contains("[link](http://evil)"), "{}: {}", kind, line);
            }
        }
        // Titles stay on one line.
        let title = render("title", parts("dingtalk")[0].default, Markup::Line, &context).expect("title");
        prop_assert!(!title.contains('\n'));
    }
}
