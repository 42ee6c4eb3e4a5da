#!/usr/bin/env bash
# Benchmarks that need a real Flink: starts a Flink 2.3 cluster (scripts/flink.sh), runs the
# alert-latency benchmark against it in release mode, stops the cluster.
# Usage: scripts/bench.sh [BENCH_JOBS]   (default 24 failing jobs)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly INSTANCE=bench
readonly PORT=18095
trap 'scripts/flink.sh stop --name "$INSTANCE" >/dev/null 2>&1 || true' EXIT

scripts/flink.sh install
E2E_DEMO_JAR="$(scripts/flink.sh jar | tail -n 1)"
E2E_FLINK_URL="$(scripts/flink.sh start --name "$INSTANCE" --port "$PORT" | tail -n 1)"
export E2E_DEMO_JAR E2E_FLINK_URL BENCH_JOBS="${1:-24}"
cargo bench -p streamwarden --bench alert_latency
