//! The loader: defaults, file and environment precedence, and the errors of bad input.
#![allow(clippy::result_large_err)] // figment::Jail closures return figment::Error

use super::*;
use figment::Jail;

fn load_in(jail: &Jail, toml: Option<&str>) -> Result<Config, String> {
    let file = toml.map(|body| {
        jail.create_file("streamwarden.toml", body).expect("write");
        jail.directory().join("streamwarden.toml")
    });
    Config::load(file.as_deref()).map_err(|e| e.to_string())
}

#[test]
fn no_configuration_watches_local_flink_on_the_documented_defaults() {
    Jail::expect_with(|jail| {
        let config = load_in(jail, None)?;
        assert_eq!(config.listen.to_string(), "127.0.0.1:9400");
        assert_eq!(config.database, PathBuf::from("./streamwarden.db"));
        assert_eq!(config.clusters.len(), 1);
        assert_eq!(config.clusters[0].name, "local");
        assert_eq!(config.clusters[0].url.as_str(), "http://127.0.0.1:8081/");
        assert_eq!(config.watch.interval, Duration::from_secs(1));
        assert_eq!(config.watch.unreachable_after, 3);
        assert!(config.channels.is_empty());
        Ok(())
    });
}

#[test]
fn a_file_declares_clusters_and_webhook_channels() {
    Jail::expect_with(|jail| {
        let config = load_in(
            jail,
            Some(
                r#"
                listen = "0.0.0.0:9999"
                [watch]
                interval = "500ms"
                unreachable_after = 5
                [[clusters]]
                name = "prod"
                url = "https://flink.example.com/prod"
                interval = "2s"
                [[clusters]]
                name = "staging"
                url = "http://10.0.0.5:8081"
                [[channels]]
                name = "ops"
                kind = "webhook"
                url = "http://hooks.example.com/flink"
                headers = { "X-Token" = "abc" }
                "#,
            ),
        )?;
        assert_eq!(config.listen.port(), 9999);
        assert_eq!(config.watch.interval, Duration::from_millis(500));
        assert_eq!(config.watch.unreachable_after, 5);
        assert_eq!(
            config.watch.request_timeout,
            Duration::from_secs(5),
            "default kept"
        );
        let names: Vec<_> = config.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["prod", "staging"],
            "the file's clusters replace the default"
        );
        assert_eq!(config.clusters[0].interval, Some(Duration::from_secs(2)));
        let ChannelConfig::Webhook(hook) = &config.channels[0] else {
            panic!("a webhook");
        };
        assert_eq!(hook.headers.get("X-Token").map(String::as_str), Some("abc"));
        assert_eq!(hook.timeout, Duration::from_secs(10));
        Ok(())
    });
}

#[test]
fn environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.set_env("STREAMWARDEN_LISTEN", "127.0.0.1:7000");
        jail.set_env("STREAMWARDEN_WATCH__INTERVAL", "3s");
        jail.set_env("STREAMWARDEN_DATABASE", "/var/lib/sw/sw.db");
        let config = load_in(jail, Some("listen = \"127.0.0.1:8000\"\n"))?;
        assert_eq!(config.listen.port(), 7000);
        assert_eq!(config.watch.interval, Duration::from_secs(3));
        assert_eq!(config.database, PathBuf::from("/var/lib/sw/sw.db"));
        Ok(())
    });
}

fn error_of(toml: &str) -> String {
    let mut message = String::new();
    Jail::expect_with(|jail| {
        message = load_in(jail, Some(toml)).expect_err("must be rejected");
        Ok(())
    });
    message
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    let e = error_of("[watch]\nintervall = \"1s\"\n");
    assert!(e.contains("intervall") && e.contains("watch"), "{e}");
    let e = error_of("colour = \"blue\"\n");
    assert!(e.contains("colour"), "{e}");
    let e = error_of("[[clusters]]\nname = \"a\"\nurl = \"http://x\"\nport = 1\n");
    assert!(e.contains("port") && e.contains("clusters"), "{e}");
    let e = error_of(
        "[[channels]]\nname = \"a\"\nkind = \"webhook\"\nurl = \"http://x\"\nretries = 3\n",
    );
    assert!(e.contains("retries"), "{e}");
}

