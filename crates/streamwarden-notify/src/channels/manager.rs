//! Channel management: channels declared in the configuration file (read-only) and channels
//! created through the API (stored) live side by side in one [`ChannelRegistry`].

use super::configured::{
    ChannelConfig, ConfiguredChannel, Renderer, describe_kind, validate_config,
};
use super::{ChannelRegistry, Message, SendError};
use crate::describe::{FieldError, mask_secrets, merge_secrets};
use crate::templates::context::Globals;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use streamwarden_core::clock::now_ms;
use streamwarden_core::notification::Outgoing;
use streamwarden_store::{Store, StoreError, StoredChannel};

/// Where a channel was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelSource {
    /// The configuration file: read-only through the API.
    File,
    /// Created through the API (or the CLI), stored in the database.
    Api,
}

/// A channel as the API shows it: secrets masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChannelView {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Where it was declared.
    pub source: ChannelSource,
    /// Configuration, secrets replaced by `******`.
    pub config: Value,
    /// Template overrides: part name → source.
    pub templates: BTreeMap<String, String>,
}

/// Why a management call failed.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// The submitted channel is invalid; every offending field.
    #[error("invalid channel: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// No channel of that name.
    #[error("no channel named {0:?}")]
    NotFound(String),
    /// The channel comes from the configuration file.
    #[error("channel {0:?} is declared in the configuration file and read-only here")]
    ReadOnly(String),
    /// A channel of that name exists.
    #[error("a channel named {0:?} already exists")]
    Conflict(String),
    /// A test send failed: the channel's real error.
    #[error("{0}")]
    Send(SendError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A channel declared in the configuration file, with its template overrides.
#[derive(Debug, Clone)]
pub struct FileChannel {
    /// The channel's configuration.
    pub config: ChannelConfig,
    /// Template overrides: part name → source.
    pub templates: BTreeMap<String, String>,
}

struct Declared {
    view: ChannelView,
    channel: Arc<ConfiguredChannel>,
}

/// Keeps the registry, the store and the configuration file in agreement.
pub struct ChannelManager {
    store: Arc<dyn Store>,
    registry: ChannelRegistry,
    globals: Globals,
    declared: tokio::sync::RwLock<BTreeMap<String, Declared>>,
}

fn view(
    source: ChannelSource,
    config: &ChannelConfig,
    templates: &BTreeMap<String, String>,
) -> ChannelView {
    let mut shown = config.to_value();
    if let Some(description) = describe_kind(config.kind()) {
        mask_secrets(&description, &mut shown);
    }
    ChannelView {
        name: config.name().to_string(),
        kind: config.kind().to_string(),
        source,
        config: shown,
        templates: templates.clone(),
    }
}

impl ChannelManager {
    /// Builds every channel of the file and of the store into a new registry. A stored channel
    /// that shares a file channel's name is ignored with a warning (the file wins); one that no
    /// longer validates is skipped with an error in the log, not lost.
    pub async fn start(
        store: Arc<dyn Store>,
        file: Vec<FileChannel>,
        globals: Globals,
    ) -> Result<ChannelManager, String> {
        let manager = ChannelManager {
            store,
            registry: ChannelRegistry::default(),
            globals,
            declared: tokio::sync::RwLock::new(BTreeMap::new()),
        };
        {
            let mut declared = manager.declared.write().await;
            for FileChannel { config, templates } in file {
                let name = config.name().to_string();
                let shown = view(ChannelSource::File, &config, &templates);
                let channel = ConfiguredChannel::new(config, &templates, manager.globals.clone())
                    .map_err(|errors| format!("channel {name}: {}", join(&errors)))?;
                let channel = Arc::new(channel);
                manager.registry.insert(channel.clone());
                declared.insert(
                    name,
                    Declared {
                        view: shown,
                        channel,
                    },
                );
            }
        }
        for stored in manager
            .store
            .list_channels()
            .await
            .map_err(|e| e.to_string())?
        {
            if manager.declared.read().await.contains_key(&stored.name) {
                tracing::warn!(
                    channel = stored.name,
                    "a stored channel has the name of a file channel; the file's is used"
                );
                continue;
            }
            if let Err(error) = manager
                .install(
                    &stored.kind,
                    &stored.config,
                    &stored.templates,
                    ChannelSource::Api,
                )
                .await
            {
                tracing::error!(channel = stored.name, %error, "stored channel no longer valid; not started");
            }
        }
        Ok(manager)
    }

    /// The live registry (for the dispatcher and the watcher).
    pub fn registry(&self) -> &ChannelRegistry {
        &self.registry
    }

    async fn install(
        &self,
        kind: &str,
        config: &Value,
        templates: &BTreeMap<String, String>,
        source: ChannelSource,
    ) -> Result<ChannelView, ManageError> {
        let config = validate_config(kind, config).map_err(ManageError::Invalid)?;
        let shown = view(source, &config, templates);
        let channel = Arc::new(
            ConfiguredChannel::new(config, templates, self.globals.clone())
                .map_err(ManageError::Invalid)?,
        );
        self.registry.insert(channel.clone());
        self.declared.write().await.insert(
            shown.name.clone(),
            Declared {
                view: shown.clone(),
                channel,
            },
        );
        Ok(shown)
    }

    /// Every channel, by name.
    pub async fn list(&self) -> Vec<ChannelView> {
        self.declared
            .read()
            .await
            .values()
            .map(|d| d.view.clone())
            .collect()
    }

    /// Every channel's name, sorted.
    pub async fn names(&self) -> Vec<String> {
        self.declared.read().await.keys().cloned().collect()
    }

    /// One channel.
    pub async fn get(&self, name: &str) -> Result<ChannelView, ManageError> {
        self.declared
            .read()
            .await
            .get(name)
            .map(|d| d.view.clone())
            .ok_or_else(|| ManageError::NotFound(name.into()))
    }

    /// Creates a channel of `kind` from `config` (which holds its `name`) and template
    /// overrides; validated with the kind's description, stored, and live at once.
    pub async fn create(
        &self,
        kind: &str,
        config: Value,
        templates: BTreeMap<String, String>,
    ) -> Result<ChannelView, ManageError> {
        let name = config["name"].as_str().unwrap_or_default().to_string();
        if self.declared.read().await.contains_key(&name) {
            return Err(ManageError::Conflict(name));
        }
        let checked = validate_config(kind, &config).map_err(ManageError::Invalid)?;
        Renderer::new(checked.kind(), &templates, self.globals.clone())
            .map_err(ManageError::Invalid)?;
        let now = now_ms();
        self.store
            .put_channel(&StoredChannel {
                name,
                kind: kind.into(),
                config: checked.to_value(),
                templates: templates.clone(),
                created_ms: now,
                updated_ms: now,
            })
            .await?;
        self.install(kind, &checked.to_value(), &templates, ChannelSource::Api)
            .await
    }

    /// Replaces an API channel's configuration and templates. A secret left blank (or sent
    /// back masked) keeps its stored value; the name cannot change.
    pub async fn update(
        &self,
        name: &str,
        mut config: Value,
        templates: BTreeMap<String, String>,
    ) -> Result<ChannelView, ManageError> {
        let kind = match self.declared.read().await.get(name) {
            None => return Err(ManageError::NotFound(name.into())),
            Some(d) if d.view.source == ChannelSource::File => {
                return Err(ManageError::ReadOnly(name.into()));
            }
            Some(d) => d.view.kind.clone(),
        };
        let stored = self
            .store
            .list_channels()
            .await?
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ManageError::NotFound(name.into()))?;
        if let Some(object) = config.as_object_mut() {
            object.insert("name".into(), Value::String(name.into()));
        }
        if let Some(description) = describe_kind(&kind) {
            merge_secrets(&description, &stored.config, &mut config);
        }
        let checked = validate_config(&kind, &config).map_err(ManageError::Invalid)?;
        Renderer::new(checked.kind(), &templates, self.globals.clone())
            .map_err(ManageError::Invalid)?;
        self.store
            .put_channel(&StoredChannel {
                config: checked.to_value(),
                templates: templates.clone(),
                updated_ms: now_ms(),
                ..stored
            })
            .await?;
        self.install(&kind, &checked.to_value(), &templates, ChannelSource::Api)
            .await
    }

    /// Deletes an API channel; its pending deliveries stay in the outbox.
    pub async fn delete(&self, name: &str) -> Result<(), ManageError> {
        match self.declared.read().await.get(name) {
            None => return Err(ManageError::NotFound(name.into())),
            Some(d) if d.view.source == ChannelSource::File => {
                return Err(ManageError::ReadOnly(name.into()));
            }
            Some(_) => {}
        }
        self.store.delete_channel(name).await?;
        self.declared.write().await.remove(name);
        self.registry.remove(name);
        Ok(())
    }

    /// Sends a test alert through a channel now; its real error when it fails.
    pub async fn test(&self, name: &str) -> Result<(), ManageError> {
        let channel = self
            .declared
            .read()
            .await
            .get(name)
            .map(|d| d.channel.clone())
            .ok_or_else(|| ManageError::NotFound(name.into()))?;
        channel.test_send().await.map_err(ManageError::Send)
    }

    /// Renders `outgoing` with kind `kind`'s templates: `templates` over the defaults, or those of
    /// channel `channel` when given.
    pub async fn preview(
        &self,
        kind: Option<&str>,
        channel: Option<&str>,
        templates: &BTreeMap<String, String>,
        outgoing: &Outgoing,
    ) -> Result<Message, ManageError> {
        let (kind, mut overrides) = match channel {
            Some(name) => {
                let declared = self.declared.read().await;
                let d = declared
                    .get(name)
                    .ok_or_else(|| ManageError::NotFound(name.into()))?;
                (d.view.kind.clone(), d.view.templates.clone())
            }
            None => (kind.unwrap_or_default().to_string(), BTreeMap::new()),
        };
        let Some((kind, _)) = super::configured::KINDS.iter().find(|(k, _)| *k == kind) else {
            return Err(ManageError::Invalid(vec![FieldError {
                field: "kind".into(),
                reason: format!("unknown channel kind {kind:?}"),
            }]));
        };
        overrides.extend(templates.clone());
        let renderer =
            Renderer::new(kind, &overrides, self.globals.clone()).map_err(ManageError::Invalid)?;
        renderer.message(outgoing, false).map_err(ManageError::Send)
    }
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
