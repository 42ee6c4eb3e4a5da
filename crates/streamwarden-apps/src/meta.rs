//! Streamis' `meta.json`, read unchanged and mapped onto a typed [`JobSpec`].
//!
//! A package made for Streamis 0.3.x works here as it is: the same top-level fields
//! (`projectName`, `jobName`, `jobType`, `tags`, `description`, `comment`, `workspaceName`,
//! `jobContent`, `jobConfig`), the same `jobContent` per job type, and the same `jobConfig`
//! groups and keys. Each key is translated to what it means to Flink:
//!
//! | meta.json key (group) | [`JobSpec`] field | Flink configuration |
//! |---|---|---|
//! | `wds.linkis.flink.app.parallelism` (resource) | `parallelism` | `parallelism.default` |
//! | `wds.linkis.flink.jobmanager.memory` (resource, MiB) | `jobmanager_memory_mb` | `jobmanager.memory.process.size` = `<n>m` |
//! | `wds.linkis.flink.taskmanager.memory` (resource, MiB) | `taskmanager_memory_mb` | `taskmanager.memory.process.size` = `<n>m` |
//! | `wds.linkis.flink.taskmanager.numberOfTaskSlots` (resource) | `taskmanager_slots` | `taskmanager.numberOfTaskSlots` |
//! | `wds.linkis.flink.taskmanager.cpus` (resource) | `taskmanager_cpus` | `taskmanager.cpu.cores` |
//! | `wds.linkis.rm.yarnqueue` (resource) | `yarn_queue` | `yarn.application.queue` |
//! | `flink.client.memory` (resource, MiB) | `streamis.client_memory_mb` | — (Linkis client JVM) |
//! | any key (custom) | `flink_configuration` | the same key, unchanged |
//! | `wds.linkis.flink.checkpoint.switch` (produce) | `checkpointing` | — |
//! | `wds.linkis.flink.checkpoint.<x>` (produce, switch ON) | `checkpoint_interval_ms` for `interval` | `execution.checkpointing.<x>` |
//! | `wds.linkis.flink.savepoint.path` (produce) | `restore_savepoint` | — (the launcher sets `execution.savepoint.path` from the chosen restore point) |
//! | `wds.linkis.flink.savepoint.<x>` (produce) | — | `execution.savepoint.<x>` |
//! | `wds.linkis.flink.app.fail-restart.switch` (produce) | `fail_restart` | — |
//! | `wds.linkis.flink.app.start-auto-restore.switch` (produce) | `auto_restore` | — |
//! | `wds.linkis.flink.alert.failure.user` (produce or alert) | `alert_recipients` | — |
//! | `wds.linkis.flink.alert.level` (produce or alert) | `streamis.alert_level` | — |
//! | `linkis.ec.app.manage.mode` (produce) | `streamis.manage_mode` | — |
//! | `wds.streamis.app.highavailable.policy` (produce) | `streamis.ha_policy` | — |
//! | `wds.linkis.flink.product` (produce) | `streamis.product_name` | — |
//! | `wds.linkis.flink.authority.visible` (authority) | `streamis.visible_users` | — |
//!
//! The groups are `wds.linkis.flink.resource`, `wds.linkis.flink.custom`,
//! `wds.linkis.flink.produce`, `wds.linkis.flink.authority` and `wds.linkis.flink.alert`. The
//! resource translations are the ones Streamis and Linkis apply (Streamis'
//! `ResourceConfigTransform`, Linkis' Flink engine); the checkpoint and savepoint prefixes are
//! Streamis' `FlinkCheckpointConfigTransform` and `FlinkSavepointConfigTransform`. The custom
//! group is applied last, so a custom key overrides a translated one (with a warning), as in
//! Linkis. `checkpoint_dir` and `savepoint_dir` are read from the resulting configuration
//! (`execution.checkpointing.dir` or `state.checkpoints.dir`;
//! `execution.checkpointing.savepoint-dir` or `state.savepoints.dir`).
//!
//! Nothing is dropped silently. Streamis ignores unknown groups, unknown keys inside its groups
//! and known keys in the wrong group; here each of those is kept out of the spec and reported
//! as a [`Warning`] with its JSON path. Keys of the custom group are Flink configuration and
//! never unknown. A value that cannot mean anything (a parallelism of `abc`, a switch set to
//! `maybe`) is a [`MetaError`] naming `meta.json`, the path and the reason.
//!
//! JSON paths join keys with `.` as they are written (`jobContent.main.class`,
//! `jobConfig.wds.linkis.flink.resource.wds.linkis.flink.app.parallelism`) and index lists as
//! `args[2]`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Name of the descriptor at the root of a package.
pub const META_FILE: &str = "meta.json";

/// Keys of `meta.json` as Streamis spells them.
pub mod keys {
    /// Group: resources (parallelism, memory, slots, CPUs, YARN queue).
    pub const GROUP_RESOURCE: &str = "wds.linkis.flink.resource";
    /// Group: Flink configuration passed through unchanged.
    pub const GROUP_CUSTOM: &str = "wds.linkis.flink.custom";
    /// Group: production settings (checkpoints, restarts, restore, alerts).
    pub const GROUP_PRODUCE: &str = "wds.linkis.flink.produce";
    /// Group: who may see the job.
    pub const GROUP_AUTHORITY: &str = "wds.linkis.flink.authority";
    /// Group: alerts (legacy place of the alert keys; Streamis now reads them from produce).
    pub const GROUP_ALERT: &str = "wds.linkis.flink.alert";

