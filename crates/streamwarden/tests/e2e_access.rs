//! End to end: the first admin created with the CLI or from the configuration, after which the
//! API and the CLI need a token or a session; tokens created, listed and revoked through the
//! CLI, and all of it in the audit log.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

mod support;

use support::warden::Warden;

fn token_in(stdout: &str) -> String {
    stdout
        .lines()
        .find(|l| l.starts_with("swt_"))
        .unwrap_or_else(|| panic!("a token in {stdout}"))
        .to_string()
}

#[tokio::test]
async fn the_first_admin_is_created_with_the_cli_and_from_then_on_tokens_are_needed() {
    let warden = Warden::start("").await;
    let jobs = format!("{}/api/v1/jobs", warden.api);
    assert_eq!(
        reqwest::get(&jobs).await.unwrap().status().as_u16(),
        200,
        "open until a user exists"
    );

    let config = warden.config().display().to_string();
    let out = warden.run_with_input(
        &[
            "users",
            "add",
            "root",
            "--admin",
            "--password-stdin",
            "--config",
            &config,
        ],
        false,
        &[("USER", "ops")],
        "root's long password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin = token_in(&String::from_utf8_lossy(&out.stdout));

    assert_eq!(reqwest::get(&jobs).await.unwrap().status().as_u16(), 401);
    assert_eq!(
        reqwest::get(format!("{}/healthz", warden.api))
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let denied = warden.run(&["jobs"], true, &[]);
    assert!(!denied.status.success());
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("HTTP 401"),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
    let allowed = warden.run(&["jobs"], true, &[("STREAMWARDEN_TOKEN", &admin)]);
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );

    let out = warden.run(
        &["tokens", "create", "--label", "grafana", "--role", "viewer"],
        true,
        &[("STREAMWARDEN_TOKEN", &admin)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let viewer = token_in(&stdout);
    let id = stdout.split_whitespace().nth(1).unwrap().to_string();
    let client = reqwest::Client::new();
    let status = |token: String| {
        let (client, jobs) = (client.clone(), jobs.clone());
        async move {
            client
                .get(jobs)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(viewer.clone()).await, 200);
    let listed = warden.run(&["tokens", "list"], true, &[("STREAMWARDEN_TOKEN", &admin)]);
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(
        listed.contains(&viewer[..8]) && !listed.contains(&viewer[8..]),
        "{listed}"
    );
    let revoked = warden.run(
        &["tokens", "revoke", &id],
        true,
        &[("STREAMWARDEN_TOKEN", &admin)],
    );
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    assert_eq!(status(viewer.clone()).await, 401, "revoked at once");
    assert_eq!(status(admin.clone()).await, 200);

    let signed_in = client
        .post(format!("{}/api/v1/session", warden.api))
        .json(&serde_json::json!({"user": "root", "password": "root's long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status().as_u16(),
        200,
        "the password from stdin signs in"
    );

    let audit: Vec<serde_json::Value> = client
        .get(format!("{}/api/v1/audit", warden.api))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen: Vec<(String, String, String, String)> = audit
        .iter()
        .rev()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_string();
            (text("actor"), text("via"), text("action"), text("target"))
        })
        .collect();
    let row = |a: &str, v: &str, c: &str, t: &str| (a.into(), v.into(), c.into(), t.into());
    assert_eq!(
        seen,
        vec![
            row("ops (local)", "cli", "users add", "users/root"),
            row(
                "root",
                "cli",
                "POST /api/v1/tokens",
                &format!("tokens/{id}")
            ),
            row(
                "root",
                "cli",
                "DELETE /api/v1/tokens/{id}",
                &format!("tokens/{id}")
            ),
            row("root", "api", "POST /api/v1/session", "session"),
        ],
        "what the CLI changed, directly or through the API, is audited"
    );
    let text = serde_json::to_string(&audit).unwrap();
    assert!(
        !text.contains("long password") && !text.contains(&viewer[4..]),
        "{text}"
    );
}

#[tokio::test]
async fn the_first_admin_can_come_from_the_configuration() {
    let warden =
        Warden::start("[admin]\nname = \"boss\"\npassword = \"from the config file\"\n").await;
    let client = reqwest::Client::new();
    let jobs = format!("{}/api/v1/jobs", warden.api);
    assert_eq!(
        client.get(&jobs).send().await.unwrap().status().as_u16(),
        401
    );
    let signed_in = client
        .post(format!("{}/api/v1/session", warden.api))
        .json(&serde_json::json!({"user": "boss", "password": "from the config file"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 200);
    let cookie = signed_in
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let audit: serde_json::Value = client
        .get(format!("{}/api/v1/audit?action=users", warden.api))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit[0]["via"], "config", "{audit}");
    assert_eq!(audit[0]["target"], "users/boss");
    assert!(
        !warden.log().contains("from the config file"),
        "{}",
        warden.log()
    );
}
