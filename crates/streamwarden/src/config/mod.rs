//! Configuration: defaults, then a TOML file (`--config`), then `STREAMWARDEN_…` environment
//! variables (`STREAMWARDEN_LISTEN`, `STREAMWARDEN_WATCH__INTERVAL`: `__` separates levels).
//! Parsed once into an immutable [`Config`]; unknown keys and invalid values are rejected with
//! the key path and the reason.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use streamwarden_core::DetectorConfig;
use streamwarden_core::noise::NoiseConfig;
use streamwarden_core::routing::{Route, SeverityMap, TagRule, check_severity_keys};
use streamwarden_notify::RetryPolicy;
use streamwarden_notify::alerting::AlertingConfig;
use streamwarden_notify::channels::configured::{ChannelConfig, Renderer};
use streamwarden_notify::templates::context::Globals;

mod healing;
pub use healing::{CheckSeverities, HealingConfig, HealthSection};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address of the HTTP API (default `127.0.0.1:9400`).
    pub listen: SocketAddr,
    /// SQLite database file (default `./streamwarden.db`).
    pub database: PathBuf,
    /// Where uploaded application packages are kept (default `./streamwarden-packages`).
    pub packages_dir: PathBuf,
    /// The SQL runner jar that runs `flink.sql` applications (built by
    /// `scripts/flink.sh sqlrunner`); without it SQL applications cannot start.
    pub sql_runner: Option<PathBuf>,
    /// Log format: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// How clusters are watched.
    pub watch: WatchConfig,
    /// How deliveries are retried.
    pub delivery: DeliveryConfig,
    /// Flink clusters to watch (default: `local` at `http://127.0.0.1:8081`).
    pub clusters: Vec<ClusterConfig>,
    /// Alert channels (default: none). With no routes, every alert goes to every channel.
    pub channels: Vec<ChannelConfig>,
    /// Template overrides of file channels: channel name → part (`title`, `body`, `text`) →
    /// template source (`[templates.ops] body = "…"`).
    pub templates: BTreeMap<String, BTreeMap<String, String>>,
    /// Labels every template can show (`[labels] environment = "prod"` → `labels.environment`).
    pub labels: BTreeMap<String, String>,
    /// StreamWarden's public base URL, for links from alerts to its pages.
    pub public_url: Option<url::Url>,
    /// Grouping, repeats and resolutions.
    pub alerting: AlertingTiming,
    /// Global severity overrides: an event kind or a Flink job state → severity.
    pub severity: SeverityMap,
    /// Routes, in order (`[[routes]]`). With none, every alert goes to every channel.
    pub routes: Vec<Route>,
    /// What no route matched goes here (`[default_route]`).
    pub default_route: Option<Route>,
    /// Tags of jobs by name (`[[job_tags]] jobs = ["orders-*"] tags = ["team-a"]`).
    pub job_tags: Vec<TagRule>,
    /// Self-healing defaults (`[healing]`); each application's fail-restart switch decides
    /// whether they apply to it.
    pub healing: HealingConfig,
    /// Unhealthy-job detection (`[health]`): the checks' defaults, for every watched job; a
    /// managed application can override them.
    pub health: HealthSection,
    /// The first admin (`[admin] name = "admin"`, password from `STREAMWARDEN_ADMIN__PASSWORD`
    /// or the file): created at start-up while no user exists, never changed afterwards.
    pub admin: Option<AdminConfig>,
}

/// `[admin]`: the first admin, created at start-up when the database has no user.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// User name.
    pub name: String,
    /// Console password (8 to 256 characters).
    pub password: String,
}

impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("name", &self.name)
            .field("password", &"***")
            .finish()
    }
}

/// `[alerting]`: noise control timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertingTiming {
    /// Alerts joining a group after its first go out together at the end of this interval
    /// (default `"10s"`).
    #[serde(with = "humantime_serde")]
    pub group_interval: Duration,
    /// An ongoing, unacknowledged condition is notified again after this long (default `"4h"`).
    #[serde(with = "humantime_serde")]
    pub repeat_interval: Duration,
    /// A job must stay RUNNING this long before its alert is resolved (default `"60s"`).
    #[serde(with = "humantime_serde")]
    pub resolve_after: Duration,
}

