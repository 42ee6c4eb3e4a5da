//! The real `streamwarden` binary as a child process with its own database and config.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

/// A running `streamwarden serve`. Killed when dropped.
pub struct Warden {
    pub api: String,
    pub dir: PathBuf,
    child: Option<Child>,
    config: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Warden {
    /// Starts StreamWarden with `extra` TOML (clusters, channels, …) appended to a config that
    /// sets a fresh database and a free API port; waits for `/healthz`.
    pub async fn start(extra: &str) -> Warden {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let config = dir.join("streamwarden.toml");
        let port = free_port();
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:{port}\"\ndatabase = \"{}\"\npackages_dir = \"{}\"\n{extra}",
                dir.join("streamwarden.db").display(),
                dir.join("streamwarden-packages").display()
            ),
        )
        .unwrap();
        let mut warden = Warden {
            api: format!("http://127.0.0.1:{port}"),
            dir,
            child: None,
            config,
            _tmp: Some(tmp),
        };
        warden.spawn().await;
        warden
    }

    /// Starts the process (again) on the same config and database.
    pub async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("streamwarden.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_streamwarden"))
            .args(["serve", "--config"])
            .arg(&self.config)
            .env("STREAMWARDEN_LOG", "info,streamwarden=debug")
            .env("NO_COLOR", "1")
            .env_remove("STREAMWARDEN_URL")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let health = format!("{}/healthz", self.api);
        for _ in 0..150 {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                panic!("streamwarden exited with {status}:\n{}", self.log());
            }
            if reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "streamwarden /healthz did not answer in 30 s:\n{}",
            self.log()
        );
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// GETs an API path as JSON.
    pub async fn get(&self, path: &str) -> serde_json::Value {
        reqwest::get(format!("{}{path}", self.api))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Runs the `streamwarden` CLI against this instance's API; its standard output. Panics
    /// with the CLI's error when it fails.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self.run(args, true, &[]);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the `streamwarden` binary with `args` (and `--server` this instance's API when
    /// `server`), with `env` set and `STREAMWARDEN_TOKEN` unset unless given; its output.
    pub fn run(&self, args: &[&str], server: bool, env: &[(&str, &str)]) -> std::process::Output {
        self.run_with_input(args, server, env, "")
    }

    /// [`Warden::run`], writing `input` to the command's stdin.
    pub fn run_with_input(
        &self,
        args: &[&str],
        server: bool,
        env: &[(&str, &str)],
        input: &str,
    ) -> std::process::Output {
        use std::io::Write;
        let mut command = Command::new(env!("CARGO_BIN_EXE_streamwarden"));
        command.args(args).env_remove("STREAMWARDEN_TOKEN");
        if server {
            command.args(["--server", &self.api]);
        }
        command.envs(env.iter().copied());
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// The configuration file it runs with.
    pub fn config(&self) -> &std::path::Path {
        &self.config
    }

    /// The process log so far (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("streamwarden.log")).unwrap_or_default()
    }
}

impl Drop for Warden {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<_> = log.lines().rev().take(80).collect();
            eprintln!("--- streamwarden log (last 80 lines) ---");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}