    /// Default parallelism.
    pub const PARALLELISM: &str = "wds.linkis.flink.app.parallelism";
    /// JobManager process memory, MiB.
    pub const JOBMANAGER_MEMORY: &str = "wds.linkis.flink.jobmanager.memory";
    /// TaskManager process memory, MiB.
    pub const TASKMANAGER_MEMORY: &str = "wds.linkis.flink.taskmanager.memory";
    /// Slots per TaskManager.
    pub const TASK_SLOTS: &str = "wds.linkis.flink.taskmanager.numberOfTaskSlots";
    /// CPU cores per TaskManager.
    pub const TASKMANAGER_CPUS: &str = "wds.linkis.flink.taskmanager.cpus";
    /// YARN queue.
    pub const YARN_QUEUE: &str = "wds.linkis.rm.yarnqueue";
    /// Memory of the Linkis client JVM, MiB.
    pub const CLIENT_MEMORY: &str = "flink.client.memory";

    /// Checkpoint switch, `ON`/`OFF`.
    pub const CHECKPOINT_SWITCH: &str = "wds.linkis.flink.checkpoint.switch";
    /// Prefix of checkpoint options, mapped to `execution.checkpointing.`.
    pub const CHECKPOINT_PREFIX: &str = "wds.linkis.flink.checkpoint.";
    /// Checkpoint interval (a Flink duration).
    pub const CHECKPOINT_INTERVAL: &str = "wds.linkis.flink.checkpoint.interval";
    /// Savepoint to restore from, pinned by the user.
    pub const SAVEPOINT_PATH: &str = "wds.linkis.flink.savepoint.path";
    /// Prefix of savepoint options, mapped to `execution.savepoint.`.
    pub const SAVEPOINT_PREFIX: &str = "wds.linkis.flink.savepoint.";
    /// Restart the job when it fails, `ON`/`OFF`.
    pub const FAIL_RESTART_SWITCH: &str = "wds.linkis.flink.app.fail-restart.switch";
    /// Restore the newest state at start, `ON`/`OFF`.
    pub const AUTO_RESTORE_SWITCH: &str = "wds.linkis.flink.app.start-auto-restore.switch";
    /// Who is alerted when the job fails (comma list).
    pub const ALERT_FAILURE_USER: &str = "wds.linkis.flink.alert.failure.user";
    /// Alert level name (`CRITICAL`, `MAJOR`, `MINOR`, `WARNING`, `INFO`).
    pub const ALERT_LEVEL: &str = "wds.linkis.flink.alert.level";
    /// Linkis engine management mode, `detach` or `attach`.
    pub const MANAGE_MODE: &str = "linkis.ec.app.manage.mode";
    /// High-availability policy (`single`, `double`, `managerSlave`, …).
    pub const HA_POLICY: &str = "wds.streamis.app.highavailable.policy";
    /// Business product name (used for log paths).
    pub const PRODUCT: &str = "wds.linkis.flink.product";
    /// Users who may see the job (comma list).
    pub const AUTHORITY_VISIBLE: &str = "wds.linkis.flink.authority.visible";
}

/// Parallelism when none is given: 4 (seed 004 §3, Streamis `streamis_dml.sql`).
pub const DEFAULT_PARALLELISM: u32 = 4;
/// JobManager memory when none is given: 1024 MiB (seed 004 §3, Streamis `streamis_dml.sql`;
/// the user manual's example shows 2048).
pub const DEFAULT_JOBMANAGER_MEMORY_MB: u32 = 1024;
/// TaskManager memory when none is given: 4096 MiB (seed 004 §3).
pub const DEFAULT_TASKMANAGER_MEMORY_MB: u32 = 4096;
/// Slots per TaskManager when none is given: 2 (seed 004 §3).
pub const DEFAULT_TASK_SLOTS: u32 = 2;
/// CPU cores per TaskManager when none is given: 2 (seed 004 §3).
pub const DEFAULT_TASKMANAGER_CPUS: u32 = 2;
/// Checkpoint switch when not given: OFF (seed 004 §3).
pub const DEFAULT_CHECKPOINTING: bool = false;
/// Fail-restart switch when not given: OFF (seed 004 §3).
pub const DEFAULT_FAIL_RESTART: bool = false;
/// Auto-restore switch when not given: OFF (seed 004 §3 and the user manual; note that
/// Streamis 0.3.2's `streamis_dml.sql` seeds `ON`).
pub const DEFAULT_AUTO_RESTORE: bool = false;
/// Longest tag string: 64 characters (Streamis `RegularUtil.PATTERN`).
pub const MAX_TAGS_LEN: usize = 64;

/// The kind of application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobType {
    /// A jar with an entry class (`flink.jar`).
    #[serde(rename = "flink.jar")]
    FlinkJar,
    /// Flink SQL statements (`flink.sql`).
    #[serde(rename = "flink.sql")]
    FlinkSql,
}

impl JobType {
    /// The name in `meta.json` (`"flink.jar"`).
    pub fn as_str(self) -> &'static str {
        match self {
            JobType::FlinkJar => "flink.jar",
            JobType::FlinkSql => "flink.sql",
        }
    }

    /// The job type named `name`, exactly as Streamis spells it; `None` for anything else
    /// (`spark.jar`, `flink.workflow`, `Flink.Jar`).
    pub fn parse(name: &str) -> Option<JobType> {
        match name {
            "flink.jar" => Some(JobType::FlinkJar),
            "flink.sql" => Some(JobType::FlinkSql),
            _ => None,
        }
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the SQL of a `flink.sql` application is (Streamis' `jobContent.type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SqlSource {
    /// `type: sql`: the statements are in `jobContent.sql`.
    #[serde(rename = "sql")]
    Inline {
        /// The statements, as written.
        sql: String,
    },
    /// `type: file`: the statements are in a file of the package, `jobContent.file`.
    File {
        /// The file's name in the package.
        file: String,
    },
}

/// Streamis settings kept for display and compatibility; StreamWarden does not act on them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamisSettings {
    /// `workspaceName` (a DSS workspace).
    pub workspace_name: Option<String>,
    /// `linkis.ec.app.manage.mode`: `detach` or `attach` (Streamis' default: `detach`).
    pub manage_mode: Option<String>,
    /// `wds.streamis.app.highavailable.policy`: `single`, `singleWithBak`, `double`,
    /// `doubleWithBak`, `managerSlave` or `managerSlaveWithBak` (Streamis' default: `single`).
    pub ha_policy: Option<String>,
    /// `wds.linkis.flink.product`: letters, digits and `_`.
    pub product_name: Option<String>,
    /// `wds.linkis.flink.alert.level`: `CRITICAL`, `MAJOR`, `MINOR`, `WARNING` or `INFO`
    /// (Streamis' default: `MINOR`).
    pub alert_level: Option<String>,
    /// `wds.linkis.flink.authority.visible`: users who may see the job.
    pub visible_users: Vec<String>,
    /// `flink.client.memory`: memory of the Linkis client JVM, MiB.
    pub client_memory_mb: Option<u32>,
}

