//! The Flink REST endpoints, one method each. Paths and bodies follow
//! <https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/ops/rest_api/>.

use reqwest::Method;
use reqwest::multipart::{Form, Part};

use crate::client::FlinkClient;
use std::time::Duration;

/// Times [`FlinkClient::failed_job_exceptions`] reads an empty history again, and the wait
/// before each (together just over Flink's default `web.refresh-interval`, 3 s).
const EMPTY_HISTORY_RETRIES: usize = 11;
const EMPTY_HISTORY_WAIT: Duration = Duration::from_millis(300);
use crate::error::FlinkError;
use crate::types::checkpoints::{CheckpointConfig, CheckpointStatistics};
use crate::types::cluster::{ClusterOverview, DashboardConfig};
use crate::types::exceptions::JobExceptions;
use crate::types::jars::{JarRunRequest, JarRunResponse, JarUploaded};
use crate::types::job::{JobDetails, JobOverview, JobsOverview};
use crate::types::metrics::{Metric, MetricsBody};
use crate::types::savepoints::{
    AsyncOperation, SavepointInfo, SavepointRequest, StopRequest, TriggerId, TriggerResponse,
};

/// Content type Flink expects for the jar part of `POST /jars/upload`.
const JAR_CONTENT_TYPE: &str = "application/x-java-archive";

impl FlinkClient {
    /// `GET /overview`: task managers, slots and job counts of the cluster.
    ///
    /// # Errors
    /// Any [`FlinkError`] (transport, non-2xx status, unexpected body).
    pub async fn overview(&self) -> Result<ClusterOverview, FlinkError> {
        self.send_json(self.call(Method::GET, &["overview"], None)?)
            .await
    }

    /// `GET /config`: the web UI configuration, including the Flink version.
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn config(&self) -> Result<DashboardConfig, FlinkError> {
        self.send_json(self.call(Method::GET, &["config"], None)?)
            .await
    }

    /// `GET /jobs/overview`: every job the JobManager knows (running and recently terminated),
    /// in Flink's order.
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn jobs_overview(&self) -> Result<Vec<JobOverview>, FlinkError> {
        let body: JobsOverview = self
            .send_json(self.call(Method::GET, &["jobs", "overview"], None)?)
            .await?;
        Ok(body.jobs)
    }

    /// `GET /jobs/:jobid`: state, timestamps and vertices of one job. An unknown job is a
    /// [`FlinkError::Status`] with code 404.
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn job(&self, jid: &str) -> Result<JobDetails, FlinkError> {
        self.send_json(self.call(Method::GET, &["jobs", jid], None)?)
            .await
    }

    /// `GET /jobs/:jobid/exceptions?maxExceptions=N`: the job's exception history, at most
    /// `max_exceptions` entries, newest first. See [`JobExceptions::root_cause`].
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn job_exceptions(
        &self,
        jid: &str,
        max_exceptions: u32,
    ) -> Result<JobExceptions, FlinkError> {
        let query = format!("maxExceptions={max_exceptions}");
        self.send_json(self.call(Method::GET, &["jobs", jid, "exceptions"], Some(&query))?)
            .await
    }

    /// [`job_exceptions`](Self::job_exceptions) of a job that failed: a history without a root
    /// cause is read again, every 300 ms for up to 3.3 s. Flink's REST serves `/jobs/:jid/…`
    /// from an execution graph cached for `web.refresh-interval` (3 s by default) after anyone
    /// read the job (its web UI, a script, StreamWarden itself), so right after the failure the
    /// history can look empty until that cache expires.
    ///
    /// # Errors
    /// Any [`FlinkError`] of a read.
    pub async fn failed_job_exceptions(
        &self,
        jid: &str,
        max_exceptions: u32,
    ) -> Result<JobExceptions, FlinkError> {
        let mut answer = self.job_exceptions(jid, max_exceptions).await?;
        for _ in 0..EMPTY_HISTORY_RETRIES {
            if answer.root_cause().is_some() {
                break;
            }
            tokio::time::sleep(EMPTY_HISTORY_WAIT).await;
            answer = self.job_exceptions(jid, max_exceptions).await?;
        }
        Ok(answer)
    }

