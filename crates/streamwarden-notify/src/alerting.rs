//! Routes, subscriptions and silences: the file's and the API's, kept in agreement with the
//! store, read by every cluster watcher as snapshots.

use crate::channels::ChannelRegistry;
use serde::Serialize;
use std::sync::{Arc, PoisonError, RwLock};
use streamwarden_core::clock::now_ms;
use streamwarden_core::noise::{NoiseConfig, Silence, SilenceMatchers};
use streamwarden_core::routing::{
    JobPattern, Recipients, Route, Routing, SeverityMap, TagRule, check_severity_keys,
};
use streamwarden_store::{Store, StoreError, StoredRoute, StoredSilence};

/// Alerting as configured in the file.
#[derive(Debug, Clone, Default)]
pub struct AlertingConfig {
    /// Routes in order.
    pub routes: Vec<Route>,
    /// The default route.
    pub default_route: Option<Route>,
    /// Global severity overrides.
    pub severity: SeverityMap,
    /// Job tags by name.
    pub tag_rules: Vec<TagRule>,
    /// Grouping, repeat and resolution timing.
    pub noise: NoiseConfig,
}

/// Where a route was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouteSource {
    /// The configuration file (read-only through the API).
    File,
    /// The API or the CLI (stored).
    Api,
}

/// A route as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RouteView {
    /// The route.
    #[serde(flatten)]
    pub route: Route,
    /// Where it was declared.
    pub source: RouteSource,
    /// A user's subscription (a route with an owner), evaluated before the others.
    pub subscription: bool,
}

/// Why an alerting call failed.
#[derive(Debug, thiserror::Error)]
pub enum AlertingError {
    /// The input is invalid: the field and why.
    #[error("{field}: {reason}")]
    Invalid {
        /// Field path.
        field: String,
        /// Why.
        reason: String,
    },
    /// Nothing of that name or id.
    #[error("not found: {0}")]
    NotFound(String),
    /// It is read-only or the name is taken.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &str, reason: impl Into<String>) -> AlertingError {
    AlertingError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// The routes and silences in force.
pub struct AlertingManager {
    store: Arc<dyn Store>,
    config: AlertingConfig,
    registry: ChannelRegistry,
    stored: RwLock<Vec<StoredRoute>>,
    silences: RwLock<Arc<Vec<Silence>>>,
}

impl AlertingManager {
    /// Loads the stored routes and the silences not yet expired.
    pub async fn start(
        store: Arc<dyn Store>,
        config: AlertingConfig,
        registry: ChannelRegistry,
    ) -> Result<AlertingManager, StoreError> {
        let stored = store.list_routes().await?;
        let silences = store
            .list_silences(false, now_ms())
            .await?
            .into_iter()
            .map(|s| s.silence)
            .collect();
        Ok(AlertingManager {
            store,
            config,
            registry,
            stored: RwLock::new(stored),
            silences: RwLock::new(Arc::new(silences)),
        })
    }

    /// Timing of noise control.
    pub fn noise(&self) -> NoiseConfig {
        self.config.noise
    }

    /// The channels.
    pub fn registry(&self) -> &ChannelRegistry {
        &self.registry
    }

    /// The routing in force: subscriptions first (they always go on to the other routes), then
    /// the file's routes, then the API's. With no route but subscriptions and no default route,
    /// the default is every alert to every channel.
    pub fn routing(&self) -> Routing {
        let stored = self.stored.read().unwrap_or_else(PoisonError::into_inner);
        let (subscriptions, others): (Vec<&StoredRoute>, Vec<&StoredRoute>) =
            stored.iter().partition(|r| r.route.owner.is_some());
        let mut routes: Vec<Route> = subscriptions
            .into_iter()
            .map(|r| Route {
                continue_matching: true,
                ..r.route.clone()
            })
            .collect();
        routes.extend(self.config.routes.iter().cloned());
        routes.extend(others.into_iter().map(|r| r.route.clone()));
        let plain = routes.iter().any(|r| r.owner.is_none());
        let default = match &self.config.default_route {
            Some(route) => Some(route.clone()),
            None if !plain => Some(Route::catch_all("default", self.registry.names())),
            None => None,
        };
        Routing {
            routes,
            default,
            severity: self.config.severity.clone(),
            tag_rules: self.config.tag_rules.clone(),
        }
    }

