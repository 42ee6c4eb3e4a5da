//! `streamwarden serve`: open the store, start the dispatcher, one watcher per cluster, and the
//! HTTP API; run until SIGINT or SIGTERM.

use crate::config::Config;
use crate::healer::Healer;
use crate::health::HealthWatcher;
use crate::watcher::ClusterWatcher;
use anyhow::Context;
use flink_client::{ClientConfig, FlinkClient};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use streamwarden_core::access::Role;
use streamwarden_lifecycle::{Lifecycle, Timeouts};
use streamwarden_notify::Dispatcher;
use streamwarden_notify::alerting::AlertingManager;
use streamwarden_notify::channels::manager::{ChannelManager, FileChannel};
use streamwarden_server::audit::Via;
use streamwarden_store::Store;
use streamwarden_store_sqlite::SqliteStore;
use tokio::sync::mpsc;

/// Total timeout of one Flink REST call of a lifecycle operation (a jar upload).
const LIFECYCLE_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// How often the dispatcher re-reads the outbox without a wake-up.
const DISPATCH_IDLE_POLL: Duration = Duration::from_secs(1);

/// Runs StreamWarden with `config` until a shutdown signal.
/// Buckets of the poll latency histogram, s (a poll is a few ms; its request timeout 5 s).
const POLL_BUCKETS_S: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub async fn run(config: Config) -> anyhow::Result<()> {
    let metrics = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("streamwarden_poll_duration_seconds".into()),
            POLL_BUCKETS_S,
        )
        .context("metric buckets")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    let store = SqliteStore::open(&config.database)
        .await
        .with_context(|| format!("database {}", config.database.display()))?;
    let store: Arc<dyn Store> = Arc::new(store);
    tracing::info!(database = %config.database.display(), "store open");
    if store.list_users().await?.is_empty() {
        match &config.admin {
            Some(admin) => {
                crate::cli::users::put_user(
                    store.as_ref(),
                    &admin.name,
                    Role::Admin,
                    Some(&admin.password),
                    Via::Config,
                )
                .await
                .context("[admin]")?;
                tracing::info!(user = admin.name, "first admin created from [admin]");
            }
            None => tracing::warn!(
                "no users yet: the API and console are open to anyone; create the first admin \
                 with `streamwarden users add NAME --admin --password-stdin` (it prints an API \
                 token) or [admin] in the configuration"
            ),
        }
    }

    let file_channels = config
        .channels
        .iter()
        .map(|c| FileChannel {
            config: c.clone(),
            templates: config.templates.get(c.name()).cloned().unwrap_or_default(),
        })
        .collect();
    let channels = Arc::new(
        ChannelManager::start(store.clone(), file_channels, config.globals())
            .await
            .map_err(|e| anyhow::anyhow!(e))?,
    );
    let alerting = Arc::new(
        AlertingManager::start(
            store.clone(),
            config.alerting(),
            channels.registry().clone(),
        )
        .await
        .context("loading routes and silences")?,
    );
    if channels.registry().names().is_empty() {
        tracing::warn!("no channels configured: events are recorded but nobody is alerted");
    }
    let (waker, _dispatcher) = Dispatcher::new(
        store.clone(),
        channels.registry().clone(),
        config.delivery.retry_policy(),
        DISPATCH_IDLE_POLL,
    )
    .spawn();

    // Lifecycle calls upload jars and wait on savepoints: they get their own, longer timeout.
    let lifecycle_clients = config
        .clusters
        .iter()
        .map(|c| {
            let timeouts = ClientConfig {
                connect_timeout: config.watch.connect_timeout,
                timeout: LIFECYCLE_REQUEST_TIMEOUT,
            };
            FlinkClient::new(&c.name, c.url.as_str(), &timeouts)
                .with_context(|| format!("cluster {}", c.name))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let lifecycle = Arc::new(Lifecycle::new(
        store.clone(),
        lifecycle_clients,
        config.packages_dir.clone(),
        config.sql_runner.clone(),
        Timeouts::default(),
    ));

    let (healer_tx, healer_rx) = mpsc::unbounded_channel();
    let mut healer_events = HashMap::new();
    let mut healer_receivers = HashMap::new();
    for cluster in &config.clusters {
        let (tx, rx) = mpsc::unbounded_channel();
        healer_events.insert(cluster.name.clone(), tx);
        healer_receivers.insert(cluster.name.clone(), rx);
    }
    let health_events = healer_events.clone();
    let healer = Arc::new(Healer::new(
        store.clone(),
        lifecycle.clone(),
        config.healing.policy(),
        healer_events,
    ));

    let client_config = ClientConfig {
        connect_timeout: config.watch.connect_timeout,
        timeout: config.watch.request_timeout,
    };
    for cluster in &config.clusters {
        store
            .register_cluster(&cluster.name, cluster.url.as_str())
            .await
            .with_context(|| format!("registering cluster {}", cluster.name))?;
        let client = FlinkClient::new(&cluster.name, cluster.url.as_str(), &client_config)
            .with_context(|| format!("cluster {}", cluster.name))?;
        let watcher = ClusterWatcher {
            client,
            store: store.clone(),
            waker: waker.clone(),
            alerting: alerting.clone(),
            interval: cluster.interval.unwrap_or(config.watch.interval),
            detector: config.watch.detector(),
            max_exceptions: config.watch.max_exceptions,
            concurrency: config.watch.concurrency,
            healer: healer_tx.clone(),
            healer_events: healer_receivers
                .remove(&cluster.name)
                .unwrap_or_else(|| mpsc::unbounded_channel().1),
        };
        tokio::spawn(watcher.run());
        let checks = HealthWatcher {
            client: FlinkClient::new(&cluster.name, cluster.url.as_str(), &client_config)
                .with_context(|| format!("cluster {}", cluster.name))?,
            store: store.clone(),
            defaults: config.health.defaults(),
            severities: config.health.severity,
            interval: config.health.check_interval,
            concurrency: config.watch.concurrency,
            events: health_events
                .get(&cluster.name)
                .cloned()
                .unwrap_or_else(|| mpsc::unbounded_channel().0),
        };
        tokio::spawn(checks.run());
    }

    // Runs left starting, running or stopping by a previous process are settled against Flink;
    // then self-healing resumes the restarts it had scheduled and takes the watchers' jobs
    // that went down (they wait in the channel meanwhile).
    let reconciling = lifecycle.clone();
    tokio::spawn(async move {
        match reconciling.reconcile().await {
            Ok(done) => tracing::info!(runs = done.len(), "runs reconciled"),
            Err(error) => tracing::error!(%error, "reconciling runs failed"),
        }
        healer.run(healer_rx).await;
    });

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(listen = %config.listen, "API listening");
    axum::serve(
        listener,
        streamwarden_server::router(store, channels, alerting, lifecycle, Some(metrics)),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("HTTP server")?;
    tracing::info!("shutting down");
    Ok(())
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
