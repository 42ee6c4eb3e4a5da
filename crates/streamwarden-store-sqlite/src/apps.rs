//! Applications, versions, runs and snapshots in SQLite.

use crate::rows::{backend, corrupt};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use streamwarden_store::{
    AppFilter, AppVersion, Application, Run, RunStatus, StoreError, StoreResult, StoredSnapshot,
};

fn app_from_row(row: &SqliteRow) -> StoreResult<Application> {
    let tags: String = row.try_get("tags").map_err(backend)?;
    let policy: String = row.try_get("policy").map_err(backend)?;
    Ok(Application {
        id: row.try_get("id").map_err(backend)?,
        project: row.try_get("project").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        job_type: row.try_get("job_type").map_err(backend)?,
        description: row.try_get("description").map_err(backend)?,
        tags: serde_json::from_str(&tags).map_err(corrupt("applications"))?,
        enabled: row.try_get("enabled").map_err(backend)?,
        cluster: row.try_get("cluster").map_err(backend)?,
        pinned_savepoint: row.try_get("pinned_savepoint").map_err(backend)?,
        policy: serde_json::from_str(&policy).map_err(corrupt("applications"))?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
        updated_ms: row.try_get("updated_ms").map_err(backend)?,
    })
}

fn version_from_row(row: &SqliteRow) -> StoreResult<AppVersion> {
    let json = |column: &str| -> StoreResult<serde_json::Value> {
        let text: String = row.try_get(column).map_err(backend)?;
        serde_json::from_str(&text).map_err(corrupt("app_versions"))
    };
    Ok(AppVersion {
        app_id: row.try_get("app_id").map_err(backend)?,
        version: row.try_get("version").map_err(backend)?,
        spec: json("spec")?,
        meta: json("meta")?,
        warnings: serde_json::from_value(json("warnings")?).map_err(corrupt("app_versions"))?,
        package: row.try_get("package").map_err(backend)?,
        source: row.try_get("source").map_err(backend)?,
        created_by: row.try_get("created_by").map_err(backend)?,
        created_ms: row.try_get("created_ms").map_err(backend)?,
    })
}

fn run_from_row(row: &SqliteRow) -> StoreResult<Run> {
    let status: String = row.try_get("status").map_err(backend)?;
    Ok(Run {
        id: row.try_get("id").map_err(backend)?,
        app_id: row.try_get("app_id").map_err(backend)?,
        version: row.try_get("version").map_err(backend)?,
        cluster: row.try_get("cluster").map_err(backend)?,
        jid: row.try_get("jid").map_err(backend)?,
        status: RunStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
            table: "runs",
            reason: format!("unknown status {status:?}"),
        })?,
        restore_path: row.try_get("restore_path").map_err(backend)?,
        started_by: row.try_get("started_by").map_err(backend)?,
        started_ms: row.try_get("started_ms").map_err(backend)?,
        ended_ms: row.try_get("ended_ms").map_err(backend)?,
        stop_requested_by: row.try_get("stop_requested_by").map_err(backend)?,
        savepoint_path: row.try_get("savepoint_path").map_err(backend)?,
        message: row.try_get("message").map_err(backend)?,
        healing: row.try_get("healing").map_err(backend)?,
    })
}

pub(crate) async fn add_version(
    pool: &SqlitePool,
    app: &Application,
    version: &AppVersion,
) -> StoreResult<Application> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let tags = serde_json::to_string(&app.tags).map_err(corrupt("applications"))?;
    let policy = serde_json::to_string(&app.policy).map_err(corrupt("applications"))?;
    sqlx::query(
        "INSERT INTO applications (id, project, name, job_type, description, tags, enabled, cluster, \
         pinned_savepoint, policy, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (project, name) DO UPDATE SET job_type = excluded.job_type, \
         description = excluded.description, tags = excluded.tags, updated_ms = excluded.updated_ms",
    )
    .bind(&app.id)
    .bind(&app.project)
    .bind(&app.name)
    .bind(&app.job_type)
    .bind(&app.description)
    .bind(tags)
    .bind(app.enabled)
    .bind(&app.cluster)
    .bind(&app.pinned_savepoint)
    .bind(policy)
    .bind(app.created_ms)
    .bind(app.updated_ms)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    let stored = sqlx::query("SELECT * FROM applications WHERE project = ? AND name = ?")
        .bind(&app.project)
        .bind(&app.name)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    let stored = app_from_row(&stored)?;
    sqlx::query(
        "INSERT INTO app_versions (app_id, version, spec, meta, warnings, package, source, \
         created_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&stored.id)
    .bind(&version.version)
    .bind(version.spec.to_string())
    .bind(version.meta.to_string())
    .bind(serde_json::Value::from(version.warnings.clone()).to_string())
    .bind(&version.package)
    .bind(&version.source)
    .bind(&version.created_by)
    .bind(version.created_ms)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(stored)
}

