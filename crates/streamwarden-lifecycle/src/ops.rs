//! Start, stop, savepoint and inspect one application.

use crate::flink::{has_ended, job_state, root_cause, wait_for_savepoint, wait_for_state};
use crate::{Lifecycle, OpError};
use base64::Engine;
use flink_client::{JarRunRequest, SavepointRequest};
use serde::{Deserialize, Serialize};
use streamwarden_apps::inspect::{Inspection, inspect};
use streamwarden_apps::meta::{JobSpec, JobType, SqlSource};
use streamwarden_apps::package::read_package;
use streamwarden_apps::restore::{
    RestorePoint, Snapshot, SnapshotKind, SnapshotSource, restore_point_for_start,
    scan_snapshot_location,
};
use streamwarden_core::clock::now_ms;
use streamwarden_core::healing::AppPolicy;
use streamwarden_store::{AppVersion, Application, Run, RunStatus, StoredSnapshot};

/// How to start an application.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Version to start (default: the newest).
    #[serde(default)]
    pub version: Option<String>,
    /// Restore from this snapshot instead of the chosen one; `"none"` starts without state.
    #[serde(default)]
    pub restore: Option<String>,
    /// Let Flink skip savepoint state that maps to no operator.
    #[serde(default)]
    pub allow_non_restored_state: bool,
    /// Overrides the version's auto-restore switch (meta.json
    /// `wds.linkis.flink.app.start-auto-restore.switch`) when no `restore` is given.
    #[serde(default)]
    pub auto_restore: Option<bool>,
}

/// How to stop an application.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopRequest {
    /// Stop with a savepoint (Flink's stop-with-savepoint) rather than cancel.
    #[serde(default)]
    pub savepoint: bool,
    /// Where the savepoint goes (default: the application's savepoint directory, else the
    /// cluster's).
    #[serde(default)]
    pub target_directory: Option<String>,
}

/// What self-healing records on a run whose start failed (see [`Run::healing`]).
pub const FAILED_START: &str = "not restarted: the start failed";

const ACTIVE: [RunStatus; 3] = [RunStatus::Starting, RunStatus::Running, RunStatus::Stopping];

impl Lifecycle {
    /// The application, or `NotFound`.
    pub async fn app(&self, id: &str) -> Result<Application, OpError> {
        self.store
            .get_app(id)
            .await?
            .ok_or_else(|| OpError::NotFound(format!("application {id}")))
    }

    async fn version(
        &self,
        app: &Application,
        version: Option<&str>,
    ) -> Result<AppVersion, OpError> {
        let versions = self.store.list_versions(&app.id).await?;
        match version {
            Some(v) => versions
                .into_iter()
                .find(|x| x.version == v)
                .ok_or_else(|| OpError::NotFound(format!("version {v} of {}", app.name))),
            None => versions
                .into_iter()
                .last()
                .ok_or_else(|| OpError::NotFound(format!("a version of {}", app.name))),
        }
    }

    /// The application's current run (starting, running or stopping), if any.
    pub async fn active_run(&self, app_id: &str) -> Result<Option<Run>, OpError> {
        Ok(self
            .store
            .list_runs(app_id, 20)
            .await?
            .into_iter()
            .find(|r| ACTIVE.contains(&r.status)))
    }

    /// Whether a RUNNING run's job ended without StreamWarden seeing it end (cancelled through
    /// Flink's UI, say): it is then recorded as ended and no longer blocks a start.
    async fn ended_meanwhile(&self, run: &Run) -> Result<bool, OpError> {
        if run.status != RunStatus::Running {
            return Ok(false);
        }
        Ok(self
            .reconcile_run(run)
            .await?
            .is_some_and(|r| !ACTIVE.contains(&r.to)))
    }

    /// The restore point a start of `spec` would use: the user's pin, else — with
    /// auto-restore on — the newest snapshot recorded or found in the checkpoint and savepoint
    /// directories.
    async fn restore_point(
        &self,
        app: &Application,
        spec: &JobSpec,
        auto_restore: bool,
    ) -> Result<Option<RestorePoint>, OpError> {
        let mut candidates: Vec<Snapshot> = self
            .store
            .list_snapshots(&app.id)
            .await?
            .into_iter()
            .map(|s| Snapshot {
                kind: if s.kind == "checkpoint" {
                    SnapshotKind::Checkpoint
                } else {
                    SnapshotKind::Savepoint
                },
                path: s.path,
                completed_ms: s.completed_ms,
                source: SnapshotSource::Recorded,
            })
            .collect();
        if let Some(dir) = &spec.savepoint_dir {
            candidates.extend(scan_snapshot_location(dir, SnapshotKind::Savepoint));
        }
        if let Some(dir) = &spec.checkpoint_dir {
            candidates.extend(scan_snapshot_location(dir, SnapshotKind::Checkpoint));
        }
        let pinned = app
            .pinned_savepoint
            .clone()
            .or(spec.restore_savepoint.clone());
        Ok(restore_point_for_start(
            pinned.as_deref(),
            auto_restore,
            &candidates,
        ))
    }

