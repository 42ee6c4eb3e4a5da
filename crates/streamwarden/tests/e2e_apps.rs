//! End to end against a real Flink 2.3 cluster: managed applications uploaded as packages
//! (built here: a jar job and a SQL job with the datagen and blackhole connectors), started,
//! stopped with a savepoint and restored from it, restarted in bulk, refused when disabled or
//! broken.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::{Value, json};
use std::time::Duration;
use support::apps::{Apps, jar_meta, jar_package, local, zip};
use support::{demo_jar, flink, flink_url, job_state, unique, wait_for};

#[tokio::test]
async fn a_jar_application_stops_with_a_savepoint_and_starts_again_from_it() {
    let apps = Apps::start().await;
    let name = unique("e2e-app");
    let package = apps.warden.dir.join("app.zip");
    std::fs::write(
        &package,
        jar_package(&jar_meta("e2e", &name, "e2e", &apps.savepoints)),
    )
    .unwrap();
    let uploaded = apps
        .warden
        .cli(&["apps", "upload", package.to_str().unwrap()]);
    assert!(
        uploaded.contains(&format!("uploaded e2e {name} as v00001")),
        "{uploaded}"
    );
    let id = uploaded
        .split("application ")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches(')')
        .to_string();

    let run = apps.start_ok(&id).await;
    let first = run["jid"].as_str().unwrap().to_string();
    assert_eq!(job_state(&flink_url(), &first).await, "RUNNING");
    assert_eq!(
        run["restore_path"],
        Value::Null,
        "nothing to restore from yet"
    );
    let (status, body) = apps
        .post(&format!("/api/v1/apps/{id}/start"), json!({}))
        .await;
    assert_eq!(status, 409, "one run at a time: {body}");
    let (status, taken) = apps
        .post(&format!("/api/v1/apps/{id}/savepoint"), json!({}))
        .await;
    assert_eq!(status, 200, "{taken}");
    let taken = taken["savepoint"].as_str().unwrap().to_string();
    assert!(
        std::path::PathBuf::from(local(&taken))
            .join("_metadata")
            .exists()
    );

    let (status, stopped) = apps
        .post(
            &format!("/api/v1/apps/{id}/stop"),
            json!({"savepoint": true}),
        )
        .await;
    assert_eq!(status, 200, "{stopped}");
    let savepoint = stopped["savepoint_path"].as_str().unwrap().to_string();
    assert!(
        local(&savepoint).starts_with(&local(&apps.savepoints)),
        "{savepoint}"
    );
    let on_disk = std::path::PathBuf::from(local(&savepoint)).join("_metadata");
    assert!(on_disk.exists(), "{} exists", on_disk.display());
    assert_eq!(job_state(&flink_url(), &first).await, "FINISHED");

    let checks = apps.warden.get(&format!("/api/v1/apps/{id}/inspect")).await;
    assert_eq!(checks["checks"][0]["check"], "snapshot", "{checks}");

    let run = apps.start_ok(&id).await;
    let second = run["jid"].as_str().unwrap().to_string();
    assert_eq!(run["restore_path"], savepoint.as_str());
    let restored = wait_for("latest.restored", Duration::from_secs(30), || async {
        let stats = flink(&flink_url()).job_checkpoints(&second).await.ok()?;
        stats.latest.restored.and_then(|r| r.external_path)
    })
    .await;
    assert_eq!(local(&restored), local(&savepoint));

    // The stop was StreamWarden's: recorded, not alerted.
    let events = apps
        .warden
        .get(&format!("/api/v1/events?job={first}"))
        .await;
    let finished = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["job"]["state"] == "FINISHED")
        .cloned()
        .unwrap();
    assert_eq!(finished["notify"], false, "{finished}");
    assert!(
        finished["summary"]
            .as_str()
            .unwrap()
            .contains("stopped by StreamWarden for alice")
    );

    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    assert_eq!(runs.as_array().unwrap().len(), 2);
    assert_eq!(runs[1]["status"], "stopped");
    assert_eq!(runs[1]["started_by"], "alice");
    apps.post(&format!("/api/v1/apps/{id}/stop"), json!({}))
        .await;
}

