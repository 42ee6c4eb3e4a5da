//! Route matching: every matcher, order, `continue`, the default route, severity overrides.

use super::*;
use crate::{EventKind, JobFacts, JobState};

fn job_event(name: &str, state: JobState, kind: EventKind, severity: Severity) -> Event {
    Event {
        event_id: "e".into(),
        kind,
        severity,
        notify: true,
        summary: String::new(),
        occurred_at_ms: 0,
        observed_at_ms: 0,
        cluster: "prod".into(),
        cluster_url: "http://f".into(),
        job: Some(JobFacts {
            id: "j".into(),
            name: name.into(),
            previous_state: Some(JobState::Running),
            state,
            start_time_ms: None,
            end_time_ms: None,
            duration_ms: None,
            restarts: None,
            previous_restarts: None,
            url: String::new(),
        }),
        exception: None,
        error: None,
        restart: None,
        health: None,
    }
}

fn failed(name: &str) -> Event {
    job_event(
        name,
        JobState::Failed,
        EventKind::JobStateChanged,
        Severity::Critical,
    )
}

fn cluster_down() -> Event {
    let mut e = failed("x");
    e.kind = EventKind::ClusterUnreachable;
    e.job = None;
    e
}

fn route(name: &str, channels: &[&str]) -> Route {
    Route::catch_all(name, channels.iter().map(|c| c.to_string()).collect())
}

fn names(matches: &[RouteMatch]) -> Vec<&str> {
    matches.iter().map(|m| m.route.as_str()).collect()
}

fn pattern(p: &str) -> JobPattern {
    JobPattern::parse(p).expect("pattern")
}

#[test]
fn job_patterns_are_exact_glob_or_regex() {
    assert!(pattern("orders").matches("orders"));
    assert!(!pattern("orders").matches("orders-1"));
    assert!(pattern("orders-*").matches("orders-eu"));
    assert!(!pattern("orders-*").matches("x-orders-eu"));
    assert!(pattern("job-?").matches("job-1"));
    assert!(!pattern("job-?").matches("job-12"));
    assert!(
        pattern("a.b*").matches("a.bc") && !pattern("a.b*").matches("axbc"),
        "dots are literal in globs"
    );
    assert!(pattern(r"re:^orders-\d+$").matches("orders-42"));
    assert!(!pattern(r"re:^orders-\d+$").matches("orders-x"));
    assert!(
        JobPattern::parse("re:(")
            .unwrap_err()
            .contains("invalid regex")
    );
    assert!(JobPattern::parse("").is_err());
}

#[test]
fn each_matcher_narrows_the_route() {
    let event = failed("orders-eu");
    let cases: Vec<(Route, bool)> = vec![
        (
            Route {
                clusters: vec!["prod".into()],
                ..route("r", &["c"])
            },
            true,
        ),
        (
            Route {
                clusters: vec!["staging".into()],
                ..route("r", &["c"])
            },
            false,
        ),
        (
            Route {
                jobs: vec![pattern("orders-*")],
                ..route("r", &["c"])
            },
            true,
        ),
        (
            Route {
                jobs: vec![pattern("payments")],
                ..route("r", &["c"])
            },
            false,
        ),
        (
            Route {
                kinds: vec![EventKind::JobStateChanged],
                ..route("r", &["c"])
            },
            true,
        ),
        (
            Route {
                kinds: vec![EventKind::JobRestarted],
                ..route("r", &["c"])
            },
            false,
        ),
        (
            Route {
                min_severity: Some(Severity::Critical),
                ..route("r", &["c"])
            },
            true,
        ),
        (
            Route {
                tags: vec!["team-a".into()],
                ..route("r", &["c"])
            },
            true,
        ),
        (
            Route {
                tags: vec!["team-b".into()],
                ..route("r", &["c"])
            },
            false,
        ),
    ];
    for (route, expected) in cases {
        assert_eq!(
            route.matches(&event, &["team-a".into(), "eu".into()], Severity::Critical),
            expected,
            "{route:?}"
        );
    }
    let minor = Route {
        min_severity: Some(Severity::Major),
        ..route("r", &["c"])
    };
    assert!(!minor.matches(&event, &[], Severity::Minor));
}

#[test]
fn cluster_events_do_not_match_job_or_tag_routes() {
    let by_job = Route {
        jobs: vec![pattern("*")],
        ..route("r", &["c"])
    };
    let by_tag = Route {
        tags: vec!["t".into()],
        ..route("r", &["c"])
    };
    assert!(!by_job.matches(&cluster_down(), &[], Severity::Critical));
    assert!(!by_tag.matches(&cluster_down(), &[], Severity::Critical));
    assert!(route("r", &["c"]).matches(&cluster_down(), &[], Severity::Critical));
}

#[test]
fn the_first_match_wins_unless_it_continues() {
    let routing = Routing {
        routes: vec![
            Route {
                jobs: vec![pattern("orders-*")],
                continue_matching: true,
                ..route("audit", &["log"])
            },
            Route {
                jobs: vec![pattern("orders-*")],
                ..route("orders", &["ding"])
            },
            route("everything", &["mail"]),
        ],
        default: Some(route("default", &["fallback"])),
        severity: SeverityMap::new(),
        tag_rules: vec![],
    };
    assert_eq!(
        names(&routing.route(&failed("orders-eu"), &[])),
        ["audit", "orders"]
    );
    assert_eq!(
        names(&routing.route(&failed("payments"), &[])),
        ["everything"]
    );
}