    /// The restore point (path) a start of `version` would use now, with the auto-restore
    /// switch `auto_restore` (`None`: the version's own); `None` when it would start without
    /// state.
    pub async fn restore_path_for(
        &self,
        app_id: &str,
        version: &str,
        auto_restore: Option<bool>,
    ) -> Result<Option<String>, OpError> {
        let app = self.app(app_id).await?;
        let version = self.version(&app, Some(version)).await?;
        let spec: JobSpec =
            serde_json::from_value(version.spec).map_err(|e| OpError::Invalid(e.to_string()))?;
        let switch = auto_restore.unwrap_or(spec.auto_restore);
        Ok(self
            .restore_point(&app, &spec, switch)
            .await?
            .map(|r| r.path().to_string()))
    }

    /// The checks a start needs confirmed: the version about to run against the last one run,
    /// and the snapshot it would restore from; empty when there is nothing to confirm.
    pub async fn inspect(
        &self,
        app_id: &str,
        version: Option<&str>,
    ) -> Result<Vec<Inspection>, OpError> {
        let app = self.app(app_id).await?;
        let to_run = self.version(&app, version).await?;
        let spec: JobSpec = serde_json::from_value(to_run.spec.clone())
            .map_err(|e| OpError::Invalid(e.to_string()))?;
        let last = self.store.list_runs(&app.id, 1).await?.into_iter().next();
        let to = to_run
            .version
            .parse()
            .map_err(|_| OpError::Invalid(format!("version {}", to_run.version)))?;
        let from = last.and_then(|r| r.version.parse().ok());
        let restore = self.restore_point(&app, &spec, spec.auto_restore).await?;
        Ok(inspect(to, from, restore.as_ref()))
    }

    /// Starts a version of the application: uploads its jar (or the SQL runner) to the
    /// cluster, runs it with its arguments, parallelism, Flink configuration and restore
    /// point, and waits until the job is RUNNING and stays up for the settle time. A job that
    /// fails meanwhile is a failed start, reported with its root exception.
    pub async fn start(
        &self,
        app_id: &str,
        request: &StartRequest,
        user: &str,
    ) -> Result<Run, OpError> {
        let app = self.app(app_id).await?;
        if !app.enabled {
            return Err(OpError::Conflict(format!(
                "application {} is disabled: enable it before starting it",
                app.name
            )));
        }
        if let Some(run) = self.active_run(&app.id).await?
            && !self.ended_meanwhile(&run).await?
        {
            return Err(OpError::Conflict(format!(
                "application {} already has a {} run ({}, job {})",
                app.name,
                run.status.as_str(),
                run.version,
                run.jid.unwrap_or_else(|| "not yet submitted".into())
            )));
        }
        let version = self.version(&app, request.version.as_deref()).await?;
        let spec: JobSpec = serde_json::from_value(version.spec.clone())
            .map_err(|e| OpError::Invalid(e.to_string()))?;
        let restore_path = match request.restore.as_deref() {
            Some("none") => None,
            Some(path) => Some(path.to_string()),
            None => self
                .restore_point(
                    &app,
                    &spec,
                    request.auto_restore.unwrap_or(spec.auto_restore),
                )
                .await?
                .map(|r| r.path().to_string()),
        };
        self.client(&app.cluster)?;
        let mut run = Run {
            id: uuid::Uuid::now_v7().to_string(),
            app_id: app.id.clone(),
            version: version.version.clone(),
            cluster: app.cluster.clone(),
            jid: None,
            status: RunStatus::Starting,
            restore_path: restore_path.clone(),
            started_by: user.into(),
            started_ms: now_ms(),
            ended_ms: None,
            stop_requested_by: None,
            savepoint_path: None,
            message: None,
            healing: None,
        };
        // The intent is stored first: a restart of StreamWarden in the middle finds it.
        self.store.put_run(&run).await?;
        let outcome = self
            .submit(
                &app,
                &version,
                &spec,
                restore_path,
                request.allow_non_restored_state,
                &mut run,
            )
            .await;
        match outcome {
            Ok(()) => {
                run.status = RunStatus::Running;
                self.store.put_run(&run).await?;
                tracing::info!(
                    app = app.name,
                    version = run.version,
                    job_id = run.jid.as_deref(),
                    user,
                    "started"
                );
                Ok(run)
            }
            Err(error) => {
                // A job submitted but not confirmed (a timeout, a REST error, an odd state) must
                // not run on unseen: it is cancelled, so a retry never makes a second copy.
                if let (Some(jid), Ok(client)) = (&run.jid, self.client(&app.cluster)) {
                    let state = job_state(client, jid).await.ok().flatten();
                    if !state.as_deref().is_some_and(has_ended)
                        && let Err(e) = client.cancel_job(jid).await
                    {
                        tracing::warn!(job_id = jid, error = %e, "cancelling the job of a failed start");
                    }
                }
                run.status = RunStatus::Failed;
                run.ended_ms = Some(now_ms());
                run.message = Some(error.to_string());
                // A failed start is reported, never restarted by self-healing.
                run.healing = Some(FAILED_START.into());
                self.store.put_run(&run).await?;
                tracing::warn!(app = app.name, version = run.version, %error, "start failed");
                Err(error)
            }
        }
    }