/// What a `meta.json` asks for, typed and with defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSpec {
    /// `projectName`, trimmed; `None` when absent or blank. Streamis lets an upload name the
    /// project (its `projectName` parameter replaces the one in `meta.json`), so the
    /// template in its handbook leaves it out: the caller supplies it then.
    pub project_name: Option<String>,
    /// `jobName`, trimmed.
    pub job_name: String,
    /// `jobType`.
    pub job_type: JobType,
    /// `tags` split at commas (empty parts dropped); empty when absent.
    pub tags: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// `comment`: the note of this version.
    pub comment: Option<String>,
    /// `jobContent.main.class.jar`: the jar's file name in the package (`flink.jar` only).
    pub jar: Option<String>,
    /// `jobContent.main.class`: the entry class (`flink.jar` only).
    pub entry_class: Option<String>,
    /// `jobContent.args`: program arguments, in order; empty when absent.
    pub program_args: Vec<String>,
    /// `jobContent.hdfs.jars`: extra jars already on a remote file system.
    pub hdfs_jars: Vec<String>,
    /// `jobContent.dependency.jars`: extra jars, by file name.
    pub dependency_jars: Vec<String>,
    /// `jobContent.resources`: extra files, by file name.
    pub resources: Vec<String>,
    /// Where the SQL is (`flink.sql` only).
    pub sql: Option<SqlSource>,
    /// Default parallelism, 1 to 100; default [`DEFAULT_PARALLELISM`] (4).
    pub parallelism: u32,
    /// JobManager process memory, MiB, 1 to 100,000; default
    /// [`DEFAULT_JOBMANAGER_MEMORY_MB`] (1024).
    pub jobmanager_memory_mb: u32,
    /// TaskManager process memory, MiB, 1 to 100,000; default
    /// [`DEFAULT_TASKMANAGER_MEMORY_MB`] (4096).
    pub taskmanager_memory_mb: u32,
    /// Slots per TaskManager, 1 to 100; default [`DEFAULT_TASK_SLOTS`] (2).
    pub taskmanager_slots: u32,
    /// CPU cores per TaskManager, 1 to 100; default [`DEFAULT_TASKMANAGER_CPUS`] (2).
    pub taskmanager_cpus: u32,
    /// YARN queue; `None` when absent or empty (the cluster's default queue).
    pub yarn_queue: Option<String>,
    /// The Flink configuration to submit with: the translated resource keys (always present,
    /// defaults included), the checkpoint and savepoint options of the produce group, then
    /// every custom key (custom wins on a clash). Empty values are left out.
    pub flink_configuration: BTreeMap<String, String>,
    /// Checkpoint switch; default [`DEFAULT_CHECKPOINTING`] (off). When off, the produce
    /// group's checkpoint options are not applied.
    pub checkpointing: bool,
    /// Checkpoint interval, milliseconds, from `execution.checkpointing.interval` when
    /// checkpointing is on; `None` when not given (Flink then checkpoints only if the program
    /// enables it).
    pub checkpoint_interval_ms: Option<u64>,
    /// Restart the application when it fails; default [`DEFAULT_FAIL_RESTART`] (off).
    pub fail_restart: bool,
    /// Restore the newest checkpoint or savepoint at start; default [`DEFAULT_AUTO_RESTORE`]
    /// (off).
    pub auto_restore: bool,
    /// Who is alerted when the application fails (`wds.linkis.flink.alert.failure.user`,
    /// split at commas, trimmed, without duplicates); empty when not given.
    pub alert_recipients: Vec<String>,
    /// The savepoint the user pinned to restore from (`wds.linkis.flink.savepoint.path`); it
    /// wins over every other restore candidate. `None` when absent or empty.
    pub restore_savepoint: Option<String>,
    /// Where savepoints go: `execution.checkpointing.savepoint-dir` or `state.savepoints.dir`
    /// of the Flink configuration; `None` when neither is set.
    pub savepoint_dir: Option<String>,
    /// Where checkpoints go: `execution.checkpointing.dir` or `state.checkpoints.dir` of the
    /// Flink configuration; `None` when neither is set.
    pub checkpoint_dir: Option<String>,
    /// Streamis settings without a meaning here.
    pub streamis: StreamisSettings,
}

/// Something in a package that was not used as written, or that deserves attention; it does
/// not stop the package from being accepted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    /// The file concerned: `meta.json`, or an entry of the package.
    pub file: String,
    /// The JSON path inside `meta.json` (`jobConfig.wds.linkis.flink.custom`); empty for a
    /// warning about a whole file.
    pub path: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

/// A value of `meta.json` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaError {
    /// The JSON path (`jobContent.main.class`); empty for the whole file.
    pub path: String,
    /// Why it cannot be used.
    pub reason: String,
}

impl fmt::Display for MetaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{META_FILE}: {}", self.reason)
        } else {
            write!(f, "{META_FILE}: {}: {}", self.path, self.reason)
        }
    }
}

/// Every problem found in a `meta.json` (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaErrors {
    /// The problems, in the order found.
    pub errors: Vec<MetaError>,
}

impl MetaErrors {
    fn one(path: &str, reason: impl Into<String>) -> MetaErrors {
        MetaErrors {
            errors: vec![MetaError {
                path: path.to_owned(),
                reason: reason.into(),
            }],
        }
    }
}