    /// The silences in force or to come.
    pub fn silences(&self) -> Arc<Vec<Silence>> {
        self.silences
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every route, in evaluation order.
    pub fn list_routes(&self) -> Vec<RouteView> {
        let stored = self.stored.read().unwrap_or_else(PoisonError::into_inner);
        let mut views: Vec<RouteView> = stored
            .iter()
            .filter(|r| r.route.owner.is_some())
            .map(|r| RouteView {
                route: r.route.clone(),
                source: RouteSource::Api,
                subscription: true,
            })
            .collect();
        views.extend(self.config.routes.iter().map(|r| RouteView {
            route: r.clone(),
            source: RouteSource::File,
            subscription: false,
        }));
        views.extend(
            stored
                .iter()
                .filter(|r| r.route.owner.is_none())
                .map(|r| RouteView {
                    route: r.route.clone(),
                    source: RouteSource::Api,
                    subscription: false,
                }),
        );
        views
    }

    /// Checks a route: a name, known channels, valid severity keys.
    fn check(&self, route: &Route) -> Result<(), AlertingError> {
        if route.name.trim().is_empty() {
            return Err(invalid("name", "required"));
        }
        if route.channels.is_empty() {
            return Err(invalid("channels", "give at least one channel"));
        }
        for (i, channel) in route.channels.iter().enumerate() {
            if self.registry.get(channel).is_none() {
                return Err(invalid(
                    &format!("channels[{i}]"),
                    format!("no channel named {channel:?}"),
                ));
            }
        }
        check_severity_keys(&route.severity).map_err(|reason| invalid("severity", reason))
    }

    /// Creates (or, with `replace`, replaces) an API route.
    pub async fn put_route(&self, route: Route, replace: bool) -> Result<RouteView, AlertingError> {
        self.check(&route)?;
        if self.config.routes.iter().any(|r| r.name == route.name) {
            return Err(AlertingError::Conflict(format!(
                "route {:?} is declared in the configuration file and read-only here",
                route.name
            )));
        }
        let existing = self
            .stored
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|r| r.route.name == route.name)
            .cloned();
        if existing.is_some() && !replace {
            return Err(AlertingError::Conflict(format!(
                "a route named {:?} already exists",
                route.name
            )));
        }
        if existing.is_none() && replace {
            return Err(AlertingError::NotFound(format!("route {}", route.name)));
        }
        let now = now_ms();
        let position = existing.as_ref().map_or_else(
            || {
                self.stored
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter()
                    .map(|r| r.position + 1)
                    .max()
                    .unwrap_or(0)
            },
            |r| r.position,
        );
        let stored = StoredRoute {
            route: route.clone(),
            position,
            created_ms: existing.as_ref().map_or(now, |r| r.created_ms),
            updated_ms: now,
        };
        self.store.put_route(&stored).await?;
        let mut routes = self.stored.write().unwrap_or_else(PoisonError::into_inner);
        routes.retain(|r| r.route.name != route.name);
        routes.push(stored);
        routes.sort_by_key(|r| r.position);
        Ok(RouteView {
            subscription: route.owner.is_some(),
            route,
            source: RouteSource::Api,
        })
    }

    /// Deletes an API route or subscription.
    pub async fn delete_route(&self, name: &str) -> Result<(), AlertingError> {
        if self.config.routes.iter().any(|r| r.name == name) {
            return Err(AlertingError::Conflict(format!(
                "route {name:?} is declared in the configuration file and read-only here"
            )));
        }
        self.store.delete_route(name).await.map_err(|e| match e {
            StoreError::NotFound(_) => AlertingError::NotFound(format!("route {name}")),
            other => other.into(),
        })?;
        self.stored
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|r| r.route.name != name);
        Ok(())
    }

    /// Subscribes `user` to a job (name pattern) or a tag through `channels`: a route owned by
    /// the user, named `subscription:<user>:<job or tag>`.
    pub async fn subscribe(
        &self,
        user: &str,
        job: Option<&str>,
        tag: Option<&str>,
        channels: Vec<String>,
        recipients: Recipients,
    ) -> Result<RouteView, AlertingError> {
        if user.trim().is_empty() {
            return Err(invalid("user", "required"));
        }
        let (jobs, tags, what) = match (job, tag) {
            (Some(job), None) => (
                vec![JobPattern::parse(job).map_err(|reason| invalid("job", reason))?],
                vec![],
                job,
            ),
            (None, Some(tag)) => (vec![], vec![tag.to_string()], tag),
            _ => return Err(invalid("job", "give a job or a tag")),
        };
        let route = Route {
            jobs,
            tags,
            recipients,
            owner: Some(user.to_string()),
            continue_matching: true,
            ..Route::catch_all(&format!("subscription:{user}:{what}"), channels)
        };
        let exists = self
            .stored
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|r| r.route.name == route.name);
        self.put_route(route, exists).await
    }

    /// Creates a silence; it applies from `starts_ms` until `ends_ms`.
    pub async fn create_silence(
        &self,
        matchers: SilenceMatchers,
        starts_ms: i64,
        ends_ms: i64,
        author: &str,
        comment: &str,
        id: String,
    ) -> Result<Silence, AlertingError> {
        let now = now_ms();
        if ends_ms <= starts_ms {
            return Err(invalid("ends_at", "must be after starts_at"));
        }
        if ends_ms <= now {
            return Err(invalid("ends_at", "is already past"));
        }
        if author.trim().is_empty() {
            return Err(invalid("author", "required"));
        }
        if comment.trim().is_empty() {
            return Err(invalid(
                "comment",
                "say why (it is shown with every muted alert)",
            ));
        }
        let silence = Silence {
            id,
            matchers,
            starts_ms,
            ends_ms,
            author: author.into(),
            comment: comment.into(),
        };
        self.store
            .put_silence(&StoredSilence {
                silence: silence.clone(),
                created_ms: now,
            })
            .await?;
        self.refresh_silences().await?;
        Ok(silence)
    }

    /// Ends a silence now.
    pub async fn expire_silence(&self, id: &str) -> Result<(), AlertingError> {
        let now = now_ms();
        let mut stored = self
            .store
            .list_silences(true, now)
            .await?
            .into_iter()
            .find(|s| s.silence.id == id)
            .ok_or_else(|| AlertingError::NotFound(format!("silence {id}")))?;
        stored.silence.ends_ms = stored.silence.ends_ms.min(now);
        stored.silence.starts_ms = stored.silence.starts_ms.min(stored.silence.ends_ms);
        self.store.put_silence(&stored).await?;
        self.refresh_silences().await
    }

    async fn refresh_silences(&self) -> Result<(), AlertingError> {
        let silences: Vec<Silence> = self
            .store
            .list_silences(false, now_ms())
            .await?
            .into_iter()
            .map(|s| s.silence)
            .collect();
        *self
            .silences
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(silences);
        Ok(())
    }
}