#[test]
fn invalid_values_are_rejected_with_key_and_reason() {
    let cases = [
        ("listen = \"nowhere\"\n", "listen"),
        ("[watch]\ninterval = \"soon\"\n", "interval"),
        (
            "[watch]\ninterval = \"0s\"\n",
            "watch.interval: must be greater than zero",
        ),
        (
            "[watch]\nunreachable_after = 0\n",
            "watch.unreachable_after: must be at least 1",
        ),
        ("[watch]\nunreachable_after = -1\n", "unreachable_after"),
        ("[[clusters]]\nname = \"a\"\nurl = \"not a url\"\n", "url"),
        (
            "[[clusters]]\nname = \"a\"\nurl = \"ftp://x\"\n",
            "clusters[0].url: scheme must be http or https",
        ),
        (
            "[[clusters]]\nname = \"a b\"\nurl = \"http://x\"\n",
            "clusters[0].name",
        ),
        (
            "[[clusters]]\nname = \"a\"\nurl = \"http://x\"\n[[clusters]]\nname = \"a\"\nurl = \"http://y\"\n",
            "clusters[1].name: duplicate cluster \"a\"",
        ),
        ("[[clusters]]\nurl = \"http://x\"\n", "name"),
        (
            "[[channels]]\nname = \"a\"\nkind = \"pager\"\nurl = \"http://x\"\n",
            "pager",
        ),
        (
            "[[channels]]\nname = \"a\"\nkind = \"webhook\"\nurl = \"http://x\"\nheaders = { \"bad header\" = \"v\" }\n",
            "channels[0].headers.bad header: not a valid HTTP header name",
        ),
        (
            "[delivery]\ninitial_backoff = \"10m\"\nmax_backoff = \"1m\"\n",
            "delivery.initial_backoff",
        ),
        ("log_format = \"xml\"\n", "log_format"),
    ];
    for (toml, expected) in cases {
        let e = error_of(toml);
        assert!(
            e.contains(expected),
            "{toml:?} gave {e:?}, expected it to mention {expected:?}"
        );
    }
}

#[test]
fn a_missing_config_file_is_named() {
    let e = Config::load(Some(Path::new("/nonexistent/sw.toml"))).expect_err("missing");
    assert!(e.to_string().contains("/nonexistent/sw.toml"), "{e}");
}

#[test]
fn an_unknown_environment_variable_is_rejected() {
    Jail::expect_with(|jail| {
        jail.set_env("STREAMWARDEN_LISTN", "127.0.0.1:1");
        let e = load_in(jail, None).expect_err("typo in env");
        assert!(e.contains("listn"), "{e}");
        Ok(())
    });
}

#[test]
fn routes_severity_tags_and_timing_are_read_and_checked() {
    Jail::expect_with(|jail| {
        let config = load_in(
            jail,
            Some(
                r#"
                [alerting]
                group_interval = "30s"
                repeat_interval = "2h"
                [severity]
                job_restarted = "minor"
                CANCELED = "warning"
                [[channels]]
                name = "ops"
                kind = "webhook"
                url = "http://hooks.example.com/flink"
                [[routes]]
                name = "orders"
                jobs = ["orders-*"]
                kinds = ["job_state_changed"]
                min_severity = "major"
                channels = ["ops"]
                continue = true
                recipients = { mobiles = ["13800000000"] }
                [default_route]
                name = "rest"
                channels = ["ops"]
                [[job_tags]]
                jobs = ["orders-*"]
                tags = ["team-a"]
                "#,
            ),
        )?;
        let alerting = config.alerting();
        assert_eq!(alerting.noise.group_interval_ms, 30_000);
        assert_eq!(alerting.noise.repeat_interval_ms, 7_200_000);
        assert_eq!(alerting.noise.resolve_after_ms, 60_000, "default kept");
        assert_eq!(alerting.routes[0].name, "orders");
        assert!(alerting.routes[0].continue_matching);
        assert_eq!(alerting.default_route.map(|r| r.name), Some("rest".into()));
        assert_eq!(alerting.tag_rules[0].tags, ["team-a"]);
        assert_eq!(alerting.severity.len(), 2);
        Ok(())
    });
}

#[test]
fn bad_routes_are_rejected_with_key_and_reason() {
    let channel = "[[channels]]\nname = \"ops\"\nkind = \"webhook\"\nurl = \"http://x\"\n";
    let cases = [
        (
            format!("{channel}[[routes]]\nname = \"r\"\nchannels = [\"pager\"]\n"),
            "routes[0].channels[0]: no channel named \"pager\"",
        ),
        (
            format!("{channel}[[routes]]\nname = \"r\"\nchannels = []\n"),
            "routes[0].channels: give at least one channel",
        ),
        (
            format!(
                "{channel}[[routes]]\nname = \"r\"\nchannels = [\"ops\"]\n[[routes]]\nname = \"r\"\nchannels = [\"ops\"]\n"
            ),
            "routes[1].name: duplicate route \"r\"",
        ),
        (
            format!("{channel}[[routes]]\nname = \"r\"\nchannels = [\"ops\"]\njobs = [\"re:(\"]\n"),
            "invalid regex",
        ),
        (
            format!("{channel}[[routes]]\nname = \"r\"\nchannels = [\"ops\"]\ncolour = 1\n"),
            "colour",
        ),
        (
            "[severity]\njob_exploded = \"minor\"\n".to_string(),
            "severity: \"job_exploded\" is neither",
        ),
        (
            "[severity]\nFAILED = \"apocalyptic\"\n".to_string(),
            "apocalyptic",
        ),
        (
            "[alerting]\ngroup_interval = \"0s\"\n".to_string(),
            "alerting.group_interval: must be greater than zero",
        ),
        (
            format!("{channel}[default_route]\nname = \"d\"\nchannels = [\"nope\"]\n"),
            "default_route.channels[0]",
        ),
    ];
    for (toml, expected) in cases {
        let e = error_of(&toml);
        assert!(
            e.contains(expected),
            "{toml:?} gave {e:?}, expected it to mention {expected:?}"
        );
    }
}