impl fmt::Display for MetaErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MetaErrors {}

/// A `meta.json` read into a [`JobSpec`], with what deserves a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedMeta {
    /// The typed request.
    pub spec: JobSpec,
    /// Keys not used and other remarks, sorted by file and path.
    pub warnings: Vec<Warning>,
}

/// Reads the bytes of a `meta.json` as JSON: UTF-8 (a leading byte-order mark is skipped),
/// one JSON value.
pub fn read_meta_json(bytes: &[u8]) -> Result<Value, MetaErrors> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        MetaErrors::one(
            "",
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    serde_json::from_str(text).map_err(|e| MetaErrors::one("", format!("not valid JSON: {e}")))
}

/// Reads and maps a `meta.json`: [`read_meta_json`] then [`parse_meta_value`].
pub fn parse_meta_json(bytes: &[u8]) -> Result<ParsedMeta, MetaErrors> {
    parse_meta_value(&read_meta_json(bytes)?)
}

/// Checks a tag string the way Streamis checks labels: letters, digits, `_`, `.` and `,`, at
/// most [`MAX_TAGS_LEN`] characters in all. Returns the tags split at commas, empty parts
/// dropped; the empty string has no tags.
pub fn parse_tags(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let length = text.chars().count();
    if length > MAX_TAGS_LEN {
        return Err(format!(
            "at most {MAX_TAGS_LEN} characters in all ({length} given)"
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ',')))
    {
        return Err(format!(
            "only letters, digits, _ . and , are allowed ({bad:?} given)"
        ));
    }
    Ok(text
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Milliseconds of a Flink duration: a whole number and an optional unit (`ms`, `s`, `min`,
/// `m`, `h`, `d` and their long forms `milli(s)`, `millisecond(s)`, `sec(s)`, `second(s)`,
/// `minute(s)`, `hour(s)`, `day(s)`, any case); no unit means milliseconds, as in Flink.
/// `None` for anything else or an overflow.
pub fn parse_flink_duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() {
        return None;
    }
    let number: u64 = number.parse().ok()?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 1,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// Maps a parsed `meta.json` onto a [`JobSpec`] (see the module documentation for the keys).
///
/// Required: `jobName` (a non-blank string), `jobType` (`flink.jar` or
/// `flink.sql`) and a non-empty `jobContent` object; for `flink.jar`,
/// `jobContent.main.class.jar` and `jobContent.main.class`; for `flink.sql`,
/// `jobContent.type` = `sql` with `jobContent.sql`, or `file` with `jobContent.file`
/// (Streamis' third type, `bml`, names a Linkis resource and is refused). `jobConfig` and
/// each of its groups may be left out: the defaults documented on [`JobSpec`] apply.
///
/// Every error is reported, not only the first.
pub fn parse_meta_value(value: &Value) -> Result<ParsedMeta, MetaErrors> {
    let Some(root) = value.as_object() else {
        return Err(MetaErrors::one("", "must be a JSON object"));
    };
    let mut cx = Cx::default();
    for key in root.keys() {
        match key.as_str() {
            "projectName" | "jobName" | "jobType" | "tags" | "description" | "comment"
            | "workspaceName" | "jobContent" | "jobConfig" => {}
            "metaInfo" => cx.warn(key, "ignored: Streamis computes metaInfo itself"),
            _ => cx.warn(key, "unknown key; ignored"),
        }
    }
    let project_name = optional_text(&mut cx, root, "", "projectName").map(|s| s.trim().to_owned());
    let job_name = required_text(&mut cx, root, "", "jobName", "required");
    let job_type = required_text(&mut cx, root, "", "jobType", "required").and_then(|t| {
        let parsed = JobType::parse(&t);
        if parsed.is_none() {
            cx.error(
                "jobType",
                format!("unsupported job type {t:?}: expected flink.jar or flink.sql"),
            );
        }
        parsed
    });
    let tags = tags_field(&mut cx, root.get("tags"));
    let description = optional_text(&mut cx, root, "", "description");
    let comment = optional_text(&mut cx, root, "", "comment");
    let workspace_name = optional_text(&mut cx, root, "", "workspaceName");
    let content = job_content(&mut cx, root.get("jobContent"), job_type);
    let config = job_config(&mut cx, root.get("jobConfig"));

    let (Some(job_name), Some(job_type)) = (job_name, job_type) else {
        return Err(cx.into_errors());
    };
    if !cx.errors.is_empty() {
        return Err(cx.into_errors());
    }
    let mut streamis = config.streamis;
    streamis.workspace_name = workspace_name;
    let spec = JobSpec {
        project_name,
        job_name,
        job_type,
        tags,
        description,
        comment,
        jar: content.jar,
        entry_class: content.entry_class,
        program_args: content.args,
        hdfs_jars: content.hdfs_jars,
        dependency_jars: content.dependency_jars,
        resources: content.resources,
        sql: content.sql,
        parallelism: config.parallelism,
        jobmanager_memory_mb: config.jobmanager_memory_mb,
        taskmanager_memory_mb: config.taskmanager_memory_mb,
        taskmanager_slots: config.taskmanager_slots,
        taskmanager_cpus: config.taskmanager_cpus,
        yarn_queue: config.yarn_queue,
        flink_configuration: config.flink,
        checkpointing: config.checkpointing,
        checkpoint_interval_ms: config.checkpoint_interval_ms,
        fail_restart: config.fail_restart,
        auto_restore: config.auto_restore,
        alert_recipients: config.alert_recipients,
        restore_savepoint: config.restore_savepoint,
        savepoint_dir: config.savepoint_dir,
        checkpoint_dir: config.checkpoint_dir,
        streamis,
    };
    let mut warnings = cx.warnings;
    warnings.sort();
    Ok(ParsedMeta { spec, warnings })
}

/// Errors and warnings collected while mapping.
#[derive(Default)]
struct Cx {
    errors: Vec<MetaError>,
    warnings: Vec<Warning>,
}

impl Cx {
    fn error(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(MetaError {
            path: path.into(),
            reason: reason.into(),
        });
    }

    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            file: META_FILE.to_owned(),
            path: path.into(),
            message: message.into(),
        });
    }

    fn into_errors(self) -> MetaErrors {
        if self.errors.is_empty() {
            MetaErrors::one("", "incomplete")
        } else {
            MetaErrors {
                errors: self.errors,
            }
        }
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// A non-blank string at `obj[key]`, trimmed; an error (`missing` when absent) otherwise.
fn required_text(
    cx: &mut Cx,
    obj: &Map<String, Value>,
    parent: &str,
    key: &str,
    missing: &str,
) -> Option<String> {
    let path = join(parent, key);
    match obj.get(key) {
        None | Some(Value::Null) => {
            cx.error(path, missing);
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            cx.error(path, "must not be blank");
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            cx.error(path, "must be a string");
            None
        }
    }
}

/// A string at `obj[key]`, or `None` when absent, null or blank.
fn optional_text(cx: &mut Cx, obj: &Map<String, Value>, parent: &str, key: &str) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            cx.error(join(parent, key), "must be a string");
            None
        }
    }
}