    async fn submit(
        &self,
        app: &Application,
        version: &AppVersion,
        spec: &JobSpec,
        restore_path: Option<String>,
        allow_non_restored_state: bool,
        run: &mut Run,
    ) -> Result<(), OpError> {
        let client = self.client(&app.cluster)?;
        let mut configuration = spec.flink_configuration.clone();
        if let Some(interval) = spec.checkpoint_interval_ms.filter(|_| spec.checkpointing) {
            configuration.insert(
                "execution.checkpointing.interval".into(),
                format!("{interval}ms"),
            );
        }
        let (jar_name, jar, entry_class, args) = match spec.job_type {
            JobType::FlinkJar => {
                let bytes = std::fs::read(&version.package)
                    .map_err(|e| OpError::Io(format!("reading {}: {e}", version.package)))?;
                let package = read_package(&bytes, &self.limits)?;
                let jar = package.jar.ok_or_else(|| {
                    OpError::Invalid(format!("version {} has no jar", version.version))
                })?;
                (
                    spec.jar.clone().unwrap_or_else(|| "job.jar".into()),
                    jar,
                    spec.entry_class.clone(),
                    spec.program_args.clone(),
                )
            }
            JobType::FlinkSql => {
                let runner = self.sql_runner.as_ref().ok_or_else(|| {
                    OpError::Invalid("flink.sql jobs need the SQL runner jar (scripts/flink.sh sqlrunner; sql_runner in the configuration)".into())
                })?;
                let jar = std::fs::read(runner)
                    .map_err(|e| OpError::Io(format!("reading {}: {e}", runner.display())))?;
                let sql = match &spec.sql {
                    Some(SqlSource::Inline { sql }) => sql.clone(),
                    Some(SqlSource::File { .. }) => {
                        let bytes = std::fs::read(&version.package).map_err(|e| {
                            OpError::Io(format!("reading {}: {e}", version.package))
                        })?;
                        read_package(&bytes, &self.limits)?.sql.ok_or_else(|| {
                            OpError::Invalid(format!("version {} has no SQL", version.version))
                        })?
                    }
                    None => {
                        return Err(OpError::Invalid(format!(
                            "version {} has no SQL",
                            version.version
                        )));
                    }
                };
                configuration
                    .entry("pipeline.name".into())
                    .or_insert_with(|| app.name.clone());
                let encoded = base64::engine::general_purpose::STANDARD.encode(sql.as_bytes());
                (
                    "sql-runner.jar".into(),
                    jar,
                    None,
                    vec!["--sql-base64".into(), encoded],
                )
            }
        };
        let uploaded = client
            .upload_jar(&jar_name, jar)
            .await
            .map_err(|e| OpError::Flink(e.to_string()))?;
        let request = JarRunRequest {
            entry_class,
            program_args_list: args,
            parallelism: Some(spec.parallelism),
            savepoint_path: restore_path,
            allow_non_restored_state: Some(allow_non_restored_state),
            flink_configuration: configuration,
        };
        let submitted = client.run_jar(uploaded.jar_id(), &request).await;
        let _ = client.delete_jar(uploaded.jar_id()).await;
        let jid = submitted.map_err(|e| OpError::Flink(e.to_string()))?.job_id;
        run.jid = Some(jid.clone());
        self.store.put_run(run).await?;
        let state = wait_for_state(
            client,
            &jid,
            &["RUNNING"],
            self.timeouts.start,
            self.timeouts.poll,
        )
        .await?;
        if state == "RUNNING" {
            tokio::time::sleep(self.timeouts.settle).await;
            let now = job_state(client, &jid)
                .await
                .ok()
                .flatten()
                .unwrap_or(state);
            if now == "RUNNING" || now == "RESTARTING" {
                return Ok(());
            }
            return Err(self.failed_start(client, &jid, &now).await);
        }
        Err(self.failed_start(client, &jid, &state).await)
    }

