//! Reading a job's live state from Flink for people (the console's job page): its checkpoint
//! statistics, through the client of the cluster it runs on.

use crate::{Lifecycle, OpError};
use flink_client::CheckpointStatistics;

impl Lifecycle {
    /// Flink's checkpoint statistics of job `jid` on `cluster` (`GET /jobs/:jid/checkpoints`):
    /// counts (completed, failed, in progress, restored) and the latest completed, failed and
    /// savepoint checkpoints and restore. `Invalid` when `cluster` is not one of the
    /// lifecycle's clusters; `Flink` (naming the cluster and endpoint) when Flink cannot be
    /// reached or refuses.
    pub async fn checkpoints(
        &self,
        cluster: &str,
        jid: &str,
    ) -> Result<CheckpointStatistics, OpError> {
        self.client(cluster)?
            .job_checkpoints(jid)
            .await
            .map_err(|e| OpError::Flink(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flink_client::{ClientConfig, FlinkClient};
    use std::sync::Arc;
    use std::time::Duration;
    use streamwarden_store_sqlite::SqliteStore;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A lifecycle over one cluster, `local`, whose REST API is at `url`.
    async fn lifecycle(dir: &std::path::Path, url: &str) -> Lifecycle {
        let store = SqliteStore::open(&dir.join("sw.db")).await.expect("store");
        let config = ClientConfig {
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
        };
        let client = FlinkClient::new("local", url, &config).expect("client");
        Lifecycle::new(
            Arc::new(store),
            vec![client],
            dir.join("packages"),
            None,
            Default::default(),
        )
    }

    /// A one-request HTTP server answering `body` as JSON; its base URL and the request line
    /// it received.
    async fn answer_once(body: &'static str) -> (String, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let served = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buffer).await.expect("read");
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..n]);
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(response.as_bytes()).await.expect("write");
            String::from_utf8_lossy(&request)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        });
        (base, served)
    }

    #[tokio::test]
    async fn reads_the_statistics_of_a_job_from_its_cluster() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (base, served) = answer_once(
            r#"{"counts":{"restored":1,"total":9,"in_progress":1,"completed":7,"failed":1},
                "latest":{"completed":{"id":8,"status":"COMPLETED","trigger_timestamp":1700000000000,
                  "end_to_end_duration":420,"state_size":2048,"external_path":"file:/ck/j/chk-8"},
                  "savepoint":null,"failed":null,
                  "restored":{"id":3,"restore_timestamp":1699999990000,"is_savepoint":true,
                  "external_path":"file:/sp/savepoint-1"}},
                "history":[]}"#,
        )
        .await;
        let lifecycle = lifecycle(dir.path(), &base).await;
        let stats = lifecycle
            .checkpoints("local", "a1b2")
            .await
            .expect("statistics");
        assert_eq!(
            served.await.expect("served"),
            "GET /jobs/a1b2/checkpoints HTTP/1.1"
        );
        assert_eq!(
            (
                stats.counts.completed,
                stats.counts.failed,
                stats.counts.in_progress,
                stats.counts.restored
            ),
            (7, 1, 1, 1)
        );
        let latest = stats.latest.completed.expect("latest completed");
        assert_eq!(latest.id, 8);
        assert_eq!(latest.state_size_bytes, Some(2048));
        assert_eq!(latest.end_to_end_duration_ms, Some(420));
        assert_eq!(
            stats
                .latest
                .restored
                .and_then(|r| r.external_path)
                .as_deref(),
            Some("file:/sp/savepoint-1")
        );
    }

    #[tokio::test]
    async fn an_unknown_cluster_is_invalid_and_an_unreachable_one_a_flink_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Nothing listens on port 9 of the loopback interface.
        let lifecycle = lifecycle(dir.path(), "http://127.0.0.1:9").await;
        match lifecycle.checkpoints("elsewhere", "a1b2").await {
            Err(OpError::Invalid(m)) => {
                assert!(m.contains("no cluster named \"elsewhere\""), "{m}")
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        match lifecycle.checkpoints("local", "a1b2").await {
            Err(OpError::Flink(m)) => assert!(m.contains("local"), "names the cluster: {m}"),
            other => panic!("expected a Flink error, got {other:?}"),
        }
    }
}
