//! Uploading a package: a new immutable version of an application.

use crate::{Lifecycle, OpError};
use serde::Serialize;
use streamwarden_apps::package::read_package;
use streamwarden_apps::version::{Version, next_version};
use streamwarden_core::clock::now_ms;
use streamwarden_store::{AppVersion, Application};

/// The outcome of an upload.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    /// The application (created by this upload or existing).
    pub app: Application,
    /// The new version.
    pub version: AppVersion,
    /// What was not understood in meta.json (unknown keys…): reported, not dropped silently.
    pub warnings: Vec<serde_json::Value>,
}

impl Lifecycle {
    /// The version an application's next package (or edit) gets: after its newest.
    pub(crate) async fn next_version(&self, app_id: &str) -> Result<Version, OpError> {
        let versions: Vec<Version> = self
            .store
            .list_versions(app_id)
            .await?
            .iter()
            .filter_map(|v| v.version.parse().ok())
            .collect();
        next_version(&versions).map_err(|e| OpError::Invalid(e.to_string()))
    }

    /// Reads a package zip and stores it as the next version of its application (created from
    /// meta.json's project and job name when new). `project` fills a meta.json without
    /// `projectName`; `cluster` is where a new application runs (default: the first
    /// cluster). A package that is refused leaves nothing behind.
    pub async fn upload(
        &self,
        bytes: &[u8],
        project: Option<&str>,
        cluster: Option<&str>,
        user: &str,
    ) -> Result<Uploaded, OpError> {
        let package = read_package(bytes, &self.limits)?;
        let spec = &package.spec;
        let project = spec
            .project_name
            .clone()
            .or_else(|| project.map(String::from))
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| {
                OpError::Invalid(
                    "meta.json: projectName: required (or give the project with the upload)".into(),
                )
            })?;
        let cluster = cluster.unwrap_or(&self.default_cluster).to_string();
        self.client(&cluster)?;
        let _versioning = self.versioning.lock().await;
        let existing = self.store.find_app(&project, &spec.job_name).await?;
        let version = match &existing {
            Some(app) => self.next_version(&app.id).await?,
            None => Version::FIRST,
        };
        let now = now_ms();
        let app = existing.unwrap_or_else(|| Application {
            id: uuid::Uuid::now_v7().to_string(),
            project: project.clone(),
            name: spec.job_name.clone(),
            job_type: spec.job_type.as_str().into(),
            description: String::new(),
            tags: Vec::new(),
            enabled: true,
            cluster,
            pinned_savepoint: None,
            policy: Default::default(),
            created_ms: now,
            updated_ms: now,
        });
        let app = Application {
            job_type: spec.job_type.as_str().into(),
            description: spec.description.clone().unwrap_or(app.description.clone()),
            tags: if spec.tags.is_empty() {
                app.tags.clone()
            } else {
                spec.tags.clone()
            },
            updated_ms: now,
            ..app
        };
        let dir = self.packages_dir.join(&app.id);
        std::fs::create_dir_all(&dir)
            .map_err(|e| OpError::Io(format!("creating {}: {e}", dir.display())))?;
        let path = dir.join(format!("{version}.zip"));
        std::fs::write(&path, bytes)
            .map_err(|e| OpError::Io(format!("writing {}: {e}", path.display())))?;
        let warnings: Vec<serde_json::Value> = package
            .warnings
            .iter()
            .map(|w| serde_json::to_value(w).unwrap_or_default())
            .collect();
        let record = AppVersion {
            app_id: app.id.clone(),
            version: version.to_string(),
            spec: serde_json::to_value(spec).map_err(|e| OpError::Invalid(e.to_string()))?,
            meta: package.meta_json.clone(),
            warnings: warnings.clone(),
            package: path.display().to_string(),
            source: "upload".into(),
            created_by: user.into(),
            created_ms: now,
        };
        match self.store.add_version(&app, &record).await {
            Ok(app) => Ok(Uploaded {
                version: AppVersion {
                    app_id: app.id.clone(),
                    ..record
                },
                app,
                warnings,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                Err(e.into())
            }
        }
    }
}