/// A list of strings at `obj[key]`; empty when absent or null. Blank items are dropped when
/// `drop_blank`.
fn string_list(
    cx: &mut Cx,
    obj: &Map<String, Value>,
    parent: &str,
    key: &str,
    drop_blank: bool,
) -> Vec<String> {
    let path = join(parent, key);
    match obj.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) if drop_blank && s.trim().is_empty() => {}
                    Value::String(s) => out.push(s.clone()),
                    _ => cx.error(format!("{path}[{i}]"), "must be a string"),
                }
            }
            out
        }
        Some(_) => {
            cx.error(path, "must be a list of strings");
            Vec::new()
        }
    }
}

fn tags_field(cx: &mut Cx, value: Option<&Value>) -> Vec<String> {
    let text = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => {
            let mut parts = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => parts.push(s.as_str()),
                    _ => cx.error(format!("tags[{i}]"), "must be a string"),
                }
            }
            parts.join(",")
        }
        Some(_) => {
            cx.error(
                "tags",
                "must be a comma-separated string or a list of strings",
            );
            return Vec::new();
        }
    };
    parse_tags(&text).unwrap_or_else(|reason| {
        cx.error("tags", reason);
        Vec::new()
    })
}

#[derive(Default)]
struct Content {
    jar: Option<String>,
    entry_class: Option<String>,
    args: Vec<String>,
    hdfs_jars: Vec<String>,
    dependency_jars: Vec<String>,
    resources: Vec<String>,
    sql: Option<SqlSource>,
}

const JAR_CONTENT_KEYS: [&str; 6] = [
    "main.class.jar",
    "main.class",
    "args",
    "hdfs.jars",
    "dependency.jars",
    "resources",
];
const SQL_CONTENT_KEYS: [&str; 5] = ["type", "sql", "file", "resourceId", "version"];

fn job_content(cx: &mut Cx, value: Option<&Value>, job_type: Option<JobType>) -> Content {
    let obj = match value {
        None | Some(Value::Null) => {
            cx.error("jobContent", "required");
            return Content::default();
        }
        Some(Value::Object(obj)) if obj.is_empty() => {
            cx.error("jobContent", "must not be empty");
            return Content::default();
        }
        Some(Value::Object(obj)) => obj,
        Some(_) => {
            cx.error("jobContent", "must be a JSON object");
            return Content::default();
        }
    };
    let Some(job_type) = job_type else {
        return Content::default();
    };
    let known: &[&str] = match job_type {
        JobType::FlinkJar => &JAR_CONTENT_KEYS,
        JobType::FlinkSql => &SQL_CONTENT_KEYS,
    };
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            cx.warn(
                join("jobContent", key),
                format!("unknown key for jobType {job_type}; ignored"),
            );
        }
    }
    match job_type {
        JobType::FlinkJar => {
            let missing = "required for jobType flink.jar";
            Content {
                jar: required_text(cx, obj, "jobContent", "main.class.jar", missing),
                entry_class: required_text(cx, obj, "jobContent", "main.class", missing),
                args: string_list(cx, obj, "jobContent", "args", false),
                hdfs_jars: string_list(cx, obj, "jobContent", "hdfs.jars", true),
                dependency_jars: string_list(cx, obj, "jobContent", "dependency.jars", true),
                resources: string_list(cx, obj, "jobContent", "resources", true),
                sql: None,
            }
        }
        JobType::FlinkSql => Content {
            sql: sql_source(cx, obj),
            ..Content::default()
        },
    }
}

fn sql_source(cx: &mut Cx, obj: &Map<String, Value>) -> Option<SqlSource> {
    let kind = required_text(
        cx,
        obj,
        "jobContent",
        "type",
        "required for jobType flink.sql: sql (statements in jobContent.sql) or file (a file of the package named by jobContent.file)",
    )?;
    let unused = |cx: &mut Cx, keys: &[&str]| {
        for key in keys {
            let set = match obj.get(*key) {
                Some(Value::String(s)) => !s.trim().is_empty(),
                None | Some(Value::Null) => false,
                Some(_) => true,
            };
            if set {
                cx.warn(
                    join("jobContent", key),
                    format!("ignored: jobContent.type is {kind}"),
                );
            }
        }
    };
    match kind.as_str() {
        "sql" => {
            unused(cx, &["file", "resourceId", "version"]);
            let path = "jobContent.sql";
            match obj.get("sql") {
                Some(Value::String(s)) if !s.trim().is_empty() => {
                    Some(SqlSource::Inline { sql: s.clone() })
                }
                Some(Value::String(_)) => {
                    cx.error(path, "must not be blank");
                    None
                }
                None | Some(Value::Null) => {
                    cx.error(path, "required when jobContent.type is sql");
                    None
                }
                Some(_) => {
                    cx.error(path, "must be a string");
                    None
                }
            }
        }
        "file" => {
            unused(cx, &["sql", "resourceId", "version"]);
            required_text(
                cx,
                obj,
                "jobContent",
                "file",
                "required when jobContent.type is file",
            )
            .map(|file| SqlSource::File { file })
        }
        "bml" => {
            cx.error(
                "jobContent.type",
                "bml (a Linkis BML resource) is not supported: put the statements in jobContent.sql (type sql) or in a file of the package (type file)",
            );
            None
        }
        other => {
            cx.error(
                "jobContent.type",
                format!("unsupported type {other:?}: expected sql or file"),
            );
            None
        }
    }
}

