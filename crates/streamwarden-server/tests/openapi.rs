//! The OpenAPI document against the router it describes, served on a real socket over a real
//! SQLite store: it lists every route of the router and nothing else, a real validator
//! (openapi-spec-validator) accepts it, Swagger UI is served from the binary, errors are JSON as
//! documented, and schemathesis, fuzzing every operation from the document, gets no 5xx.
//!
//! The Python tools come from the venv `scripts/test.sh` installs them into
//! (`~/.cache/streamwarden/venv`), else from `$SCHEMATHESIS` / `$OPENAPI_SPEC_VALIDATOR`, else
//! from `PATH`. A missing tool fails the test.
#![allow(clippy::unwrap_used)] // test helpers panic with the failing call

#[path = "openapi/seed.rs"]
mod seed;
mod support;

use regex::Regex;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use streamwarden_core::access::Role;
use streamwarden_store::Store;
use streamwarden_store_sqlite::SqliteStore;

/// What schemathesis checks: no 5xx, and every answer as documented (status, content type,
/// body schema), so the document cannot drift from the handlers.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance";

/// The whole fuzz run may take this long (under nextest's 240 s limit).
const FUZZ_TIMEOUT: Duration = Duration::from_secs(200);

/// The API over a fresh store with a few rows of each kind; with `admin`, a user `fuzz` exists
/// and this is its admin token.
struct Api {
    base: String,
    admin: Option<String>,
    dir: tempfile::TempDir,
}

async fn serve(with_user: bool) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("sw.db")).await.unwrap();
    seed::rows(&store).await;
    let admin = if with_user {
        Some(support::user_with_token(&store, "fuzz", "fuzz", Role::Admin, None).await)
    } else {
        None
    };
    let store: Arc<dyn Store> = Arc::new(store);
    let (file, routes) = seed::file_channel_and_route();
    let (base, _) = support::serve(dir.path(), store, file, routes).await;
    Api { base, admin, dir }
}

impl Api {
    /// `GET path` with `token`: the status, the content type and the body.
    async fn get(&self, path: &str, token: Option<&str>) -> (u16, String, String) {
        let mut request = reqwest::Client::new().get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    /// The document as served.
    async fn document(&self) -> Value {
        let (status, content_type, body) = self
            .get("/api/v1/openapi.json", self.admin.as_deref())
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(content_type, "application/json");
        serde_json::from_str(&body).unwrap()
    }

    /// The document, written to a file for the Python tools.
    async fn document_file(&self) -> PathBuf {
        let path = self.dir.path().join("openapi.json");
        std::fs::write(&path, self.document().await.to_string()).unwrap();
        path
    }
}

/// Every `(METHOD, path)` of the API the router serves, read from its source: the
/// `.route("…", get(…)…)` calls under src/. Those of src/v1/ and of the modules whose
/// `routes()` src/v1/mod.rs merges are nested at `/api/v1`. Kept: `/api/…` and the service
/// endpoints; the web console's pages are for browsers, not part of the API document.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let method = Regex::new(r"\b(get|put|post|delete|patch)\(").unwrap();
    let path = Regex::new(r#"^\s*"([^"]+)""#).unwrap();
    let merged = Regex::new(r"crate::(\w+)::routes\(\)").unwrap();
    let v1 = std::fs::read_to_string(src.join("v1/mod.rs")).unwrap();
    let nested: Vec<PathBuf> = merged
        .captures_iter(&v1)
        .map(|m| src.join(format!("{}.rs", &m[1])))
        .collect();
    let mut routes = BTreeSet::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let file = entry.unwrap().path();
            if file.is_dir() {
                dirs.push(file);
                continue;
            }
            let prefix = if file.starts_with(src.join("v1")) || nested.contains(&file) {
                "/api/v1"
            } else {
                ""
            };
            let text = std::fs::read_to_string(&file).unwrap();
            for (start, _) in text.match_indices(".route(") {
                let call = balanced(&text[start + ".route(".len()..]);
                let route = format!("{prefix}{}", &path.captures(call).unwrap()[1]);
                let api = route.starts_with("/api/")
                    || matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics");
                for m in method.captures_iter(call).filter(|_| api) {
                    routes.insert((m[1].to_uppercase(), route.clone()));
                }
            }
        }
    }
    routes
}

/// The text up to the parenthesis closing the one just opened.
fn balanced(text: &str) -> &str {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 1 => return &text[..i],
            ')' => depth -= 1,
            _ => {}
        }
    }
    text
}

