//! End to end: the first admin created with the CLI, after which the API and the CLI need a
//! token; tokens created, listed and revoked through the CLI.
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
    let out = warden.run(
        &["users", "add", "root", "--admin", "--config", &config],
        false,
        &[],
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
    assert_eq!(status(viewer).await, 401, "revoked at once");
    assert_eq!(status(admin).await, 200);
}