pub(crate) async fn get_app(pool: &SqlitePool, id: &str) -> StoreResult<Option<Application>> {
    sqlx::query("SELECT * FROM applications WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .as_ref()
        .map(app_from_row)
        .transpose()
}

pub(crate) async fn find_app(
    pool: &SqlitePool,
    project: &str,
    name: &str,
) -> StoreResult<Option<Application>> {
    sqlx::query("SELECT * FROM applications WHERE project = ? AND name = ?")
        .bind(project)
        .bind(name)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .as_ref()
        .map(app_from_row)
        .transpose()
}

pub(crate) async fn list_apps(
    pool: &SqlitePool,
    filter: &AppFilter,
) -> StoreResult<Vec<Application>> {
    let apps = sqlx::query(
        "SELECT * FROM applications WHERE (?1 IS NULL OR project = ?1) \
         AND (?2 IS NULL OR instr(name, ?2) > 0) ORDER BY project, name",
    )
    .bind(&filter.project)
    .bind(&filter.name)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(app_from_row)
    .collect::<StoreResult<Vec<_>>>()?;
    Ok(apps
        .into_iter()
        .filter(|a| filter.tag.as_ref().is_none_or(|t| a.tags.contains(t)))
        .collect())
}

pub(crate) async fn update_app(pool: &SqlitePool, app: &Application) -> StoreResult<()> {
    let tags = serde_json::to_string(&app.tags).map_err(corrupt("applications"))?;
    let policy = serde_json::to_string(&app.policy).map_err(corrupt("applications"))?;
    let done = sqlx::query(
        "UPDATE applications SET description = ?, tags = ?, enabled = ?, cluster = ?, \
         pinned_savepoint = ?, policy = ?, updated_ms = ? WHERE id = ?",
    )
    .bind(&app.description)
    .bind(tags)
    .bind(app.enabled)
    .bind(&app.cluster)
    .bind(&app.pinned_savepoint)
    .bind(policy)
    .bind(app.updated_ms)
    .bind(&app.id)
    .execute(pool)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("application {}", app.id)));
    }
    Ok(())
}

pub(crate) async fn list_versions(pool: &SqlitePool, app_id: &str) -> StoreResult<Vec<AppVersion>> {
    sqlx::query("SELECT * FROM app_versions WHERE app_id = ? ORDER BY version")
        .bind(app_id)
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(version_from_row)
        .collect()
}

pub(crate) async fn put_run(pool: &SqlitePool, run: &Run) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO runs (id, app_id, version, cluster, jid, status, restore_path, started_by, \
         started_ms, ended_ms, stop_requested_by, savepoint_path, message, healing) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET \
         jid = excluded.jid, status = excluded.status, restore_path = excluded.restore_path, \
         ended_ms = excluded.ended_ms, stop_requested_by = excluded.stop_requested_by, \
         savepoint_path = excluded.savepoint_path, message = excluded.message, \
         healing = excluded.healing",
    )
    .bind(&run.id)
    .bind(&run.app_id)
    .bind(&run.version)
    .bind(&run.cluster)
    .bind(&run.jid)
    .bind(run.status.as_str())
    .bind(&run.restore_path)
    .bind(&run.started_by)
    .bind(run.started_ms)
    .bind(run.ended_ms)
    .bind(&run.stop_requested_by)
    .bind(&run.savepoint_path)
    .bind(&run.message)
    .bind(&run.healing)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn list_runs(
    pool: &SqlitePool,
    app_id: &str,
    limit: u32,
) -> StoreResult<Vec<Run>> {
    sqlx::query("SELECT * FROM runs WHERE app_id = ? ORDER BY started_ms DESC, id DESC LIMIT ?")
        .bind(app_id)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(run_from_row)
        .collect()
}

pub(crate) async fn runs_with_status(
    pool: &SqlitePool,
    statuses: &[RunStatus],
) -> StoreResult<Vec<Run>> {
    // ",starting,stopping," — a status matches when ",<status>," is in it.
    let wanted: String = statuses
        .iter()
        .map(|s| format!(",{}", s.as_str()))
        .collect::<String>()
        + ",";
    sqlx::query(
        "SELECT * FROM runs WHERE instr(?, ',' || status || ',') > 0 ORDER BY started_ms, id",
    )
    .bind(wanted)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(run_from_row)
    .collect()
}

pub(crate) async fn run_of_job(
    pool: &SqlitePool,
    cluster: &str,
    jid: &str,
) -> StoreResult<Option<Run>> {
    sqlx::query("SELECT * FROM runs WHERE jid = ? AND cluster = ? ORDER BY started_ms DESC LIMIT 1")
        .bind(jid)
        .bind(cluster)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .as_ref()
        .map(run_from_row)
        .transpose()
}

pub(crate) async fn put_snapshot(pool: &SqlitePool, snapshot: &StoredSnapshot) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO snapshots (app_id, path, kind, completed_ms, run_id) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (app_id, path) DO NOTHING",
    )
    .bind(&snapshot.app_id)
    .bind(&snapshot.path)
    .bind(&snapshot.kind)
    .bind(snapshot.completed_ms)
    .bind(&snapshot.run_id)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn list_snapshots(
    pool: &SqlitePool,
    app_id: &str,
) -> StoreResult<Vec<StoredSnapshot>> {
    sqlx::query("SELECT * FROM snapshots WHERE app_id = ? ORDER BY completed_ms DESC, path")
        .bind(app_id)
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| {
            Ok(StoredSnapshot {
                app_id: r.try_get("app_id").map_err(backend)?,
                path: r.try_get("path").map_err(backend)?,
                kind: r.try_get("kind").map_err(backend)?,
                completed_ms: r.try_get("completed_ms").map_err(backend)?,
                run_id: r.try_get("run_id").map_err(backend)?,
            })
        })
        .collect()
}
