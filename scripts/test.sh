#!/usr/bin/env bash
# Runs every test of StreamWarden on a fresh machine: installs Flink 2.3 from the PyPI wheels
# and builds the demo job (scripts/flink.sh), installs chromium and playwright-core for the
# console's browser tests and the Python tools of the OpenAPI tests (schemathesis,
# openapi-spec-validator) into a venv, starts a Flink cluster for the end-to-end tests,
# checks formatting and lints, and runs the whole workspace's tests with cargo-nextest.
# The end-to-end tests fail (never skip) when the cluster is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly TEST_INSTANCE=test
readonly TEST_PORT=18081

cleanup() {
    scripts/flink.sh stop --name "$TEST_INSTANCE" >/dev/null 2>&1 || true
    scripts/flink.sh stop --name e2e-down >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== installing Flink and the demo job"
scripts/flink.sh install
E2E_DEMO_JAR="$(scripts/flink.sh jar | tail -n 1)"
export E2E_DEMO_JAR
E2E_SQL_RUNNER="$(scripts/flink.sh sqlrunner | tail -n 1)"
export E2E_SQL_RUNNER

echo "== installing the SMTP test server's dependency (testing/smtp/server.py)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'aiosmtpd==1.4.6'

echo "== installing the browser of the console tests (Debian's chromium, npm's playwright-core)"
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
CHROMIUM="$(command -v chromium)"
export CHROMIUM
(cd testing/browser && npm ci --silent --no-audit --no-fund)

echo "== installing the OpenAPI test tools (crates/streamwarden-server/tests/openapi.rs)"
readonly API_VENV="$HOME/.cache/streamwarden/venv"
[[ -x "$API_VENV/bin/python" ]] || python3 -m venv "$API_VENV"
"$API_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    'schemathesis==4.32.5' 'openapi-spec-validator==0.9.0'
export SCHEMATHESIS="$API_VENV/bin/schemathesis"
export OPENAPI_SPEC_VALIDATOR="$API_VENV/bin/openapi-spec-validator"

echo "== checking formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== starting the test Flink cluster on port $TEST_PORT"
E2E_FLINK_URL="$(scripts/flink.sh start --name "$TEST_INSTANCE" --port "$TEST_PORT" | tail -n 1)"
export E2E_FLINK_URL

echo "== running the tests"
if ! command -v cargo-nextest >/dev/null 2>&1; then
    cargo install --locked cargo-nextest
fi
cargo nextest run --workspace --locked --no-fail-fast "$@"
cargo test --workspace --locked --doc