/// What `jobConfig` yields, defaults filled in.
struct Config {
    parallelism: u32,
    jobmanager_memory_mb: u32,
    taskmanager_memory_mb: u32,
    taskmanager_slots: u32,
    taskmanager_cpus: u32,
    yarn_queue: Option<String>,
    flink: BTreeMap<String, String>,
    checkpointing: bool,
    checkpoint_interval_ms: Option<u64>,
    fail_restart: bool,
    auto_restore: bool,
    alert_recipients: Vec<String>,
    restore_savepoint: Option<String>,
    savepoint_dir: Option<String>,
    checkpoint_dir: Option<String>,
    streamis: StreamisSettings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            parallelism: DEFAULT_PARALLELISM,
            jobmanager_memory_mb: DEFAULT_JOBMANAGER_MEMORY_MB,
            taskmanager_memory_mb: DEFAULT_TASKMANAGER_MEMORY_MB,
            taskmanager_slots: DEFAULT_TASK_SLOTS,
            taskmanager_cpus: DEFAULT_TASKMANAGER_CPUS,
            yarn_queue: None,
            flink: BTreeMap::new(),
            checkpointing: DEFAULT_CHECKPOINTING,
            checkpoint_interval_ms: None,
            fail_restart: DEFAULT_FAIL_RESTART,
            auto_restore: DEFAULT_AUTO_RESTORE,
            alert_recipients: Vec::new(),
            restore_savepoint: None,
            savepoint_dir: None,
            checkpoint_dir: None,
            streamis: StreamisSettings::default(),
        }
    }
}

/// The group a known key belongs to, for pointing at a misplaced key.
fn home_group(key: &str) -> Option<&'static str> {
    use keys::*;
    match key {
        PARALLELISM | JOBMANAGER_MEMORY | TASKMANAGER_MEMORY | TASK_SLOTS | TASKMANAGER_CPUS
        | YARN_QUEUE | CLIENT_MEMORY => Some(GROUP_RESOURCE),
        FAIL_RESTART_SWITCH | AUTO_RESTORE_SWITCH | ALERT_FAILURE_USER | ALERT_LEVEL
        | MANAGE_MODE | HA_POLICY | PRODUCT => Some(GROUP_PRODUCE),
        AUTHORITY_VISIBLE => Some(GROUP_AUTHORITY),
        _ if key.starts_with(CHECKPOINT_PREFIX) || key.starts_with(SAVEPOINT_PREFIX) => {
            Some(GROUP_PRODUCE)
        }
        _ => None,
    }
}

fn unknown_key(cx: &mut Cx, group: &str, key: &str) {
    let path = join(&join("jobConfig", group), key);
    match home_group(key) {
        Some(home) if home != group => {
            cx.warn(path, format!("belongs in jobConfig.{home}; ignored here"))
        }
        _ => cx.warn(path, format!("unknown key in group {group}; ignored")),
    }
}

/// A scalar as text: strings as they are, numbers and booleans written out; `None` for null
/// or a blank string. Lists and objects are an error.
fn scalar(cx: &mut Cx, path: &str, value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(_) | Value::Object(_) => {
            cx.error(path, "must be a string, number or boolean");
            None
        }
    }
}

/// A whole number from `min` to `max`; `None` when not given (or wrong, with an error).
fn whole_number(cx: &mut Cx, path: &str, value: Option<&Value>, min: u32, max: u32) -> Option<u32> {
    let text = scalar(cx, path, value?)?;
    let parsed = text
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.parse::<u32>().ok())
        .flatten()
        .filter(|n| (min..=max).contains(n));
    if parsed.is_none() {
        cx.error(
            path,
            format!("must be a whole number from {min} to {max} ({text:?} given)"),
        );
    }
    parsed
}

/// An `ON`/`OFF` switch; `None` when not given.
fn switch(cx: &mut Cx, path: &str, value: Option<&Value>) -> Option<bool> {
    let text = scalar(cx, path, value?)?;
    let on = match text.to_ascii_lowercase().as_str() {
        "on" | "true" => true,
        "off" | "false" => false,
        _ => {
            cx.error(path, format!("must be ON or OFF ({text:?} given)"));
            return None;
        }
    };
    if text != "ON" && text != "OFF" {
        cx.warn(
            path,
            format!(
                "read as {}; write ON or OFF: Streamis reads any value but ON as OFF",
                if on { "ON" } else { "OFF" }
            ),
        );
    }
    Some(on)
}

/// A comma list: trimmed, blanks and duplicates dropped, order kept.
fn comma_list(text: &str, into: &mut Vec<String>) {
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !into.iter().any(|known| known == item) {
            into.push(item.to_owned());
        }
    }
}

/// One of `allowed` (matched ignoring case, returned as spelled in `allowed`).
fn one_of(cx: &mut Cx, path: &str, value: &Value, allowed: &[&str]) -> Option<String> {
    let text = scalar(cx, path, value)?;
    let found = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(&text))
        .map(|a| (*a).to_owned());
    if found.is_none() {
        cx.error(
            path,
            format!("must be one of {} ({text:?} given)", allowed.join(", ")),
        );
    }
    found
}