    /// `GET /jobs/:jobid/checkpoints`: checkpoint counts, latest checkpoints and history
    /// (all zero/empty for a job without checkpointing).
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn job_checkpoints(&self, jid: &str) -> Result<CheckpointStatistics, FlinkError> {
        self.send_json(self.call(Method::GET, &["jobs", jid, "checkpoints"], None)?)
            .await
    }

    /// `GET /jobs/:jobid/checkpoints/config`: the job's checkpointing configuration (see
    /// [`CheckpointConfig::periodic_checkpoints`] for jobs without checkpointing).
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn job_checkpoint_config(&self, jid: &str) -> Result<CheckpointConfig, FlinkError> {
        let call = self.call(Method::GET, &["jobs", jid, "checkpoints", "config"], None)?;
        self.send_json(call).await
    }

    /// `GET /jobs/:jobid/metrics?get=a,b`: values of the named job metrics. Flink leaves out
    /// metrics it does not have, so the result may be shorter than `names`. With no names,
    /// Flink lists the available metric ids (with empty values).
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn job_metrics(&self, jid: &str, names: &[&str]) -> Result<Vec<Metric>, FlinkError> {
        let query = metrics_query(names);
        let call = self.call(Method::GET, &["jobs", jid, "metrics"], query.as_deref())?;
        let body: MetricsBody = self.send_json(call).await?;
        Ok(body.into_vec())
    }

    /// The job's `numRestarts` metric (restarts since submission, via
    /// `GET /jobs/:jobid/metrics?get=numRestarts`); `None` when Flink does not report it,
    /// which Flink 2.x does (answering `[]`) for a freshly submitted job until its first
    /// metric fetch and for FAILED/FINISHED jobs. The value lags by up to
    /// `metrics.fetcher.update-interval` (10 s by default).
    ///
    /// # Errors
    /// Any [`FlinkError`]; a value that is not an unsigned integer is a
    /// [`FlinkError::Decode`].
    pub async fn num_restarts(&self, jid: &str) -> Result<Option<u64>, FlinkError> {
        const NAME: &str = "numRestarts";
        let metrics = self.job_metrics(jid, &[NAME]).await?;
        let Some(metric) = metrics.into_iter().find(|m| m.id == NAME) else {
            return Ok(None);
        };
        match metric.as_u64() {
            Some(restarts) => Ok(Some(restarts)),
            None => Err(self.decode_error(
                &format!("GET /jobs/{jid}/metrics"),
                format!("{NAME} value {:?} is not an unsigned integer", metric.value),
                metric.value.as_bytes(),
            )),
        }
    }

    /// `POST /jars/upload`: uploads a jar as multipart form data (field `jarfile`, part
    /// content type `application/x-java-archive`, part file name `file_name`). Use
    /// [`JarUploaded::jar_id`] with [`FlinkClient::run_jar`].
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn upload_jar(
        &self,
        file_name: &str,
        jar: Vec<u8>,
    ) -> Result<JarUploaded, FlinkError> {
        let call = self.call(Method::POST, &["jars", "upload"], None)?;
        let part = Part::bytes(jar)
            .file_name(file_name.to_owned())
            .mime_str(JAR_CONTENT_TYPE)
            .map_err(|err| FlinkError::Transport {
                cluster: self.cluster.to_string(),
                endpoint: call.endpoint.clone(),
                message: err.to_string(),
            })?;
        let call = call.with(|b| b.multipart(Form::new().part("jarfile", part)));
        self.send_json(call).await
    }

    /// `POST /jars/:jarid/run`: submits a job from an uploaded jar; returns the new job id.
    ///
    /// # Errors
    /// Any [`FlinkError`]; a failing `main()` is a [`FlinkError::Status`] (400/500) carrying
    /// Flink's message.
    pub async fn run_jar(
        &self,
        jar_id: &str,
        request: &JarRunRequest,
    ) -> Result<JarRunResponse, FlinkError> {
        let call = self.call(Method::POST, &["jars", jar_id, "run"], None)?;
        let call = call.with(|b| b.json(request));
        self.send_json(call).await
    }

