//! Jar management: `POST /jars/upload`, `POST /jars/:jarid/run`, `DELETE /jars/:jarid`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of `POST /jars/upload`.
///
/// See "/jars/upload" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JarUploaded {
    /// Server-side path of the stored jar, e.g.
    /// `/tmp/flink-web-<uuid>/flink-web-upload/<uuid>_job.jar` (`filename`).
    #[serde(default)]
    pub filename: String,
    /// `success` (`status`).
    #[serde(default)]
    pub status: String,
}

impl JarUploaded {
    /// The jar id to pass to [`crate::FlinkClient::run_jar`] and
    /// [`crate::FlinkClient::delete_jar`]: the last path component of `filename`.
    pub fn jar_id(&self) -> &str {
        self.filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&self.filename)
    }
}

/// JSON body of `POST /jars/:jarid/run` (camelCase; `None`/empty members are left out so
/// Flink applies its defaults).
///
/// See "/jars/:jarid/run" in <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JarRunRequest {
    /// Main class, overriding the jar manifest's (`entryClass`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_class: Option<String>,
    /// Program arguments, one element per argument (`programArgsList`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub program_args_list: Vec<String>,
    /// Job parallelism (`parallelism`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u32>,
    /// Savepoint or retained checkpoint to restore from (`savepointPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savepoint_path: Option<String>,
    /// Whether to skip savepoint state that maps to no operator (`allowNonRestoredState`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_non_restored_state: Option<bool>,
    /// Job configuration overrides, e.g. `{"pipeline.name": "x"}` (`flinkConfiguration`,
    /// Flink 1.19+/2.x; older versions ignore it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flink_configuration: BTreeMap<String, String>,
}

/// Body of `POST /jars/:jarid/run`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JarRunResponse {
    /// Id of the submitted job, 32 hex characters (`jobid`).
    #[serde(rename = "jobid")]
    pub job_id: String,
    /// Id of the application the job belongs to (`applicationId`, Flink 2.3+; equal to the
    /// job id for a job run from a jar).
    #[serde(
        rename = "applicationId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub application_id: Option<String>,
}