fn group_object<'a>(cx: &mut Cx, path: &str, value: &'a Value) -> Option<&'a Map<String, Value>> {
    match value {
        Value::Object(obj) => Some(obj),
        Value::Null => None,
        _ => {
            cx.error(path, "must be a JSON object");
            None
        }
    }
}

/// Where a Flink key's value came from, for the override warning.
struct FlinkSetting {
    value: String,
    from: String,
}

fn job_config(cx: &mut Cx, value: Option<&Value>) -> Config {
    use keys::*;
    let mut config = Config::default();
    let root = match value {
        None | Some(Value::Null) => None,
        Some(Value::Object(obj)) => Some(obj),
        Some(_) => {
            cx.error("jobConfig", "must be a JSON object");
            None
        }
    };
    let empty = Map::new();
    let root = root.unwrap_or(&empty);
    for key in root.keys() {
        let known = [
            GROUP_RESOURCE,
            GROUP_CUSTOM,
            GROUP_PRODUCE,
            GROUP_AUTHORITY,
            GROUP_ALERT,
        ];
        if !known.contains(&key.as_str()) {
            let path = join("jobConfig", key);
            match home_group(key) {
                Some(home) => cx.warn(path, format!("belongs in jobConfig.{home}; ignored here")),
                None => cx.warn(path, "unknown group; ignored"),
            }
        }
    }
    let group = |cx: &mut Cx, name: &str| -> Option<Map<String, Value>> {
        let value = root.get(name)?;
        group_object(cx, &join("jobConfig", name), value).cloned()
    };
    let mut flink: BTreeMap<String, FlinkSetting> = BTreeMap::new();

    // Resources: always translated, defaults included (Streamis fills defaults in).
    let resource = group(cx, GROUP_RESOURCE).unwrap_or_default();
    let rpath = |key: &str| join(&join("jobConfig", GROUP_RESOURCE), key);
    for key in resource.keys() {
        if ![
            PARALLELISM,
            JOBMANAGER_MEMORY,
            TASKMANAGER_MEMORY,
            TASK_SLOTS,
            TASKMANAGER_CPUS,
            YARN_QUEUE,
            CLIENT_MEMORY,
        ]
        .contains(&key.as_str())
        {
            unknown_key(cx, GROUP_RESOURCE, key);
        }
    }
    let numbers: [(&str, u32, &mut u32); 5] = [
        (PARALLELISM, 100, &mut config.parallelism),
        (JOBMANAGER_MEMORY, 100_000, &mut config.jobmanager_memory_mb),
        (
            TASKMANAGER_MEMORY,
            100_000,
            &mut config.taskmanager_memory_mb,
        ),
        (TASK_SLOTS, 100, &mut config.taskmanager_slots),
        (TASKMANAGER_CPUS, 100, &mut config.taskmanager_cpus),
    ];
    for (key, max, slot) in numbers {
        if let Some(n) = whole_number(cx, &rpath(key), resource.get(key), 1, max) {
            *slot = n;
        }
    }
    let translated = [
        (
            "parallelism.default",
            config.parallelism.to_string(),
            PARALLELISM,
        ),
        (
            "jobmanager.memory.process.size",
            format!("{}m", config.jobmanager_memory_mb),
            JOBMANAGER_MEMORY,
        ),
        (
            "taskmanager.memory.process.size",
            format!("{}m", config.taskmanager_memory_mb),
            TASKMANAGER_MEMORY,
        ),
        (
            "taskmanager.numberOfTaskSlots",
            config.taskmanager_slots.to_string(),
            TASK_SLOTS,
        ),
        (
            "taskmanager.cpu.cores",
            config.taskmanager_cpus.to_string(),
            TASKMANAGER_CPUS,
        ),
    ];
    for (flink_key, value, from) in translated {
        flink.insert(
            flink_key.to_owned(),
            FlinkSetting {
                value,
                from: rpath(from),
            },
        );
    }
    if let Some(queue) = resource
        .get(YARN_QUEUE)
        .and_then(|v| scalar(cx, &rpath(YARN_QUEUE), v))
    {
        flink.insert(
            "yarn.application.queue".to_owned(),
            FlinkSetting {
                value: queue.clone(),
                from: rpath(YARN_QUEUE),
            },
        );
        config.yarn_queue = Some(queue);
    }
    config.streamis.client_memory_mb = whole_number(
        cx,
        &rpath(CLIENT_MEMORY),
        resource.get(CLIENT_MEMORY),
        1,
        100_000,
    );

    // Production settings.
    let produce = group(cx, GROUP_PRODUCE).unwrap_or_default();
    let ppath = |key: &str| join(&join("jobConfig", GROUP_PRODUCE), key);
    config.checkpointing = switch(
        cx,
        &ppath(CHECKPOINT_SWITCH),
        produce.get(CHECKPOINT_SWITCH),
    )
    .unwrap_or(DEFAULT_CHECKPOINTING);
    config.fail_restart = switch(
        cx,
        &ppath(FAIL_RESTART_SWITCH),
        produce.get(FAIL_RESTART_SWITCH),
    )
    .unwrap_or(DEFAULT_FAIL_RESTART);
    config.auto_restore = switch(
        cx,
        &ppath(AUTO_RESTORE_SWITCH),
        produce.get(AUTO_RESTORE_SWITCH),
    )
    .unwrap_or(DEFAULT_AUTO_RESTORE);
    for (key, value) in &produce {
        let path = ppath(key);
        match key.as_str() {
            CHECKPOINT_SWITCH | FAIL_RESTART_SWITCH | AUTO_RESTORE_SWITCH => {}
            SAVEPOINT_PATH => config.restore_savepoint = scalar(cx, &path, value),
            ALERT_FAILURE_USER => {
                if let Some(users) = scalar(cx, &path, value) {
                    comma_list(&users, &mut config.alert_recipients);
                }
            }
            ALERT_LEVEL => config.streamis.alert_level = alert_level(cx, &path, value),
            MANAGE_MODE => {
                config.streamis.manage_mode = one_of(cx, &path, value, &["detach", "attach"])
            }
            HA_POLICY => {
                config.streamis.ha_policy = one_of(
                    cx,
                    &path,
                    value,
                    &[
                        "single",
                        "singleWithBak",
                        "double",
                        "doubleWithBak",
                        "managerSlave",
                        "managerSlaveWithBak",
                    ],
                );
            }
            PRODUCT => {
                if let Some(product) = scalar(cx, &path, value) {
                    if product
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        config.streamis.product_name = Some(product);
                    } else {
                        cx.error(
                            path,
                            format!("only letters, digits and _ are allowed ({product:?} given)"),
                        );
                    }
                }
            }
            _ if key.starts_with(CHECKPOINT_PREFIX) => {
                let Some(text) = scalar(cx, &path, value) else {
                    continue;
                };
                if !config.checkpointing {
                    cx.warn(path, "ignored: the checkpoint switch is OFF");
                    continue;
                }
                let option = &key[CHECKPOINT_PREFIX.len()..];
                if key == CHECKPOINT_INTERVAL && !valid_interval(&text) {
                    cx.error(
                        path,
                        format!("must be a positive Flink duration such as 60000, 30 s or 5 min ({text:?} given)"),
                    );
                    continue;
                }
                flink.insert(
                    format!("execution.checkpointing.{option}"),
                    FlinkSetting {
                        value: text,
                        from: path,
                    },
                );
            }
            _ if key.starts_with(SAVEPOINT_PREFIX) => {
                if let Some(text) = scalar(cx, &path, value) {
                    let option = &key[SAVEPOINT_PREFIX.len()..];
                    flink.insert(
                        format!("execution.savepoint.{option}"),
                        FlinkSetting {
                            value: text,
                            from: path,
                        },
                    );
                }
            }
            _ => unknown_key(cx, GROUP_PRODUCE, key),
        }
    }

    // Permissions.
    let authority = group(cx, GROUP_AUTHORITY).unwrap_or_default();
    for (key, value) in &authority {
        if key == AUTHORITY_VISIBLE {
            let path = join(&join("jobConfig", GROUP_AUTHORITY), key);
            if let Some(users) = scalar(cx, &path, value) {
                comma_list(&users, &mut config.streamis.visible_users);
            }
        } else {
            unknown_key(cx, GROUP_AUTHORITY, key);
        }
    }

    // Alerts, where releases before 0.3.0 kept them.
    let alert = group(cx, GROUP_ALERT).unwrap_or_default();
    for (key, value) in &alert {
        let path = join(&join("jobConfig", GROUP_ALERT), key);
        match key.as_str() {
            ALERT_FAILURE_USER => {
                if let Some(users) = scalar(cx, &path, value) {
                    comma_list(&users, &mut config.alert_recipients);
                }
            }
            ALERT_LEVEL => {
                let level = alert_level(cx, &path, value);
                if config.streamis.alert_level.is_none() {
                    config.streamis.alert_level = level;
                }
            }
            _ => cx.warn(path, format!("unknown key in group {GROUP_ALERT}; ignored")),
        }
    }

    // Flink configuration passed through, last so that it wins.
    let custom = group(cx, GROUP_CUSTOM).unwrap_or_default();
    for (key, value) in &custom {
        let path = join(&join("jobConfig", GROUP_CUSTOM), key);
        let Some(text) = scalar(cx, &path, value) else {
            if !value.is_array() && !value.is_object() {
                cx.warn(path, "empty value; not passed to Flink");
            }
            continue;
        };
        if let Some(previous) = flink.get(key).filter(|p| p.value != text) {
            cx.warn(
                path.clone(),
                format!(
                    "overrides {key}={} set by {}",
                    previous.value, previous.from
                ),
            );
        }
        flink.insert(
            key.clone(),
            FlinkSetting {
                value: text,
                from: path,
            },
        );
    }

    // What the resulting configuration says about checkpoints.
    if let Some(interval) = flink.get("execution.checkpointing.interval") {
        if config.checkpointing {
            config.checkpoint_interval_ms =
                parse_flink_duration_ms(&interval.value).filter(|ms| *ms > 0);
            if config.checkpoint_interval_ms.is_none() {
                cx.warn(
                    interval.from.clone(),
                    format!(
                        "{:?} is not a Flink duration: the checkpoint interval is unknown",
                        interval.value
                    ),
                );
            }
        } else {
            cx.warn(
                interval.from.clone(),
                "sets a checkpoint interval while the checkpoint switch is OFF: Flink will checkpoint anyway",
            );
        }
    } else if config.checkpointing {
        cx.warn(
            ppath(CHECKPOINT_SWITCH),
            "checkpointing is ON but no interval is given (wds.linkis.flink.checkpoint.interval): Flink checkpoints only if the program enables it",
        );
    }
    if config.alert_recipients.is_empty() {
        cx.warn(
            ppath(ALERT_FAILURE_USER),
            "no one is alerted when the application fails (Streamis refuses to start a job without failure alert users)",
        );
    }
    let first = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| flink.get(*k))
            .map(|s| s.value.clone())
    };
    config.checkpoint_dir = first(["execution.checkpointing.dir", "state.checkpoints.dir"]);
    config.savepoint_dir = first([
        "execution.checkpointing.savepoint-dir",
        "state.savepoints.dir",
    ]);
    config.flink = flink.into_iter().map(|(k, s)| (k, s.value)).collect();
    config
}

fn valid_interval(text: &str) -> bool {
    parse_flink_duration_ms(text).is_some_and(|ms| ms > 0)
}

fn alert_level(cx: &mut Cx, path: &str, value: &Value) -> Option<String> {
    one_of(
        cx,
        path,
        value,
        &["CRITICAL", "MAJOR", "MINOR", "WARNING", "INFO"],
    )
}

#[cfg(test)]
pub(crate) mod tests;