#[tokio::test]
async fn three_applications_restart_with_snapshots_in_bulk() {
    let apps = Apps::start().await;
    let tag = unique("bulk").replace('-', "_");
    let mut ids = Vec::new();
    for i in 0..3 {
        let meta = jar_meta(
            "e2e",
            &unique(&format!("e2e-bulk{i}")),
            &tag,
            &apps.savepoints,
        );
        let (status, uploaded) = apps.upload(jar_package(&meta)).await;
        assert_eq!(status, 201, "{uploaded}");
        ids.push(uploaded["app"]["id"].as_str().unwrap().to_string());
    }
    let started = apps.warden.cli(&["apps", "bulk", "start", "--tag", &tag]);
    assert_eq!(started.matches(" ok ").count(), 3, "{started}");
    let restarted = apps.warden.cli(&[
        "apps",
        "bulk",
        "restart-with-snapshot",
        "--tag",
        &tag,
        "--parallelism",
        "3",
    ]);
    assert_eq!(restarted.matches(" ok ").count(), 3, "{restarted}");
    for id in &ids {
        let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
        let (newest, previous) = (&runs[0], &runs[1]);
        assert_eq!(newest["status"], "running");
        assert_eq!(
            job_state(&flink_url(), newest["jid"].as_str().unwrap()).await,
            "RUNNING"
        );
        assert_eq!(
            newest["restore_path"], previous["savepoint_path"],
            "restored from its own new savepoint"
        );
        assert!(previous["savepoint_path"].is_string());
    }
    let stopped = apps.warden.cli(&["apps", "bulk", "stop", "--tag", &tag]);
    assert_eq!(stopped.matches(" ok ").count(), 3, "{stopped}");
}

#[tokio::test]
async fn a_sql_application_runs_through_the_sql_runner() {
    let apps = Apps::start().await;
    let name = unique("e2e-sql");
    let meta = json!({
        "projectName": "e2e",
        "jobName": name,
        "jobType": "flink.sql",
        "jobContent": { "type": "file", "file": "job.sql" },
        "jobConfig": { "wds.linkis.flink.resource": { "wds.linkis.flink.app.parallelism": "1" } }
    });
    let sql = "CREATE TABLE src (id BIGINT, name STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '5');\n\
               CREATE TABLE snk (id BIGINT, name STRING) WITH ('connector' = 'blackhole');\n\
               INSERT INTO snk SELECT id, name FROM src;\n";
    let (status, uploaded) = apps
        .upload(zip(&[
            ("meta.json", meta.to_string().into_bytes()),
            ("job.sql", sql.into()),
        ]))
        .await;
    assert_eq!(status, 201, "{uploaded}");
    let id = uploaded["app"]["id"].as_str().unwrap().to_string();
    let run = apps.start_ok(&id).await;
    let jid = run["jid"].as_str().unwrap();
    let job = flink(&flink_url()).job(jid).await.unwrap();
    assert_eq!(job.state, "RUNNING");
    assert_eq!(job.name, name, "pipeline.name is the application's name");
    apps.stop_ok(&id).await;
}