/// Every `(METHOD, path)` the document describes.
fn routes_in_document(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn the_document_describes_every_route_of_the_router_and_no_other() {
    let api = serve(false).await;
    let doc = api.document().await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let router = routes_in_source();
    assert!(
        router.len() > 40,
        "too few routes read from the source: {router:?}"
    );
    let described = routes_in_document(&doc);
    let missing: Vec<_> = router.difference(&described).collect();
    let extra: Vec<_> = described.difference(&router).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes not in the document (annotate the handler and list it in src/openapi.rs): \
         {missing:?}\ndescribed routes the router does not serve: {extra:?}"
    );
    let mut ids = BTreeSet::new();
    for (method, path) in &described {
        let operation = &doc["paths"][path][method.to_lowercase()];
        let id = operation["operationId"].as_str().unwrap();
        assert!(ids.insert(id.to_string()), "operationId {id} twice");
        let responses = operation["responses"].as_object().unwrap();
        // The sign-in is open, as /healthz is: no token, no role.
        let open = streamwarden_core::access::required_role(method, path).is_none();
        if path.starts_with("/api/") && !open {
            assert_eq!(
                operation["security"],
                json!([{"bearer": []}, {}]),
                "{method} {path}"
            );
            for status in ["401", "403", "500"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: no {status}"
                );
            }
            let role = operation["description"].as_str().unwrap();
            assert!(
                role.contains("role (once a user exists)"),
                "{method} {path}: {role}"
            );
        } else {
            assert_eq!(operation["security"], json!([{}]), "{method} {path}");
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(
        description.contains("Until the first user exists"),
        "{description}"
    );
}

#[tokio::test]
async fn openapi_spec_validator_accepts_the_document() {
    let api = serve(true).await;
    let file = api.document_file().await;
    let validator = tool("OPENAPI_SPEC_VALIDATOR", "openapi-spec-validator");
    let output = tokio::process::Command::new(&validator)
        .arg(&file)
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {}: {e}", validator.display()));
    // It quotes the whole document after the error: the start says what is wrong.
    let report: String = String::from_utf8_lossy(&output.stdout)
        .chars()
        .chain(String::from_utf8_lossy(&output.stderr).chars())
        .take(2000)
        .collect();
    assert!(
        output.status.success(),
        "openapi-spec-validator refused the document:\n{report}"
    );
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary_to_viewers() {
    let api = serve(true).await;
    let admin = api.admin.as_deref();
    let (status, content_type, page) = api.get("/api/docs/", admin).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.contains("swagger-ui"), "{page}");
    let (status, _, init) = api.get("/api/docs/swagger-initializer.js", admin).await;
    assert_eq!(status, 200);
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
    let (status, _, bundle) = api.get("/api/docs/swagger-ui-bundle.js", admin).await;
    assert_eq!(status, 200);
    assert!(bundle.len() > 100_000, "{} bytes", bundle.len());
    // Once a user exists, the docs need a token like the rest; a viewer's will do.
    for path in ["/api/docs/", "/api/v1/openapi.json"] {
        let (status, _, body) = api.get(path, None).await;
        assert_eq!(status, 401, "{path}: {body}");
    }
    let token = viewer_token(&api).await;
    for path in ["/api/docs/", "/api/v1/openapi.json"] {
        let (status, _, body) = api.get(path, Some(&token)).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let (status, _, _) = api.get("/healthz", None).await;
    assert_eq!(status, 200);
}

/// A viewer token of `fuzz`, created through the API.
async fn viewer_token(api: &Api) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/tokens", api.base))
        .bearer_auth(api.admin.as_deref().unwrap())
        .json(&json!({"label": "docs", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn rejected_requests_answer_the_documented_json_error_naming_the_field() {
    let api = serve(false).await;
    let client = reqwest::Client::new();
    let cases = [
        (
            client.get(format!("{}/api/v1/events?limit=lots", api.base)),
            400,
            "limit: ",
        ),
        (
            client.get(format!("{}/api/v1/jobs?color=red", api.base)),
            400,
            "color: unknown field",
        ),
        (
            client
                .post(format!("{}/api/v1/users", api.base))
                .json(&json!({"name": "ann", "role": "root"})),
            422,
            "role: unknown variant `root`",
        ),
        (
            client
                .post(format!("{}/api/v1/users", api.base))
                .json(&json!({"role": "viewer"})),
            422,
            "body: missing field `name`",
        ),
        (
            client
                .post(format!("{}/api/v1/users", api.base))
                .header("content-type", "application/json")
                .body("{"),
            400,
            "body: ",
        ),
        (
            client.post(format!("{}/api/v1/users", api.base)).body("x"),
            415,
            "content-type: ",
        ),
        (
            client.get(format!("{}/api/v1/nothing", api.base)),
            404,
            "not found: no route",
        ),
        (
            client.delete(format!("{}/api/v1/jobs", api.base)),
            405,
            "method: DELETE",
        ),
    ];
    for (request, status, start) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        let body: Value = response.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(
            error.starts_with(start),
            "{error:?} should start with {start:?}"
        );
    }
}

/// Found while fuzzing: a preview's templates that render the samples but fail on the stored
/// event asked for were answered 502, as if a destination had failed. They are bad input.
#[tokio::test]
async fn a_preview_failing_on_the_stored_event_is_refused_naming_the_templates() {
    let api = serve(false).await;
    let body = r#"{% if "127.0.0.1:9" in cluster.url %}{{ 1 / 0 }}{% endif %}{}"#;
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/templates/preview", api.base))
        .json(&json!({"kind": "webhook", "event_id": "e1", "templates": {"body": body}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().await.unwrap();
    let error = answer["error"].as_str().unwrap();
    assert!(error.starts_with("templates: "), "{error}");
    assert!(error.contains("1 / 0"), "{error}");
}

/// Found while fuzzing: versions created at once (argument edits, uploads) all took the same
/// next number; all but one failed with a 500 (the store's unique version).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_created_at_once_take_a_number_each() {
    const EDITS: usize = 16;
    let api = serve(false).await;
    let start = Arc::new(tokio::sync::Barrier::new(EDITS));
    let edits: Vec<_> = (0..EDITS)
        .map(|i| {
            let request = reqwest::Client::new()
                .put(format!("{}/api/v1/apps/{}/args", api.base, seed::APP))
                .json(&json!({"args": [format!("--run={i}")]}));
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                request.send().await.unwrap()
            })
        })
        .collect();
    let mut numbers = BTreeSet::new();
    for edit in edits {
        let response = edit.await.unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let version: Value = response.json().await.unwrap();
        numbers.insert(version["version"].as_str().unwrap().to_string());
    }
    let expected: BTreeSet<_> = (2..=EDITS + 1).map(|n| format!("v{n:05}")).collect();
    assert_eq!(numbers, expected);
}

/// Fuzzes every operation of the document, as an admin, with schemathesis' generated valid and
/// invalid requests: no answer may be a 5xx, and every answer must be as documented.
/// Excluded: `POST /api/v1/channels/{name}/test`, which sends to the channel's destination,
/// and a generated channel may point anywhere. (Starting, stopping and savepoints of
/// applications are fuzzed: the lifecycle has no cluster, so they never reach a network.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_nor_undocumented_answer() {
    let api = serve(true).await;
    let file = api.document_file().await;
    let config = api.dir.path().join("schemathesis.toml");
    std::fs::write(&config, fuzz_config()).unwrap();
    let schemathesis = tool("SCHEMATHESIS", "schemathesis");
    let started = Instant::now();
    let run = tokio::process::Command::new(&schemathesis)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(&file)
        .args(["--url", &api.base])
        .args(["--checks", CHECKS])
        .args(["--max-examples", "20"])
        .args(["--workers", "2"])
        .args(["--request-timeout", "10"])
        .args(["--exclude-operation-id", "test_channel"])
        .args([
            "--header",
            &format!("Authorization: Bearer {}", api.admin.as_deref().unwrap()),
        ])
        .args(["--suppress-health-check", "all"])
        .env("NO_COLOR", "1")
        .current_dir(api.dir.path())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(FUZZ_TIMEOUT, run)
        .await
        .unwrap_or_else(|_| panic!("schemathesis ran over {FUZZ_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("running {}: {e}", schemathesis.display()));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "schemathesis found server errors or answers unlike the document:\n{report}"
    );
    println!("schemathesis passed in {:?}:\n{report}", started.elapsed());
}

/// schemathesis' configuration: the seeded ids and names are tried as identifiers half of the
/// time, so that operations on one thing reach past their 404.
fn fuzz_config() -> String {
    let known: Vec<String> = seed::KNOWN.iter().map(|k| format!("{k:?}")).collect();
    let mut config = format!(
        "[dictionaries.known]\nvalues = [{}]\n\n[parameters]\n",
        known.join(", ")
    );
    for key in [
        "path.id",
        "path.name",
        "query.version",
        "query.job",
        "query.cluster",
        "body.event_id",
        "body.channel",
        "body.user",
        "body.apps[*]",
        "body.channels[*]",
    ] {
        config.push_str(&format!(
            "{key:?} = {{ dictionary = \"known\", probability = 0.5 }}\n"
        ));
    }
    config
}

/// The executable `name`: `$env`, else the test venv's, else on `PATH`; a missing one fails.
fn tool(env: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env) {
        return PathBuf::from(path);
    }
    let venv = std::env::var_os("HOME").map(|home| {
        Path::new(&home)
            .join(".cache/streamwarden/venv/bin")
            .join(name)
    });
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .collect()
        })
        .unwrap_or_default();
    venv.into_iter()
        .chain(on_path)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed: run scripts/test.sh, which installs it into \
                 ~/.cache/streamwarden/venv, or set {env} to its path"
            )
        })
}