impl Default for AlertingTiming {
    fn default() -> Self {
        let noise = NoiseConfig::default();
        let d = |ms: i64| Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        AlertingTiming {
            group_interval: d(noise.group_interval_ms),
            repeat_interval: d(noise.repeat_interval_ms),
            resolve_after: d(noise.resolve_after_ms),
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[watch]`: polling and detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatchConfig {
    /// Time between two polls of a cluster's `/jobs/overview` (default `"1s"`).
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// Consecutive failed polls before `cluster_unreachable` (default 3).
    pub unreachable_after: u32,
    /// Longest time between two reads of a running job's `numRestarts` (default `"10s"`).
    #[serde(with = "humantime_serde")]
    pub restart_check_interval: Duration,
    /// TCP connect timeout of Flink REST calls (default `"2s"`).
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Total timeout of one Flink REST call (default `"5s"`).
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// `maxExceptions` asked of `/jobs/:jid/exceptions` (default 10).
    pub max_exceptions: u32,
    /// Per-job calls (metrics, exceptions) in flight at once per cluster (default 8).
    pub concurrency: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            interval: Duration::from_secs(1),
            unreachable_after: 3,
            restart_check_interval: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            max_exceptions: 10,
            concurrency: 8,
        }
    }
}

impl WatchConfig {
    /// The detector's tunables.
    pub fn detector(&self) -> DetectorConfig {
        DetectorConfig {
            unreachable_after: self.unreachable_after,
            restart_check_interval_ms: i64::try_from(self.restart_check_interval.as_millis())
                .unwrap_or(i64::MAX),
        }
    }
}

/// `[delivery]`: retries of failed deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Attempts in all before a delivery is `failed` (default 12).
    pub max_attempts: u32,
    /// Delay after the first failure, doubled after each (default `"1s"`).
    #[serde(with = "humantime_serde")]
    pub initial_backoff: Duration,
    /// Longest delay between attempts (default `"5m"`).
    #[serde(with = "humantime_serde")]
    pub max_backoff: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        let policy = RetryPolicy::default();
        DeliveryConfig {
            max_attempts: policy.max_attempts,
            initial_backoff: policy.initial_backoff,
            max_backoff: policy.max_backoff,
        }
    }
}

impl DeliveryConfig {
    /// The dispatcher's retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts,
            initial_backoff: self.initial_backoff,
            max_backoff: self.max_backoff,
            ..RetryPolicy::default()
        }
    }
}

/// `[[clusters]]`: one Flink REST endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// Unique name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// REST URL of the JobManager (or its HA / ingress address).
    pub url: url::Url,
    /// Poll interval of this cluster; `[watch] interval` when absent.
    #[serde(default, with = "humantime_serde")]
    pub interval: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 9400)),
            database: PathBuf::from("./streamwarden.db"),
            packages_dir: PathBuf::from("./streamwarden-packages"),
            sql_runner: None,
            log_format: LogFormat::Text,
            watch: WatchConfig::default(),
            delivery: DeliveryConfig::default(),
            clusters: vec![ClusterConfig {
                name: "local".into(),
                url: url::Url::parse("http://127.0.0.1:8081").unwrap_or_else(|_| unreachable!()),
                interval: None,
            }],
            channels: Vec::new(),
            templates: BTreeMap::new(),
            labels: BTreeMap::new(),
            public_url: None,
            alerting: AlertingTiming::default(),
            severity: SeverityMap::new(),
            routes: Vec::new(),
            default_route: None,
            job_tags: Vec::new(),
            healing: HealingConfig::default(),
            health: HealthSection::default(),
            admin: None,
        }
    }
}

/// A configuration that cannot be used; the message names the key and the reason.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Loads defaults ← `file` ← `STREAMWARDEN_…` environment, then validates.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!(
                    "--config {}: no such file",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(
            Env::prefixed("STREAMWARDEN_")
                .ignore(&["config", "url", "log"])
                .split("__"),
        );
        let config: Config = figment.extract().map_err(|e| {
            ConfigError(
                e.into_iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what types cannot: names, URLs, positive durations and counts.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |key: String, reason: &str| Err(ConfigError(format!("{key}: {reason}")));
        if self.watch.interval.is_zero() {
            return fail("watch.interval".into(), "must be greater than zero");
        }
        if self.watch.unreachable_after == 0 {
            return fail("watch.unreachable_after".into(), "must be at least 1");
        }
        if self.watch.request_timeout.is_zero() || self.watch.connect_timeout.is_zero() {
            return fail(
                "watch.request_timeout".into(),
                "timeouts must be greater than zero",
            );
        }
        if self.watch.concurrency == 0 {
            return fail("watch.concurrency".into(), "must be at least 1");
        }
        if self.health.check_interval.is_zero() {
            return fail("health.check_interval".into(), "must be greater than zero");
        }
        if let Some((field, reason)) = self.health.overrides().errors().into_iter().next() {
            return fail(field, &reason);
        }
        if self.delivery.max_attempts == 0 {
            return fail("delivery.max_attempts".into(), "must be at least 1");
        }
        if self.delivery.initial_backoff > self.delivery.max_backoff {
            return fail(
                "delivery.initial_backoff".into(),
                "must not exceed delivery.max_backoff",
            );
        }
        let mut names = BTreeSet::new();
        for (i, cluster) in self.clusters.iter().enumerate() {
            let key = format!("clusters[{i}]");
            if let Err(reason) = check_name(&cluster.name) {
                return fail(format!("{key}.name"), &reason);
            }
            if !names.insert(cluster.name.as_str()) {
                return fail(
                    format!("{key}.name"),
                    &format!("duplicate cluster {:?}", cluster.name),
                );
            }
            if !matches!(cluster.url.scheme(), "http" | "https") {
                return fail(format!("{key}.url"), "scheme must be http or https");
            }
            if cluster.interval.is_some_and(|d| d.is_zero()) {
                return fail(format!("{key}.interval"), "must be greater than zero");
            }
        }
        let mut names = BTreeSet::new();
        for (i, channel) in self.channels.iter().enumerate() {
            let key = format!("channels[{i}]");
            if let Err(reason) = check_name(channel.name()) {
                return fail(format!("{key}.name"), &reason);
            }
            if !names.insert(channel.name()) {
                return fail(
                    format!("{key}.name"),
                    &format!("duplicate channel {:?}", channel.name()),
                );
            }
            if let Err(problems) = channel.validate() {
                let problems: Vec<_> = problems
                    .iter()
                    .map(|(field, reason)| format!("{key}.{field}: {reason}"))
                    .collect();
                return Err(ConfigError(problems.join("; ")));
            }
        }
        for (name, parts) in &self.templates {
            let Some(channel) = self.channels.iter().find(|c| c.name() == name) else {
                return fail(format!("templates.{name}"), "no channel of that name");
            };
            if let Err(errors) = Renderer::new(channel.kind(), parts, self.globals()) {
                let problems: Vec<_> = errors
                    .iter()
                    .map(|e| {
                        format!(
                            "{}: {}",
                            e.field
                                .replacen("templates", &format!("templates.{name}"), 1),
                            e.reason
                        )
                    })
                    .collect();
                return Err(ConfigError(problems.join("; ")));
            }
        }
        if self
            .public_url
            .as_ref()
            .is_some_and(|u| !matches!(u.scheme(), "http" | "https"))
        {
            return fail("public_url".into(), "scheme must be http or https");
        }
        self.validate_alerting()
    }

    /// Routes name known channels, severity keys are kinds or states, timings are positive.
    fn validate_alerting(&self) -> Result<(), ConfigError> {
        let fail = |key: String, reason: &str| Err(ConfigError(format!("{key}: {reason}")));
        if let Err(reason) = check_severity_keys(&self.severity) {
            return fail("severity".into(), &reason);
        }
        let mut names = BTreeSet::new();
        for (i, route) in self.routes.iter().chain(&self.default_route).enumerate() {
            let key = if i < self.routes.len() {
                format!("routes[{i}]")
            } else {
                "default_route".into()
            };
            if !names.insert(route.name.as_str()) {
                return fail(
                    format!("{key}.name"),
                    &format!("duplicate route {:?}", route.name),
                );
            }
            if route.channels.is_empty() {
                return fail(format!("{key}.channels"), "give at least one channel");
            }
            for (j, channel) in route.channels.iter().enumerate() {
                if !self.channels.iter().any(|c| c.name() == channel) {
                    return fail(
                        format!("{key}.channels[{j}]"),
                        &format!("no channel named {channel:?}"),
                    );
                }
            }
            if let Err(reason) = check_severity_keys(&route.severity) {
                return fail(format!("{key}.severity"), &reason);
            }
        }
        for (name, value) in [
            ("alerting.group_interval", self.alerting.group_interval),
            ("alerting.resolve_after", self.alerting.resolve_after),
            ("alerting.repeat_interval", self.alerting.repeat_interval),
        ] {
            if value.is_zero() {
                return fail(name.into(), "must be greater than zero");
            }
        }
        Ok(())
    }

    /// Alerting as the notify layer takes it.
    pub fn alerting(&self) -> AlertingConfig {
        let ms = streamwarden_core::clock::duration_ms;
        AlertingConfig {
            routes: self.routes.clone(),
            default_route: self.default_route.clone(),
            severity: self.severity.clone(),
            tag_rules: self.job_tags.clone(),
            noise: NoiseConfig {
                group_interval_ms: ms(self.alerting.group_interval),
                repeat_interval_ms: ms(self.alerting.repeat_interval),
                resolve_after_ms: ms(self.alerting.resolve_after),
            },
        }
    }

    /// What every template gets besides the event: labels and the public URL.
    pub fn globals(&self) -> Globals {
        Globals {
            labels: self.labels.clone(),
            public_url: self.public_url.as_ref().map(|u| u.to_string()),
        }
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err("must be 1 to 64 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "{name:?} may hold only letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