#[tokio::test]
async fn disabled_applications_and_broken_packages_are_refused_clearly() {
    let apps = Apps::start().await;
    let name = unique("e2e-off");
    let id = apps
        .upload_ok(&jar_meta("e2e", &name, "e2e", &apps.savepoints))
        .await;
    apps.warden.cli(&["apps", "disable", &id]);
    let (status, body) = apps
        .post(&format!("/api/v1/apps/{id}/start"), json!({}))
        .await;
    assert_eq!(status, 409);
    assert!(
        body["error"].as_str().unwrap().contains("is disabled"),
        "{body}"
    );

    // A Streamis package from its handbook uploads unchanged (its jar is our demo jar).
    let seed = include_str!("../../streamwarden-apps/tests/fixtures/streamis_seed_002_jar.json");
    let (status, body) = apps
        .upload(zip(&[
            ("meta.json", seed.into()),
            (
                "demo-stream-app-0.1.3-SNAPSHOT.jar",
                std::fs::read(demo_jar()).unwrap(),
            ),
        ]))
        .await;
    assert_eq!(status, 400, "no projectName in the seed: {body}");
    assert!(
        body["error"].as_str().unwrap().contains("projectName"),
        "{body}"
    );
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(zip(&[
                ("meta.json", seed.into()),
                (
                    "demo-stream-app-0.1.3-SNAPSHOT.jar",
                    std::fs::read(demo_jar()).unwrap(),
                ),
            ]))
            .file_name("seed.zip"),
        )
        .text("project", "streamis");
    let response = apps
        .http
        .post(format!("{}/api/v1/apps/upload", apps.warden.api))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let seeded: Value = response.json().await.unwrap();
    assert_eq!(seeded["app"]["name"], "0725_1");
    assert_eq!(seeded["version"]["spec"]["parallelism"], 1);

    let meta = |f: &dyn Fn(&mut Value)| {
        let mut m = jar_meta("e2e", &name, "e2e", &apps.savepoints);
        f(&mut m);
        m.to_string().into_bytes()
    };
    let jar = std::fs::read(demo_jar()).unwrap();
    let big = vec![0u8; 600 * 1024 * 1024];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "no meta.json",
            zip(&[("demo-job.jar", jar.clone())]),
            "meta.json",
        ),
        (
            "wrong jobType",
            zip(&[
                ("meta.json", meta(&|m| m["jobType"] = json!("spark.jar"))),
                ("demo-job.jar", jar.clone()),
            ]),
            "jobType",
        ),
        (
            "no main class",
            zip(&[
                (
                    "meta.json",
                    meta(&|m| {
                        m["jobContent"]
                            .as_object_mut()
                            .unwrap()
                            .retain(|k, _| k != "main.class")
                    }),
                ),
                ("demo-job.jar", jar.clone()),
            ]),
            "main.class",
        ),
        (
            "zip-slip",
            zip(&[
                ("meta.json", meta(&|_| {})),
                ("demo-job.jar", jar.clone()),
                ("../evil.sh", b"x".to_vec()),
            ]),
            "evil",
        ),
        (
            "zip bomb",
            zip(&[
                ("meta.json", meta(&|_| {})),
                ("demo-job.jar", jar.clone()),
                ("zeros.bin", big),
            ]),
            "zeros.bin",
        ),
        ("empty upload", Vec::new(), "empty"),
        ("not a zip", b"this is not a zip".to_vec(), "zip"),
    ];
    for (what, package, mentions) in cases {
        let (status, body) = apps.upload(package).await;
        assert_eq!(status, 400, "{what}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(mentions),
            "{what}: {error:?} should mention {mentions:?}"
        );
    }
    let versions = apps
        .warden
        .get(&format!("/api/v1/apps/{id}/versions"))
        .await;
    assert_eq!(
        versions.as_array().unwrap().len(),
        1,
        "no version left behind"
    );
    let stored: Vec<_> = std::fs::read_dir(apps.warden.dir.join("streamwarden-packages").join(&id))
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert!(
        stored.iter().all(|n| *n <= 1),
        "no package file left behind: {stored:?}"
    );

    // Editing the program arguments is a new version.
    let response = apps
        .http
        .put(format!("{}/api/v1/apps/{id}/args", apps.warden.api))
        .json(&json!({"args": ["--mode", "fail", "--after-ms", "500", "--name", name]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let edited: Value = response.json().await.unwrap();
    assert_eq!(
        (edited["version"].as_str(), edited["source"].as_str()),
        (Some("v00002"), Some("edit"))
    );
    // Tags in bulk, each checked.
    let response = apps
        .http
        .put(format!("{}/api/v1/apps/tags", apps.warden.api))
        .json(&json!({"apps": [id, "no-such-app"], "tags": ["team_a", "eu"]}))
        .send()
        .await
        .unwrap();
    let tagged: Value = response.json().await.unwrap();
    assert_eq!(tagged[0]["ok"], true, "{tagged}");
    assert_eq!(tagged[1]["ok"], false, "{tagged}");
    // v00002 fails half a second after it starts: a failed start with its root exception.
    apps.warden.cli(&["apps", "enable", &id]);
    let (status, body) = apps
        .post(&format!("/api/v1/apps/{id}/start"), json!({}))
        .await;
    assert_eq!(status, 502, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("went FAILED right after its start")
            && error.contains("demo failure after 500 ms"),
        "{error}"
    );
    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    assert_eq!(
        (runs[0]["status"].as_str(), runs[0]["version"].as_str()),
        (Some("failed"), Some("v00002"))
    );
}

#[tokio::test]
async fn runs_left_in_flight_by_a_killed_streamwarden_are_settled_against_flink() {
    use streamwarden_store::{RunStatus, Store};
    let mut apps = Apps::start().await;
    let name = unique("e2e-reconcile");
    let id = apps
        .upload_ok(&jar_meta("e2e", &name, "e2e", &apps.savepoints))
        .await;
    let run = apps.start_ok(&id).await;
    let jid = run["jid"].as_str().unwrap().to_string();

    // As if StreamWarden had been killed in the middle of two starts: one submitted (its job
    // runs), one not yet submitted.
    apps.warden.kill9();
    {
        let store =
            streamwarden_store_sqlite::SqliteStore::open(&apps.warden.dir.join("streamwarden.db"))
                .await
                .unwrap();
        let mut runs = store.list_runs(&id, 10).await.unwrap();
        let mut submitted = runs.remove(0);
        submitted.status = RunStatus::Starting;
        store.put_run(&submitted).await.unwrap();
        let unsubmitted = streamwarden_store::Run {
            id: "interrupted".into(),
            jid: None,
            started_ms: submitted.started_ms - 1,
            ..submitted
        };
        store.put_run(&unsubmitted).await.unwrap();
        store.close().await;
    }
    apps.warden.spawn().await;
    let runs = wait_for("both runs settled", Duration::from_secs(30), || async {
        let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
        let settled = runs.as_array()?.iter().all(|r| r["status"] != "starting");
        settled.then_some(runs)
    })
    .await;
    let by_id = |rid: &str| {
        runs.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == rid)
            .cloned()
            .unwrap()
    };
    let submitted = by_id(run["id"].as_str().unwrap());
    assert_eq!(submitted["status"], "running", "{submitted}");
    assert_eq!(submitted["jid"], jid.as_str());
    let interrupted = by_id("interrupted");
    assert_eq!(interrupted["status"], "failed");
    assert!(
        interrupted["message"]
            .as_str()
            .unwrap()
            .contains("before the job was submitted")
    );
    assert_eq!(
        job_state(&flink_url(), &jid).await,
        "RUNNING",
        "exactly the one job runs"
    );
    apps.stop_ok(&id).await;
}

#[tokio::test]
async fn an_application_cancelled_through_flink_can_be_started_again() {
    let apps = Apps::start().await;
    let name = unique("e2e-outside");
    let id = apps
        .upload_ok(&jar_meta("e2e", &name, "e2e", &apps.savepoints))
        .await;
    let run = apps.start_ok(&id).await;
    let first = run["jid"].as_str().unwrap().to_string();
    support::cancel(&flink_url(), &first).await;
    wait_for("CANCELED", Duration::from_secs(30), || async {
        (job_state(&flink_url(), &first).await == "CANCELED").then_some(())
    })
    .await;
    // The run still says running until a start checks it against Flink.
    let (status, again) = apps
        .post(&format!("/api/v1/apps/{id}/start"), json!({}))
        .await;
    assert_eq!(status, 200, "{again}");
    let runs = apps.warden.get(&format!("/api/v1/apps/{id}/runs")).await;
    assert_eq!(
        (runs[1]["status"].as_str(), runs[1]["message"].as_str()),
        (Some("ended"), Some("the job is CANCELED")),
        "{runs}"
    );
    apps.stop_ok(&id).await;
}
