//! The live set of channels, shared by the watcher (who fans alerts out to every channel), the
//! dispatcher (one worker per channel) and the API (create, update, delete, test).

use super::Channel;
use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};
use tokio::sync::watch;

/// Channels by name. Cheap to clone; clones share the set.
#[derive(Clone)]
pub struct ChannelRegistry {
    channels: Arc<RwLock<BTreeMap<String, Arc<dyn Channel>>>>,
    changed: Arc<watch::Sender<u64>>,
}

impl Default for ChannelRegistry {
    fn default() -> Self {
        ChannelRegistry {
            channels: Arc::default(),
            changed: Arc::new(watch::channel(0).0),
        }
    }
}

impl ChannelRegistry {
    /// Adds or replaces the channel of that name.
    pub fn insert(&self, channel: Arc<dyn Channel>) {
        self.channels
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(channel.name().to_string(), channel);
        self.changed.send_modify(|n| *n += 1);
    }

    /// Removes a channel; true when there was one.
    pub fn remove(&self, name: &str) -> bool {
        let removed = self
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name)
            .is_some();
        self.changed.send_modify(|n| *n += 1);
        removed
    }

    /// The channel of that name.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Channel>> {
        self.channels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    /// Whether channel `name` groups bursts (unknown channels do).
    pub fn groups(&self, name: &str) -> bool {
        self.get(name).is_none_or(|c| c.groups())
    }

    /// Every channel's name, sorted.
    pub fn names(&self) -> Vec<String> {
        self.channels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }

    /// A receiver that changes whenever the set does.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}