    async fn failed_start(
        &self,
        client: &flink_client::FlinkClient,
        jid: &str,
        state: &str,
    ) -> OpError {
        let cause = root_cause(client, jid).await;
        OpError::Flink(format!(
            "job {jid} went {state} right after its start{}",
            cause.map(|c| format!(": {c}")).unwrap_or_default()
        ))
    }

    /// Stops the application's running job: with a savepoint (recorded as a snapshot and on
    /// the run) or by cancelling it. The stop is recorded before it is issued, so the watcher
    /// records the job's end as this operation, not as an incident.
    pub async fn stop(
        &self,
        app_id: &str,
        request: &StopRequest,
        user: &str,
    ) -> Result<Run, OpError> {
        let app = self.app(app_id).await?;
        let mut run = self
            .active_run(&app.id)
            .await?
            .filter(|r| r.jid.is_some())
            .ok_or_else(|| OpError::Conflict(format!("application {} is not running", app.name)))?;
        let jid = run.jid.clone().unwrap_or_default();
        let client = self.client(&run.cluster)?;
        let previous = run.status;
        run.status = RunStatus::Stopping;
        run.stop_requested_by = Some(user.into());
        self.store.put_run(&run).await?;
        let result = if request.savepoint {
            self.stop_with_savepoint(&app, &mut run, request.target_directory.clone())
                .await
        } else {
            match client.cancel_job(&jid).await {
                Ok(()) => wait_for_state(
                    client,
                    &jid,
                    &["CANCELED"],
                    self.timeouts.stop,
                    self.timeouts.poll,
                )
                .await
                .map(|_| ()),
                Err(e) => Err(OpError::Flink(e.to_string())),
            }
        };
        match result {
            Ok(()) => {
                run.status = RunStatus::Stopped;
                run.ended_ms = Some(now_ms());
                self.store.put_run(&run).await?;
                tracing::info!(
                    app = app.name,
                    job_id = jid,
                    user,
                    savepoint = run.savepoint_path.as_deref(),
                    "stopped"
                );
                Ok(run)
            }
            Err(error) => {
                // The job goes on (a failed stop-with-savepoint leaves it running). Who asked
                // is kept: should the job end after all, it is still their stop, not an
                // incident to heal.
                run.status = previous;
                run.message = Some(format!("stop failed: {error}"));
                self.store.put_run(&run).await?;
                Err(error)
            }
        }
    }

    async fn savepoint_dir(
        &self,
        app: &Application,
        run: &Run,
        requested: Option<String>,
    ) -> Option<String> {
        if requested.is_some() {
            return requested;
        }
        let version = self.version(app, Some(&run.version)).await.ok()?;
        serde_json::from_value::<JobSpec>(version.spec)
            .ok()?
            .savepoint_dir
    }

    async fn stop_with_savepoint(
        &self,
        app: &Application,
        run: &mut Run,
        target: Option<String>,
    ) -> Result<(), OpError> {
        let jid = run.jid.clone().unwrap_or_default();
        let client = self.client(&run.cluster)?;
        let target_directory = self.savepoint_dir(app, run, target).await;
        let trigger = client
            .stop_job(
                &jid,
                &flink_client::StopRequest {
                    drain: false,
                    target_directory,
                    format_type: None,
                },
            )
            .await
            .map_err(|e| OpError::Flink(e.to_string()))?;
        let location = wait_for_savepoint(client, &jid, &trigger, &self.timeouts).await?;
        self.record_snapshot(app, run, &location).await?;
        run.savepoint_path = Some(location);
        wait_for_state(
            client,
            &jid,
            &["FINISHED"],
            self.timeouts.stop,
            self.timeouts.poll,
        )
        .await?;
        Ok(())
    }

    async fn record_snapshot(
        &self,
        app: &Application,
        run: &Run,
        location: &str,
    ) -> Result<(), OpError> {
        self.store
            .put_snapshot(&StoredSnapshot {
                app_id: app.id.clone(),
                path: location.into(),
                kind: "savepoint".into(),
                completed_ms: now_ms(),
                run_id: Some(run.id.clone()),
            })
            .await?;
        Ok(())
    }

