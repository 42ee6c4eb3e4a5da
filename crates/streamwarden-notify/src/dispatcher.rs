//! The dispatcher: one worker per channel drains that channel's pending deliveries from the
//! store, oldest first, and records every attempt. Workers follow the [`ChannelRegistry`]: a
//! channel added at run time gets a worker, a removed one's worker ends, an updated one is used
//! from its next attempt.
//!
//! A channel's deliveries go out in the order their events were stored; when the oldest fails,
//! the channel waits for its retry rather than overtaking it, while every other channel goes on.
//! Deliveries are marked delivered only after the destination accepted them, so a crash between
//! the two resends (at-least-once; receivers de-duplicate by `event_id`).

use crate::RetryPolicy;
use crate::channels::ChannelRegistry;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use streamwarden_core::clock::now_ms;
use streamwarden_store::{AttemptOutcome, Delivery, Store};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How many pending deliveries a worker reads at once.
const BATCH: u32 = 32;

/// Wakes the dispatcher's workers when new deliveries were stored. Cheap to clone. A wake-up
/// is never lost: a busy worker sees it when it next waits.
#[derive(Debug, Clone)]
pub struct Waker {
    tx: Arc<watch::Sender<u64>>,
}

impl Waker {
    /// Tells every worker to look for new deliveries now.
    pub fn wake(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Drains the outbox to the channels.
pub struct Dispatcher {
    store: Arc<dyn Store>,
    registry: ChannelRegistry,
    retry: RetryPolicy,
    idle_poll: Duration,
}

impl Dispatcher {
    /// A dispatcher for the channels of `registry`, retrying by `retry`, re-reading the store
    /// at least every `idle_poll` even without a wake-up.
    pub fn new(
        store: Arc<dyn Store>,
        registry: ChannelRegistry,
        retry: RetryPolicy,
        idle_poll: Duration,
    ) -> Dispatcher {
        Dispatcher {
            store,
            registry,
            retry,
            idle_poll,
        }
    }

    /// Starts the supervisor that keeps one worker per registered channel; returns the
    /// [`Waker`] and the supervisor's handle.
    pub fn spawn(self) -> (Waker, JoinHandle<()>) {
        let (tx, _) = watch::channel(0u64);
        let tx = Arc::new(tx);
        let waker = Waker { tx: tx.clone() };
        let handle = tokio::spawn(async move {
            let mut changes = self.registry.subscribe();
            let mut workers: BTreeMap<String, JoinHandle<()>> = BTreeMap::new();
            loop {
                workers.retain(|_, handle| !handle.is_finished());
                for name in self.registry.names() {
                    if workers.contains_key(&name) {
                        continue;
                    }
                    let worker = Worker {
                        store: self.store.clone(),
                        registry: self.registry.clone(),
                        channel: name.clone(),
                        retry: self.retry.clone(),
                        idle_poll: self.idle_poll,
                        wake: tx.subscribe(),
                    };
                    workers.insert(name, tokio::spawn(worker.run()));
                }
                if changes.changed().await.is_err() {
                    return;
                }
            }
        });
        (waker, handle)
    }
}

/// What a worker does after one attempt.
enum Step {
    /// Go on with the next delivery.
    Next,
    /// The delivery will be retried; later ones must wait for it.
    Blocked,
    /// The attempt's outcome could not be stored.
    StoreDown,
}

struct Worker {
    store: Arc<dyn Store>,
    registry: ChannelRegistry,
    channel: String,
    retry: RetryPolicy,
    idle_poll: Duration,
    wake: watch::Receiver<u64>,
}

impl Worker {
    async fn run(mut self) {
        let channel = self.channel.clone();
        tracing::info!(channel, "delivery worker started");
        while self.registry.get(&channel).is_some() {
            let wait = match self.store.pending_deliveries(&channel, BATCH).await {
                Ok(batch) => self.drain(batch).await,
                Err(error) => {
                    tracing::error!(channel, %error, "reading pending deliveries failed");
                    Some(self.idle_poll)
                }
            };
            let Some(wait) = wait else { continue };
            tokio::select! {
                _ = self.wake.changed() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::info!(channel, "channel removed; delivery worker stopped");
    }

    /// Sends the due deliveries of `batch` in order. Returns how long to wait before looking
    /// again, or `None` to look again at once.
    async fn drain(&self, batch: Vec<Delivery>) -> Option<Duration> {
        let full = batch.len() == BATCH as usize;
        for delivery in batch {
            let now = now_ms();
            if delivery.next_attempt_ms > now {
                let due_in = u64::try_from(delivery.next_attempt_ms - now).unwrap_or(0);
                return Some(Duration::from_millis(due_in).min(self.idle_poll));
            }
            match self.attempt(&delivery).await {
                Step::Next => {}
                // The head waits for its retry; reading again computes how long.
                Step::Blocked => return None,
                Step::StoreDown => return Some(self.idle_poll),
            }
        }
        if full { None } else { Some(self.idle_poll) }
    }

    /// One attempt of one delivery.
    async fn attempt(&self, delivery: &Delivery) -> Step {
        let channel = self.channel.as_str();
        let Some(sender) = self.registry.get(channel) else {
            return Step::StoreDown;
        };
        let notification = &delivery.outgoing.notification;
        let event_id = notification.id.as_str();
        let attempt = delivery.attempts + 1;
        let result = sender.send(&delivery.outgoing).await;
        let now = now_ms();
        let outcome = match &result {
            Ok(()) => {
                tracing::info!(
                    channel,
                    notification_id = event_id,
                    attempt,
                    route = notification.route,
                    cluster = notification.cluster,
                    events = delivery.outgoing.events.len(),
                    latency_ms = now - notification.created_ms,
                    "delivered"
                );
                AttemptOutcome::Delivered
            }
            Err(error) => match self.retry.next_delay(attempt, fastrand::f64()) {
                Some(delay) => {
                    let at_ms = now.saturating_add(streamwarden_core::clock::duration_ms(delay));
                    tracing::warn!(channel, notification_id = event_id, attempt, %error, retry_in_ms = delay.as_millis() as u64, "delivery failed; will retry");
                    AttemptOutcome::Retry {
                        at_ms,
                        error: error.to_string(),
                    }
                }
                None => {
                    tracing::error!(channel, notification_id = event_id, attempt, %error, "delivery failed; giving up");
                    AttemptOutcome::GaveUp {
                        error: error.to_string(),
                    }
                }
            },
        };
        let counted = match &outcome {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::Retry { .. } => "retry",
            AttemptOutcome::GaveUp { .. } => "failed",
        };
        metrics::counter!(
            "streamwarden_deliveries_total",
            "channel" => channel.to_string(),
            "outcome" => counted
        )
        .increment(1);
        if let Err(error) = self.store.record_attempt(delivery.id, now, &outcome).await {
            // The send's outcome is lost; the delivery stays pending and is sent again.
            tracing::error!(channel, notification_id = event_id, %error, "recording a delivery attempt failed");
            return Step::StoreDown;
        }
        match outcome {
            AttemptOutcome::Retry { .. } => Step::Blocked,
            AttemptOutcome::Delivered | AttemptOutcome::GaveUp { .. } => Step::Next,
        }
    }
}
