//! The SMTP test server (`testing/smtp/server.py`, aiosmtpd) as a child process: one per test,
//! on a port of 127.0.0.1 the system picks, with its own self-signed certificate (made by the
//! `openssl` CLI) and mail directory. Needs `python3` with aiosmtpd (`python3 -m pip install
//! 'aiosmtpd==1.4.6'`, as `scripts/test.sh` does) and `openssl` for the TLS modes.
//!
//! The server writes every message it receives as `<n>.eml` and a JSON sidecar `<n>.json`
//! (envelope, decoded headers and parts), which [`SmtpServer::message`] reads.

use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the server may take to start (python start-up, aiosmtpd import).
const START_LIMIT: Duration = Duration::from_secs(30);

/// How long [`SmtpServer::message`] waits for a message.
const MESSAGE_LIMIT: Duration = Duration::from_secs(10);

/// How the server listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SMTP without TLS; no STARTTLS offered.
    Plain,
    /// STARTTLS offered and required.
    Starttls,
    /// TLS from the first byte.
    Smtps,
}

impl Mode {
    /// The server's `--mode` argument.
    fn as_str(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Starttls => "starttls",
            Mode::Smtps => "smtps",
        }
    }
}

/// A running server; killed when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    child: Child,
    maildir: PathBuf,
    dir: tempfile::TempDir,
}

/// An address of a header as the server parsed it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Addr {
    /// Display name, if any.
    pub name: Option<String>,
    /// The address.
    pub addr: String,
}

/// One leaf MIME part, decoded.
#[derive(Debug, Clone, Deserialize)]
pub struct Part {
    /// `text/plain`, `text/html`, …
    pub content_type: String,
    /// Declared charset.
    pub charset: Option<String>,
    /// `Content-Transfer-Encoding`.
    pub transfer_encoding: Option<String>,
    /// Decoded content, LF line ends.
    pub content: String,
}

/// What the server received for one message (its JSON sidecar) and the raw message.
#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    /// Envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// Envelope recipients (`RCPT TO`).
    pub rcpt_tos: Vec<String>,
    /// The user that logged in, if any.
    pub auth_user: Option<String>,
    /// Whether the session was encrypted.
    pub tls: bool,
    /// Decoded subject.
    pub subject: String,
    /// `From`.
    pub from: Vec<Addr>,
    /// `To`.
    pub to: Vec<Addr>,
    /// `Cc`.
    pub cc: Vec<Addr>,
    /// Content type of the whole message.
    pub content_type: String,
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// `Date`.
    pub date: Option<String>,
    /// Leaf parts in order.
    pub parts: Vec<Part>,
    /// The decoded text/plain part.
    pub text: Option<String>,
    /// The decoded text/html part.
    pub html: Option<String>,
    /// Set when Python could not parse the message.
    #[serde(default)]
    pub parse_error: Option<String>,
    /// The raw message (`<n>.eml`).
    #[serde(skip)]
    pub raw: String,
}

/// `testing/smtp/server.py` of this repository.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testing/smtp/server.py")
}

/// A self-signed certificate for `localhost` and `127.0.0.1`, made by the `openssl` CLI.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let output = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run the openssl CLI to make the test server's certificate ({e}); \
                 install openssl (apt-get install openssl)"
            )
        });
    assert!(
        output.status.success(),
        "openssl could not make a certificate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (cert, key)
}

impl SmtpServer {
    /// Starts the server in `mode`, requiring login with `auth` (`"user:pass"`) when given,
    /// and waits (blocking the thread, up to 30 s) until it listens on 127.0.0.1:[`port`].
    /// Its certificate is self-signed: clients must accept invalid certificates. Panics (the
    /// test fails) when python3 or aiosmtpd is missing or the server does not come up.
    ///
    /// [`port`]: SmtpServer::port
    pub fn start(mode: Mode, auth: Option<&str>) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let stderr_path = dir.path().join("server.stderr");
        let mut command = Command::new("python3");
        command
            .arg(script())
            .args(["--port", "0", "--mode", mode.as_str(), "--maildir"])
            .arg(&maildir);
        if mode != Mode::Plain {
            let (cert, key) = self_signed(dir.path());
            command.arg("--cert").arg(cert).arg("--key").arg(key);
        }
        if let Some(auth) = auth {
            command.args(["--auth", auth]);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_path).unwrap());
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start python3 for the SMTP test server ({e}): the email tests need \
                 Python 3 with aiosmtpd (python3 -m pip install 'aiosmtpd==1.4.6', as \
                 scripts/test.sh does)"
            )
        });
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = || std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let deadline = Instant::now() + START_LIMIT;
        let port = loop {
            match lines.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => {
                    if let Some(port) = line.strip_prefix("READY ") {
                        break port.trim().parse::<u16>().unwrap();
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(_) => {
                    let _ = child.kill();
                    let status = child.wait().unwrap();
                    panic!(
                        "the SMTP test server (testing/smtp/server.py --mode {}) did not get \
                         ready within {START_LIMIT:?} ({status}); its stderr:\n{}",
                        mode.as_str(),
                        stderr()
                    );
                }
            }
        };
        SmtpServer {
            port,
            child,
            maildir,
            dir,
        }
    }

    /// Message `n` (1, 2, …) as received; waits (blocking the thread) up to 10 s for it to
    /// appear. In an async test where other servers of the same runtime must keep answering
    /// meanwhile, use [`SmtpServer::wait_for_message`].
    pub fn message(&self, n: usize) -> Received {
        let deadline = Instant::now() + MESSAGE_LIMIT;
        while !self.has(n) {
            assert!(
                Instant::now() < deadline,
                "message {n} never reached the SMTP test server; its stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.read(n)
    }

    /// Message `n` (1, 2, …) as received; waits without blocking the runtime (polling every
    /// 20 ms) for it to appear. Panics when it has not within `timeout`.
    pub async fn wait_for_message(&self, n: usize, timeout: Duration) -> Received {
        let deadline = Instant::now() + timeout;
        while !self.has(n) {
            assert!(
                Instant::now() < deadline,
                "message {n} did not reach the SMTP test server within {timeout:?}; its \
                 stderr:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.read(n)
    }

    /// Whether message `n` was received (its sidecar, written last, exists).
    fn has(&self, n: usize) -> bool {
        self.maildir.join(format!("{n}.json")).exists()
    }

    /// Message `n`, which was received; checks that Python could parse it.
    fn read(&self, n: usize) -> Received {
        let json = self.maildir.join(format!("{n}.json"));
        let mut received: Received =
            serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        received.raw =
            String::from_utf8(std::fs::read(self.maildir.join(format!("{n}.eml"))).unwrap())
                .unwrap();
        assert_eq!(received.parse_error, None, "{}", received.raw);
        received
    }

    /// How many messages the server received.
    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.maildir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.stderr")).unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_server_starts_listening_with_an_empty_mailbox() {
        let server = SmtpServer::start(Mode::Plain, None);
        assert_ne!(server.port, 0);
        assert_eq!(server.count(), 0);
        let greeting = {
            use std::io::Read;
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            let mut buffer = [0u8; 64];
            let read = stream.read(&mut buffer).unwrap();
            String::from_utf8_lossy(&buffer[..read]).into_owned()
        };
        assert!(greeting.starts_with("220 "), "{greeting}");
    }
}
