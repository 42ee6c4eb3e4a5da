//! Managed applications in the end-to-end tests: packages of the demo job, and a StreamWarden
//! to upload them to.

use super::warden::Warden;
use super::{demo_jar, flink_url, sql_runner};
use serde_json::{Value, json};
use std::io::Write;

/// A `file:` URI or path as a local path (Flink writes `file:/x`, configurations `file:///x`).
pub fn local(uri: &str) -> String {
    uri.trim_start_matches("file:")
        .trim_start_matches("//")
        .trim_end_matches('/')
        .to_string()
}

/// A zip of `entries` (name, bytes).
pub fn zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
    out.into_inner()
}

pub fn jar_meta(project: &str, name: &str, tags: &str, savepoints: &str) -> Value {
    json!({
        "projectName": project,
        "jobName": name,
        "jobType": "flink.jar",
        "tags": tags,
        "description": "demo job",
        "jobContent": {
            "main.class.jar": "demo-job.jar",
            "main.class": "io.streamwarden.demo.DemoJob",
            "args": ["--mode", "steady", "--name", name]
        },
        "jobConfig": {
            "wds.linkis.flink.resource": { "wds.linkis.flink.app.parallelism": "1" },
            "wds.linkis.flink.custom": { "execution.checkpointing.savepoint-dir": savepoints },
            "wds.linkis.flink.produce": {
                "wds.linkis.flink.app.start-auto-restore.switch": "ON",
                "wds.linkis.flink.alert.failure.user": "alice"
            }
        }
    })
}

pub fn jar_package(meta: &Value) -> Vec<u8> {
    zip(&[
        ("meta.json", meta.to_string().into_bytes()),
        ("demo-job.jar", std::fs::read(demo_jar()).unwrap()),
    ])
}

/// A StreamWarden watching the test cluster, with its API client and savepoint directory.
pub struct Apps {
    /// The running StreamWarden.
    pub warden: Warden,
    /// HTTP client.
    pub http: reqwest::Client,
    /// `file://` savepoint directory of its applications.
    pub savepoints: String,
}

impl Apps {
    /// StreamWarden watching the test cluster as `e2e`.
    pub async fn start() -> Apps {
        let warden = Warden::start(&format!(
            "sql_runner = \"{}\"\n\n[[clusters]]\nname = \"e2e\"\nurl = \"{}\"\n",
            sql_runner().display(),
            flink_url()
        ))
        .await;
        Apps::with(warden)
    }

    /// Applications of `warden`, saving their savepoints in its directory.
    pub fn with(warden: Warden) -> Apps {
        let savepoints = format!("file://{}", warden.dir.join("savepoints").display());
        Apps {
            warden,
            http: reqwest::Client::new(),
            savepoints,
        }
    }

    /// Uploads a package; status and answer.
    pub async fn upload(&self, package: Vec<u8>) -> (u16, Value) {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(package).file_name("package.zip"),
        );
        let response = self
            .http
            .post(format!("{}/api/v1/apps/upload", self.warden.api))
            .header("x-streamwarden-user", "alice")
            .multipart(form)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or_default(),
        )
    }

    /// Uploads the demo job's package with `meta`; the new application's id (the upload must
    /// succeed).
    pub async fn upload_ok(&self, meta: &Value) -> String {
        let (status, uploaded) = self.upload(jar_package(meta)).await;
        assert_eq!(status, 201, "{uploaded}");
        uploaded["app"]["id"].as_str().unwrap().to_string()
    }

    /// Starts application `id`; the run (the start must succeed).
    pub async fn start_ok(&self, id: &str) -> Value {
        let (status, run) = self
            .post(&format!("/api/v1/apps/{id}/start"), json!({}))
            .await;
        assert_eq!(status, 200, "{run}");
        run
    }

    /// Stops application `id` (the stop must succeed).
    pub async fn stop_ok(&self, id: &str) {
        let (status, stopped) = self
            .post(&format!("/api/v1/apps/{id}/stop"), json!({}))
            .await;
        assert_eq!(status, 200, "{stopped}");
    }

    /// PUTs JSON as alice; status and answer.
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    /// POSTs JSON as alice; status and answer.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.warden.api))
            .header("x-streamwarden-user", "alice")
            .json(&body)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or_default(),
        )
    }
}