    /// Triggers a savepoint of the running job and records it; its location.
    pub async fn savepoint(
        &self,
        app_id: &str,
        target_directory: Option<String>,
    ) -> Result<String, OpError> {
        let app = self.app(app_id).await?;
        let run = self
            .active_run(&app.id)
            .await?
            .filter(|r| r.status == RunStatus::Running && r.jid.is_some())
            .ok_or_else(|| OpError::Conflict(format!("application {} is not running", app.name)))?;
        let jid = run.jid.clone().unwrap_or_default();
        let client = self.client(&run.cluster)?;
        let target_directory = self.savepoint_dir(&app, &run, target_directory).await;
        let trigger = client
            .trigger_savepoint(
                &jid,
                &SavepointRequest {
                    target_directory,
                    cancel_job: false,
                    format_type: None,
                },
            )
            .await
            .map_err(|e| OpError::Flink(e.to_string()))?;
        let location = wait_for_savepoint(client, &jid, &trigger, &self.timeouts).await?;
        self.record_snapshot(&app, &run, &location).await?;
        Ok(location)
    }

    /// Replaces the program arguments: a new version (source `edit`) with the same package and
    /// the new arguments, as Streamis does; the running job is not touched.
    pub async fn edit_args(
        &self,
        app_id: &str,
        args: Vec<String>,
        user: &str,
    ) -> Result<AppVersion, OpError> {
        let _versioning = self.versioning.lock().await;
        let app = self.app(app_id).await?;
        let latest = self.version(&app, None).await?;
        let mut spec: JobSpec = serde_json::from_value(latest.spec.clone())
            .map_err(|e| OpError::Invalid(e.to_string()))?;
        if spec.job_type != JobType::FlinkJar {
            return Err(OpError::Invalid(
                "args: only flink.jar applications take program arguments".into(),
            ));
        }
        spec.program_args = args.clone();
        let mut meta = latest.meta.clone();
        meta["jobContent"]["args"] = serde_json::json!(args);
        let next = self.next_version(&app.id).await?;
        let version = AppVersion {
            app_id: app.id.clone(),
            version: next.to_string(),
            spec: serde_json::to_value(&spec).map_err(|e| OpError::Invalid(e.to_string()))?,
            meta,
            warnings: Vec::new(),
            package: latest.package.clone(),
            source: "edit".into(),
            created_by: user.into(),
            created_ms: now_ms(),
        };
        self.store
            .add_version(
                &Application {
                    updated_ms: now_ms(),
                    ..app
                },
                &version,
            )
            .await?;
        Ok(version)
    }

    /// Enables or disables an application (a disabled one cannot be started).
    pub async fn set_enabled(&self, app_id: &str, enabled: bool) -> Result<Application, OpError> {
        let mut app = self.app(app_id).await?;
        app.enabled = enabled;
        app.updated_ms = now_ms();
        self.store.update_app(&app).await?;
        Ok(app)
    }

    /// Flink's state of job `jid` on `cluster` (`/jobs/overview`); `None` when not listed.
    pub async fn flink_job_state(
        &self,
        cluster: &str,
        jid: &str,
    ) -> Result<Option<String>, OpError> {
        job_state(self.client(cluster)?, jid).await
    }

    /// Replaces an application's own self-healing policy (its overrides of the global
    /// defaults). `Invalid` names every out-of-range field (`restart.max_restarts: must be at
    /// least 1 …`); nothing is changed then.
    pub async fn set_policy(
        &self,
        app_id: &str,
        policy: AppPolicy,
    ) -> Result<Application, OpError> {
        let errors = policy.errors();
        if !errors.is_empty() {
            return Err(OpError::Invalid(
                errors
                    .iter()
                    .map(|(field, reason)| format!("{field}: {reason}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        let mut app = self.app(app_id).await?;
        app.policy = policy;
        app.updated_ms = now_ms();
        self.store.update_app(&app).await?;
        Ok(app)
    }

    /// Replaces an application's tags (Streamis' rule: letters, digits, `_`, `.`, `,`, up to
    /// 64 characters each).
    pub async fn set_tags(&self, app_id: &str, tags: Vec<String>) -> Result<Application, OpError> {
        for (i, tag) in tags.iter().enumerate() {
            let ok = !tag.is_empty()
                && tag.len() <= 64
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ','));
            if !ok {
                return Err(OpError::Invalid(format!(
                    "tags[{i}]: {tag:?} may hold only letters, digits, '_', '.' and ',' (1 to 64)"
                )));
            }
        }
        let mut app = self.app(app_id).await?;
        app.tags = tags;
        app.updated_ms = now_ms();
        self.store.update_app(&app).await?;
        Ok(app)
    }
}
