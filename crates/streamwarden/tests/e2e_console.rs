//! End to end in a real browser: headless Chromium (Debian's `chromium`, driven by npm's
//! `playwright-core` from `testing/browser/`, both installed by `scripts/test.sh`) signs in to
//! the console of a StreamWarden watching the test Flink cluster, sees a real job fail live,
//! configures and test-sends a DingTalk channel (to the testkit's fake DingTalk robot), creates a silence, uploads and starts an
//! application through the inspect dialog, and reads each change in the audit log. Screenshots
//! of every page are kept in `target/console-screenshots/`.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use streamwarden_testkit::FakeDingTalk;
use support::apps::{Apps, jar_meta, jar_package};
use support::{cancel, flink_url, submit_demo, unique, wait_for};

const PASSWORD: &str = "console test password";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the screenshots go: `target/console-screenshots/` of the workspace (or of
/// `CARGO_TARGET_DIR`).
fn screenshots() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| repo().join("target"), PathBuf::from)
        .join("console-screenshots")
}

#[tokio::test]
async fn the_console_runs_streamwarden_from_a_browser() {
    let browser_dir = repo().join("testing/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed in {}: run scripts/test.sh (npm ci)",
        browser_dir.display()
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        PathBuf::from(&chromium).is_file(),
        "no browser at {chromium}: run scripts/test.sh (apt-get install chromium)"
    );

    let apps = Apps::start().await;
    let warden = &apps.warden;
    let config = warden.config().display().to_string();
    let made = warden.run_with_input(
        &[
            "users",
            "add",
            "admin",
            "--admin",
            "--password-stdin",
            "--config",
            &config,
        ],
        false,
        &[],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let token = String::from_utf8_lossy(&made.stdout)
        .lines()
        .find(|l| l.starts_with("swt_"))
        .unwrap()
        .to_string();
    let api = |path: String| {
        let (http, token, base) = (apps.http.clone(), token.clone(), warden.api.clone());
        async move {
            http.get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };

    let robot = FakeDingTalk::start(None).await;
    let robot_url = robot.webhook_url().to_string();
    let package = warden.dir.join("console-app.zip");
    let app_name = unique("console-app");
    let meta = jar_meta("console", &app_name, "console,e2e", &apps.savepoints);
    std::fs::write(&package, jar_package(&meta)).unwrap();

    let job_name = unique("console-fail");
    let jid = submit_demo(
        &flink_url(),
        &["--mode", "fail", "--after-ms", "25000", "--name", &job_name],
    )
    .await;
    wait_for(
        "StreamWarden to see the job RUNNING",
        Duration::from_secs(30),
        || {
            let api = &api;
            let jid = jid.clone();
            async move {
                let jobs = api("/api/v1/jobs".into()).await;
                jobs.as_array()
                    .unwrap()
                    .iter()
                    .any(|j| j["jid"] == jid.as_str() && j["state"] == "RUNNING")
                    .then_some(())
            }
        },
    )
    .await;

    let shots = screenshots();
    let out = tokio::process::Command::new("node")
        .arg("console.test.mjs")
        .current_dir(&browser_dir)
        .env("SW_URL", &warden.api)
        .env("SW_USER", "admin")
        .env("SW_PASSWORD", PASSWORD)
        .env("SW_JOB_NAME", &job_name)
        .env("SW_ROBOT_URL", &robot_url)
        .env("SW_PACKAGE", &package)
        .env("SW_SCREENSHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(420), out)
        .await
        .expect("the browser test ends within 7 minutes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    cancel(&flink_url(), &jid).await;
    assert!(
        out.status.success(),
        "browser steps failed (screenshots in {}):\n{stdout}\n{stderr}\n--- StreamWarden's log:\n{}",
        shots.display(),
        warden.log()
    );
    let result: Value = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(|json| serde_json::from_str(json).unwrap())
        .unwrap_or_else(|| panic!("no RESULT line in {stdout}"));

    // What the browser did, seen from outside it.
    // Alerts of other tests' jobs on the shared cluster reach the new channel too (with no
    // routes, every alert goes to every channel): count the test messages.
    let tests: Vec<Value> = robot
        .accepted()
        .into_iter()
        .filter(|m| {
            m["markdown"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("[TEST]"))
        })
        .collect();
    assert_eq!(
        tests.len(),
        1,
        "one test message reached the DingTalk robot: {tests:?}"
    );
    assert_eq!(tests[0]["msgtype"], "markdown", "{}", tests[0]);
    let app_id = result["app"].as_str().unwrap();
    let runs = api(format!("/api/v1/apps/{app_id}/runs")).await;
    assert_eq!(runs[0]["status"], "running", "{runs}");
    assert_eq!(runs[0]["started_by"], "admin", "{runs}");
    let silences = api("/api/v1/silences".into()).await;
    let silence = silences
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["comment"] == result["silence"])
        .unwrap_or_else(|| panic!("the console's silence in {silences}"));
    assert_eq!(silence["author"], "admin");
    let audit = api("/api/v1/audit?actor=admin".into()).await;
    let from_console = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["via"] == "console" && e["status"].as_u64().unwrap() < 400)
        .count();
    assert!(from_console >= 6, "{audit}");
    for page in [
        "login",
        "overview",
        "overview-failed",
        "jobs",
        "job",
        "channels",
        "channel-invalid",
        "channel",
        "silences",
        "app-inspect",
        "app",
        "apps",
        "audit",
        "alerts",
        "routes",
    ] {
        assert!(
            shots.join(format!("{page}.png")).is_file(),
            "a screenshot of {page}"
        );
    }
    let run_jid = runs[0]["jid"].as_str().unwrap().to_string();
    cancel(&flink_url(), &run_jid).await;
}