    /// `DELETE /jars/:jarid`: deletes an uploaded jar (the response body is ignored).
    ///
    /// # Errors
    /// Any [`FlinkError`] except [`FlinkError::Decode`].
    pub async fn delete_jar(&self, jar_id: &str) -> Result<(), FlinkError> {
        self.send(self.call(Method::DELETE, &["jars", jar_id], None)?)
            .await
            .map(drop)
    }

    /// `PATCH /jobs/:jobid?mode=cancel`: cancels the job without a savepoint. Flink answers
    /// `202 Accepted` (body `{}`, ignored) and cancels asynchronously: poll
    /// [`FlinkClient::job`].
    ///
    /// # Errors
    /// Any [`FlinkError`] except [`FlinkError::Decode`].
    pub async fn cancel_job(&self, jid: &str) -> Result<(), FlinkError> {
        self.send(self.call(Method::PATCH, &["jobs", jid], Some("mode=cancel"))?)
            .await
            .map(drop)
    }

    /// `POST /jobs/:jobid/stop`: stops the job with a savepoint (`{"drain", "targetDirectory",
    /// "formatType"}`); poll the returned trigger with [`FlinkClient::savepoint_status`].
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn stop_job(
        &self,
        jid: &str,
        request: &StopRequest,
    ) -> Result<TriggerId, FlinkError> {
        let call = self.call(Method::POST, &["jobs", jid, "stop"], None)?;
        let call = call.with(|b| b.json(request));
        let body: TriggerResponse = self.send_json(call).await?;
        Ok(body.request_id)
    }

    /// `POST /jobs/:jobid/savepoints`: triggers a savepoint (`{"target-directory",
    /// "cancel-job", "formatType"}`); poll the returned trigger with
    /// [`FlinkClient::savepoint_status`].
    ///
    /// # Errors
    /// Any [`FlinkError`].
    pub async fn trigger_savepoint(
        &self,
        jid: &str,
        request: &SavepointRequest,
    ) -> Result<TriggerId, FlinkError> {
        let call = self.call(Method::POST, &["jobs", jid, "savepoints"], None)?;
        let call = call.with(|b| b.json(request));
        let body: TriggerResponse = self.send_json(call).await?;
        Ok(body.request_id)
    }

    /// `GET /jobs/:jobid/savepoints/:triggerid`: progress of a savepoint or stop-with-savepoint.
    /// `status` is `IN_PROGRESS` (with `operation` null) or `COMPLETED`; a *failed* savepoint
    /// is also `COMPLETED`, with `operation.failure_cause` set instead of
    /// `operation.location`.
    ///
    /// # Errors
    /// Any [`FlinkError`]; an unknown trigger id is a [`FlinkError::Status`] (404).
    pub async fn savepoint_status(
        &self,
        jid: &str,
        trigger: &TriggerId,
    ) -> Result<AsyncOperation<SavepointInfo>, FlinkError> {
        let call = self.call(
            Method::GET,
            &["jobs", jid, "savepoints", trigger.as_str()],
            None,
        )?;
        self.send_json(call).await
    }
}

/// `get=a,b` with each name form-encoded and the separating commas literal; `None` without
/// names.
fn metrics_query(names: &[&str]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let encoded: Vec<String> = names
        .iter()
        .map(|name| url::form_urlencoded::byte_serialize(name.as_bytes()).collect())
        .collect();
    Some(format!("get={}", encoded.join(",")))
}

#[cfg(test)]
mod tests {
    use super::metrics_query;

    #[test]
    fn metric_names_are_comma_separated_and_encoded() {
        assert_eq!(metrics_query(&[]), None);
        assert_eq!(
            metrics_query(&["numRestarts", "uptime"]).as_deref(),
            Some("get=numRestarts,uptime")
        );
        assert_eq!(metrics_query(&["a,b&c"]).as_deref(), Some("get=a%2Cb%26c"));
    }
}