#[test]
fn the_default_route_takes_what_nothing_matched() {
    let routing = Routing {
        routes: vec![Route {
            jobs: vec![pattern("orders-*")],
            ..route("orders", &["ding"])
        }],
        default: Some(route("default", &["fallback"])),
        severity: SeverityMap::new(),
        tag_rules: vec![],
    };
    assert_eq!(names(&routing.route(&failed("payments"), &[])), ["default"]);
    assert_eq!(
        routing.route(&failed("payments"), &[])[0].channels,
        ["fallback"]
    );
    let no_default = Routing {
        default: None,
        ..routing
    };
    assert!(no_default.route(&failed("payments"), &[]).is_empty());
}

#[test]
fn severity_overrides_apply_globally_then_per_route_by_state_then_kind() {
    let restarted = job_event(
        "orders",
        JobState::Running,
        EventKind::JobRestarted,
        Severity::Major,
    );
    let canceled = job_event(
        "orders",
        JobState::Canceled,
        EventKind::JobStateChanged,
        Severity::Major,
    );
    let mut global = SeverityMap::new();
    global.insert("job_restarted".into(), Severity::Minor);
    global.insert("CANCELED".into(), Severity::Warning);
    assert_eq!(severity_of(&restarted, &global), Severity::Minor);
    assert_eq!(severity_of(&canceled, &global), Severity::Warning);
    assert_eq!(
        severity_of(&failed("x"), &global),
        Severity::Critical,
        "untouched"
    );

    let strict = Route {
        min_severity: Some(Severity::Major),
        severity: [("job_restarted".to_string(), Severity::Critical)].into(),
        ..route("pager", &["phone"])
    };
    let routing = Routing {
        routes: vec![strict],
        default: None,
        severity: global,
        tag_rules: vec![],
    };
    let matched = routing.route(&restarted, &[]);
    assert_eq!(
        matched.len(),
        1,
        "the route's own override lifts it over min_severity"
    );
    assert_eq!(matched[0].severity, Severity::Critical);
    assert!(
        routing.route(&canceled, &[]).is_empty(),
        "CANCELED is warning globally: below major"
    );
}

#[test]
fn severity_keys_are_event_kinds_or_job_states() {
    let mut map = SeverityMap::new();
    map.insert("job_restarted".into(), Severity::Minor);
    map.insert("FAILED".into(), Severity::Critical);
    assert!(check_severity_keys(&map).is_ok());
    map.insert("job_exploded".into(), Severity::Minor);
    assert!(
        check_severity_keys(&map)
            .unwrap_err()
            .contains("job_exploded")
    );
}

#[test]
fn recipients_merge_without_duplicates() {
    let mut a = Recipients {
        emails: vec!["a@x".into()],
        mobiles: vec!["1".into()],
        user_ids: vec![],
    };
    a.merge(&Recipients {
        emails: vec!["a@x".into(), "b@x".into()],
        mobiles: vec![],
        user_ids: vec!["u".into()],
    });
    assert_eq!(a.emails, ["a@x", "b@x"]);
    assert_eq!(a.mobiles, ["1"]);
    assert_eq!(a.user_ids, ["u"]);
}

#[test]
fn routes_read_from_toml_like_json() {
    let route: Route = serde_json::from_value(serde_json::json!({
        "name": "orders",
        "jobs": ["orders-*", "re:^pay"],
        "kinds": ["job_state_changed", "job_restarted"],
        "min_severity": "major",
        "channels": ["ding"],
        "recipients": {"mobiles": ["13800000000"]},
        "continue": true,
        "repeat_interval": "2h",
    }))
    .expect("route");
    assert!(route.continue_matching);
    assert_eq!(route.repeat_interval, Some(Duration::from_secs(7200)));
    assert!(route.jobs[1].matches("payments"));
    let bad = serde_json::from_value::<Route>(
        serde_json::json!({"name": "x", "channels": [], "jobs": ["re:("]}),
    );
    assert!(bad.unwrap_err().to_string().contains("invalid regex"));
    let unknown = serde_json::from_value::<Route>(
        serde_json::json!({"name": "x", "channels": [], "colour": 1}),
    );
    assert!(unknown.is_err());
}

#[test]
fn tag_rules_give_jobs_their_tags() {
    let routing = Routing {
        tag_rules: vec![
            TagRule {
                jobs: vec![pattern("orders-*")],
                tags: vec!["team-a".into(), "eu".into()],
            },
            TagRule {
                jobs: vec![pattern("*-eu")],
                tags: vec!["eu".into()],
            },
        ],
        ..Routing::default()
    };
    assert_eq!(routing.tags_of(&failed("orders-eu")), ["team-a", "eu"]);
    assert!(routing.tags_of(&failed("payments")).is_empty());
    assert!(routing.tags_of(&cluster_down()).is_empty());
}
