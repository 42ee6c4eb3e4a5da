#!/usr/bin/env bash
# Local Apache Flink 2.3 clusters for StreamWarden's tests.
#
#   scripts/flink.sh install                     install Flink + build the demo job and SQL runner
#   scripts/flink.sh start [--name N] [--port P] start (or find) instance N on REST port P
#   scripts/flink.sh stop  [--name N]            stop instance N
#   scripts/flink.sh submit [--port P] -- ARGS   run the demo job with ARGS, print job id
#   scripts/flink.sh jar                         print the demo jar's path
#   scripts/flink.sh sqlrunner                   build (if changed) the SQL runner jar, print its path
#
# Flink is installed without internet access to its own download site: the
# PyPI wheels apache-flink (bin/, conf/) and apache-flink-libraries (lib/,
# plugins/, opt/, bin/bash-java-utils.jar) together hold a complete binary
# distribution. Everything lives under ${STREAMWARDEN_CACHE:-~/.cache/streamwarden}:
#
#   wheels/                  the two wheels (downloaded with pip when absent)
#   flink-2.3.0/             FLINK_HOME
#   demo-job.jar(.sha256)    testing/demo-job/DemoJob.java, compiled
#   sql-runner.jar(.sha256)  sql-runner/src/**/*.java, compiled (see sql-runner/README.md)
#   instances/NAME/          per-instance conf/, log/, pid/, tmp/ and port
#
# Needs: bash, python3 with pip, a JDK 17 (java, javac, jar), curl (optional:
# python3's urllib is used when curl is missing).
set -euo pipefail

readonly FLINK_VERSION=2.3.0
readonly CACHE="${STREAMWARDEN_CACHE:-$HOME/.cache/streamwarden}"
readonly WHEEL_DIR="$CACHE/wheels"
readonly FLINK_HOME_DIR="$CACHE/flink-$FLINK_VERSION"
readonly INSTALLED_MARKER="$FLINK_HOME_DIR/.streamwarden-installed"
readonly DEMO_JAR="$CACHE/demo-job.jar"
readonly DEMO_CLASS=io.streamwarden.demo.DemoJob
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly DEMO_SRC="$REPO_ROOT/testing/demo-job/DemoJob.java"
readonly SQLRUNNER_JAR="$CACHE/sql-runner.jar"
readonly SQLRUNNER_CLASS=io.streamwarden.sqlrunner.SqlRunner
readonly SQLRUNNER_SRC="$REPO_ROOT/sql-runner/src"
readonly START_TIMEOUT_S=120
readonly STOP_TIMEOUT_S=60

# flink-daemon.sh names pid and log files after $FLINK_IDENT_STRING (default
# $USER, which may be unset in CI); fix it so pid file paths are predictable.
export FLINK_IDENT_STRING=streamwarden

log() { echo "flink.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

require() {
    local cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not installed"
    done
}

# Run "$@" while holding an exclusive lock on $CACHE/.install.lock, so that
# parallel test processes do not install or build at the same time.
with_install_lock() {
    mkdir -p "$CACHE"
    if command -v flock >/dev/null 2>&1; then
        (
            flock 9
            "$@"
        ) 9>"$CACHE/.install.lock"
    else
        "$@"
    fi
}

# ---------------------------------------------------------------------------
# HTTP helpers. Each prints the response body on stdout and returns non-zero
# (after printing status and body on stderr) for a connection error or an HTTP
# status >= 400. curl when present, python3's urllib otherwise.
# ---------------------------------------------------------------------------

# http_py METHOD URL [JSON_BODY | @FILE-to-upload-as-jarfile]
http_py() {
    python3 - "$@" <<'PY'
import json, os, sys, urllib.error, urllib.request, uuid
method, url = sys.argv[1], sys.argv[2]
data, headers = None, {}
if len(sys.argv) > 3:
    arg = sys.argv[3]
    if arg.startswith("@"):  # multipart upload in field "jarfile"
        path = arg[1:]
        boundary = uuid.uuid4().hex
        with open(path, "rb") as f:
            content = f.read()
        data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"jarfile\"; "
                f"filename=\"{os.path.basename(path)}\"\r\n"
                "Content-Type: application/java-archive\r\n\r\n").encode() + content + \
               f"\r\n--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    else:
        data = arg.encode()
        headers["Content-Type"] = "application/json"
req = urllib.request.Request(url, data=data, method=method, headers=headers)
try:
    with urllib.request.urlopen(req, timeout=30) as resp:
        sys.stdout.write(resp.read().decode())
except urllib.error.HTTPError as e:
    sys.stderr.write(f"HTTP {e.code} from {method} {url}: {e.read().decode()}\n")
    sys.exit(1)
except Exception as e:  # connection refused, timeout, ...
    sys.stderr.write(f"{method} {url}: {e}\n")
    sys.exit(1)
PY
}

# http METHOD URL [JSON_BODY | @FILE]
http() {
    local method=$1 url=$2
    if ! command -v curl >/dev/null 2>&1; then
        http_py "$@"
        return
    fi
    local args=(-sS -X "$method" --max-time 30 -o - -w '\n%{http_code}')
    if [[ $# -gt 2 ]]; then
        if [[ $3 == @* ]]; then
            args+=(-F "jarfile=$3")
        else
            args+=(-H 'Content-Type: application/json' --data "$3")
        fi
    fi
    local out status
    out=$(curl "${args[@]}" "$url") || return 1
    status=${out##*$'\n'}  # curl's -w puts the status code on the last line
    out=${out%$'\n'*}
    if [[ $status -ge 400 ]]; then
        echo "HTTP $status from $method $url: $out" >&2
        return 1
    fi
    printf '%s\n' "$out"
}

# Quiet probe: does http://127.0.0.1:PORT/overview answer?
rest_answers() {
    http GET "http://127.0.0.1:$1/overview" >/dev/null 2>&1
}

# json_get FIELD: reads a JSON object on stdin, prints FIELD (empty if absent).
json_get() {
    python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"
}

# ---------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------

# The wheels hold the same shell scripts and jars for every platform; pin the
# platform/ABI so pip picks a binary wheel even on another Python version.
download_wheels() {
    local have_main have_libs
    have_main=$(compgen -G "$WHEEL_DIR/apache_flink-$FLINK_VERSION-*.whl" || true)
    have_libs=$(compgen -G "$WHEEL_DIR/apache_flink_libraries-$FLINK_VERSION-*.whl" || true)
    if [[ -n $have_main && -n $have_libs ]]; then
        return
    fi
    log "downloading apache-flink $FLINK_VERSION wheels into $WHEEL_DIR"
    mkdir -p "$WHEEL_DIR"
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --platform manylinux2014_x86_64 --python-version 3.11 \
        --implementation cp --abi cp311 \
        --dest "$WHEEL_DIR" \
        "apache-flink==$FLINK_VERSION" "apache-flink-libraries==$FLINK_VERSION" >&2
}

# Extract pyflink/{bin,conf} from the first wheel and pyflink/{bin,lib,plugins,opt}
# from the second into one directory. zipfile does not restore permissions,
# so apply the Unix mode stored in each entry (the shell scripts need +x).
extract_wheels() {
    local dest=$1
    python3 - "$dest" "$WHEEL_DIR"/apache_flink-"$FLINK_VERSION"-*.whl \
        "$WHEEL_DIR"/apache_flink_libraries-"$FLINK_VERSION"-*.whl <<'PY'
import os, sys, zipfile
dest, main_whl, libs_whl = sys.argv[1], sys.argv[2], sys.argv[3]
wanted = {main_whl: ("bin", "conf"), libs_whl: ("bin", "lib", "plugins", "opt")}
for whl, dirs in wanted.items():
    with zipfile.ZipFile(whl) as z:
        for info in z.infolist():
            parts = info.filename.split("/")
            if len(parts) < 3 or parts[0] != "pyflink" or parts[1] not in dirs or info.is_dir():
                continue
            target = os.path.join(dest, *parts[1:])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
            mode = (info.external_attr >> 16) & 0o777
            os.chmod(target, mode if mode else 0o644)
PY
    chmod +x "$dest"/bin/*.sh "$dest"/bin/flink
    mkdir -p "$dest/log"
}

install_flink_locked() {
    [[ -f $INSTALLED_MARKER ]] && return
    require python3 java
    download_wheels
    log "installing Flink $FLINK_VERSION into $FLINK_HOME_DIR"
    local tmp="$FLINK_HOME_DIR.tmp.$$"
    rm -rf "$tmp"
    extract_wheels "$tmp"
    rm -rf "$FLINK_HOME_DIR"
    mv "$tmp" "$FLINK_HOME_DIR"
    touch "$INSTALLED_MARKER"
}

# Build the demo jar unless the stored checksum matches the current source.
build_demo_jar_locked() {
    [[ -f $DEMO_SRC ]] || die "demo job source not found: $DEMO_SRC"
    local sum
    sum="$(sha256sum "$DEMO_SRC" | cut -d' ' -f1) flink-$FLINK_VERSION"
    if [[ -f $DEMO_JAR && -f $DEMO_JAR.sha256 && $(cat "$DEMO_JAR.sha256") == "$sum" ]]; then
        return
    fi
    require javac jar
    log "building $DEMO_JAR"
    local tmp
    tmp=$(mktemp -d "$CACHE/demo-build.XXXXXX")
    # The quoted '*' is a javac classpath wildcard (all jars in lib/), not a glob.
    javac -nowarn -d "$tmp/classes" -cp "$FLINK_HOME_DIR/lib/*" "$DEMO_SRC" >&2
    jar --create --file "$tmp/demo-job.jar" --main-class "$DEMO_CLASS" -C "$tmp/classes" .
    mv "$tmp/demo-job.jar" "$DEMO_JAR"
    echo "$sum" >"$DEMO_JAR.sha256"
    rm -rf "$tmp"
}

# Build the SQL runner jar unless the stored checksum matches the current
# sources (every .java file under sql-runner/src, by relative path and content).
build_sqlrunner_jar_locked() {
    [[ -d $SQLRUNNER_SRC ]] || die "SQL runner source not found: $SQLRUNNER_SRC"
    local sum sources=()
    sum="$(cd "$SQLRUNNER_SRC" && find . -name '*.java' -type f -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum | sha256sum | cut -d' ' -f1) flink-$FLINK_VERSION"
    if [[ -f $SQLRUNNER_JAR && -f $SQLRUNNER_JAR.sha256 && $(cat "$SQLRUNNER_JAR.sha256") == "$sum" ]]; then
        return
    fi
    require javac jar
    mapfile -d '' sources < <(find "$SQLRUNNER_SRC" -name '*.java' -type f -print0)
    [[ ${#sources[@]} -gt 0 ]] || die "no .java files under $SQLRUNNER_SRC"
    log "building $SQLRUNNER_JAR"
    local tmp
    tmp=$(mktemp -d "$CACHE/sqlrunner-build.XXXXXX")
    # Compiled against (not bundled with) Flink's lib/: the cluster provides those classes.
    javac -nowarn -d "$tmp/classes" -cp "$FLINK_HOME_DIR/lib/*" "${sources[@]}" >&2 || {
        rm -rf "$tmp"
        die "compiling the SQL runner failed"
    }
    jar --create --file "$tmp/sql-runner.jar" --main-class "$SQLRUNNER_CLASS" -C "$tmp/classes" .
    mv "$tmp/sql-runner.jar" "$SQLRUNNER_JAR"
    echo "$sum" >"$SQLRUNNER_JAR.sha256"
    rm -rf "$tmp"
}

install_all_locked() {
    install_flink_locked
    build_demo_jar_locked
}

install_with_sqlrunner_locked() {
    install_all_locked
    build_sqlrunner_jar_locked
}

sqlrunner_locked() {
    install_flink_locked
    build_sqlrunner_jar_locked
}

cmd_install() {
    [[ $# -eq 0 ]] || usage
    with_install_lock install_with_sqlrunner_locked
    log "Flink $FLINK_VERSION in $FLINK_HOME_DIR, demo job in $DEMO_JAR, SQL runner in $SQLRUNNER_JAR"
}

cmd_sqlrunner() {
    [[ $# -eq 0 ]] || usage
    with_install_lock sqlrunner_locked
    echo "$SQLRUNNER_JAR"
}

cmd_jar() {
    [[ $# -eq 0 ]] || usage
    with_install_lock install_all_locked
    echo "$DEMO_JAR"
}

# ---------------------------------------------------------------------------
# instances
# ---------------------------------------------------------------------------

instance_dir() { echo "$CACHE/instances/$1"; }

# Set up the environment Flink's bin/*.sh scripts read for instance $1.
instance_env() {
    local dir
    dir=$(instance_dir "$1")
    export FLINK_HOME="$FLINK_HOME_DIR"
    export FLINK_CONF_DIR="$dir/conf"
    export FLINK_LOG_DIR="$dir/log"
    export FLINK_PID_DIR="$dir/pid"
}

# Pids (one a line) of the instance's live JobManager and TaskManager.
instance_pids() {
    local dir pidfile pid
    dir=$(instance_dir "$1")
    for pidfile in "$dir/pid/flink-$FLINK_IDENT_STRING-standalonesession.pid" \
        "$dir/pid/flink-$FLINK_IDENT_STRING-taskexecutor.pid"; do
        [[ -f $pidfile ]] || continue
        while read -r pid; do
            [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
        done <"$pidfile"
    done
    return 0
}

# Write the instance's conf/ (a copy of Flink's, with our config.yaml).
# All ports are derived from the REST port, so instances whose REST ports are
# less than 100 apart (e.g. 18081 and 18082) never collide:
#   PORT+100 JobManager RPC    PORT+200 blob server   PORT+300 TaskManager RPC
#   PORT+400 TaskManager data  PORT+500 JobManager metrics query service
#   PORT+600 TaskManager metrics query service (set with -D when starting it,
#            as the key is shared by both processes)
write_instance_conf() {
    local name=$1 port=$2 dir java_opts
    dir=$(instance_dir "$name")
    mkdir -p "$dir/conf" "$dir/log" "$dir/pid" "$dir/tmp" "$dir/uploads"
    cp "$FLINK_HOME_DIR"/conf/log4j*.properties "$FLINK_HOME_DIR"/conf/logback*.xml "$dir/conf/"
    # Keep the JVM --add-opens/--add-exports flags that the shipped config.yaml sets.
    java_opts=$(sed -n 's/^ *all: *//p' "$FLINK_HOME_DIR/conf/config.yaml" | head -n1)
    [[ -n $java_opts ]] || die "could not read env.java.opts.all from the shipped config.yaml"
    echo localhost >"$dir/conf/workers"
    echo "localhost:$port" >"$dir/conf/masters"
    # Flink 2.x reads conf/config.yaml (standard YAML; flat dotted keys are accepted).
    cat >"$dir/conf/config.yaml" <<EOF
# Written by scripts/flink.sh for instance '$name'; rewritten on every start.
env.java.opts.all: "$java_opts"
jobmanager.bind-host: localhost
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $((port + 100))
jobmanager.memory.process.size: 1024m
jobmanager.execution.failover-strategy: region
blob.server.port: "$((port + 200))"
taskmanager.bind-host: localhost
taskmanager.host: localhost
taskmanager.rpc.port: "$((port + 300))"
taskmanager.data.port: $((port + 400))
taskmanager.numberOfTaskSlots: 16
taskmanager.memory.process.size: 1536m
metrics.internal.query-service.port: "$((port + 500))"
parallelism.default: 1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $port
web.submit.enable: true
web.cancel.enable: true
web.upload.dir: $dir/uploads
io.tmp.dirs: $dir/tmp
EOF
    echo "$port" >"$dir/port"
}

# Does /overview on PORT report a TaskManager with free slots? With "busy-ok"
# as $2, a TaskManager whose slots are all taken counts as ready too (a running
# instance whose slots are in use by jobs).
cluster_ready() {
    local body
    body=$(http GET "http://127.0.0.1:$1/overview" 2>/dev/null) || return 1
    python3 -c '
import json, sys
o = json.load(sys.stdin)
free = o.get("slots-available", 0) > 0 or (sys.argv[1] == "busy-ok" and o.get("slots-total", 0) > 0)
sys.exit(0 if o.get("taskmanagers", 0) >= 1 and free else 1)' "${2:-}" <<<"$body"
}

print_logs_tail() {
    local f
    for f in "$(instance_dir "$1")"/log/*; do
        [[ -f $f ]] || continue
        echo "===== $f (last 40 lines) =====" >&2
        tail -n 40 "$f" >&2
    done
}

# Run one of Flink's daemon scripts for the instance, detached into its own
# session (setsid) so that killing the caller's process group does not take the
# cluster down; --wait keeps us in step with the script (which itself
# backgrounds the JVM and records its pid).
flink_daemon() {
    local name=$1
    shift
    (
        instance_env "$name"
        if command -v setsid >/dev/null 2>&1; then
            setsid --wait "$@"
        else
            "$@"
        fi
    ) </dev/null >&2
}

# Stop the instance's JobManager and TaskManager (if running).
stop_daemons() {
    local name=$1 pid
    # The stop scripts send SIGTERM, wait up to 10 s, then SIGKILL.
    flink_daemon "$name" "$FLINK_HOME_DIR/bin/taskmanager.sh" stop-all || true
    flink_daemon "$name" "$FLINK_HOME_DIR/bin/jobmanager.sh" stop-all || true
    # Anything the scripts missed (e.g. a pid file they already removed).
    for pid in $(instance_pids "$name"); do
        kill -9 "$pid" 2>/dev/null || true
    done
}

cmd_start() {
    local name=default port=8081
    while [[ $# -gt 0 ]]; do
        case $1 in
            --name) name=${2:?--name needs a value}; shift 2 ;;
            --port) port=${2:?--port needs a value}; shift 2 ;;
            *) usage ;;
        esac
    done
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "invalid instance name: $name"
    [[ $port =~ ^[0-9]+$ && $port -ge 1024 && $port -le 65000 ]] || die "invalid port: $port"
    local url="http://127.0.0.1:$port"

    if cluster_ready "$port" busy-ok; then
        log "instance '$name' already answers on $url"
        echo "$url"
        return
    fi

    with_install_lock install_all_locked
    # readiness: a cluster we start must show free slots; one found running may be busy.
    local dir started="" readiness=busy-ok
    dir=$(instance_dir "$name")

    # Start the daemons unless they are already up (e.g. a start that was
    # interrupted while waiting). This is what bin/start-cluster.sh does for a
    # single local host, without its ssh-based worker loop.
    if [[ -z $(instance_pids "$name") ]]; then
        if rest_answers "$port"; then
            die "something else already answers on $url"
        fi
        rm -rf "$dir/pid" "$dir/log"
        write_instance_conf "$name" "$port"
        log "starting instance '$name' on $url (files in $dir)"
        started=1 readiness=fresh
        flink_daemon "$name" "$FLINK_HOME_DIR/bin/jobmanager.sh" start
        flink_daemon "$name" "$FLINK_HOME_DIR/bin/taskmanager.sh" start \
            -D "metrics.internal.query-service.port=$((port + 600))"
    else
        local running_port
        running_port=$(cat "$dir/port" 2>/dev/null || true)
        [[ $running_port == "$port" ]] ||
            die "instance '$name' is already running on port ${running_port:-?}; stop it first"
    fi

    local deadline=$((SECONDS + START_TIMEOUT_S)) problem=""
    until cluster_ready "$port" "$readiness"; do
        if ((SECONDS >= deadline)); then
            problem="not ready on $url after ${START_TIMEOUT_S}s"
        elif [[ $(instance_pids "$name" | wc -l) -lt 2 ]]; then
            problem="a daemon exited during startup"
        fi
        if [[ -n $problem ]]; then
            log "instance '$name': $problem"
            print_logs_tail "$name"
            # Do not leave an instance we half-started behind.
            if [[ -n $started ]]; then
                stop_daemons "$name" >/dev/null 2>&1 || true
            fi
            exit 1
        fi
        sleep 1
    done
    log "instance '$name' ready"
    echo "$url"
}

cmd_stop() {
    local name=default
    while [[ $# -gt 0 ]]; do
        case $1 in
            --name) name=${2:?--name needs a value}; shift 2 ;;
            *) usage ;;
        esac
    done
    local dir port
    dir=$(instance_dir "$name")
    port=$(cat "$dir/port" 2>/dev/null || true)

    if [[ -n $(instance_pids "$name") ]]; then
        log "stopping instance '$name'"
        stop_daemons "$name"
    else
        log "instance '$name' is not running"
    fi

    if [[ -n $port ]]; then
        local deadline=$((SECONDS + STOP_TIMEOUT_S))
        while rest_answers "$port"; do
            if ((SECONDS >= deadline)); then
                die "port $port still answers after ${STOP_TIMEOUT_S}s (not instance '$name'?)"
            fi
            sleep 1
        done
    fi
}

cmd_submit() {
    local port=8081
    while [[ $# -gt 0 ]]; do
        case $1 in
            --port) port=${2:?--port needs a value}; shift 2 ;;
            --) shift; break ;;
            *) usage ;;
        esac
    done
    with_install_lock install_all_locked
    local base="http://127.0.0.1:$port" upload jar_id body run job_id
    upload=$(http POST "$base/jars/upload" "@$DEMO_JAR") || die "jar upload failed"
    # "filename" is the server-side path; its basename is the jar id.
    jar_id=$(json_get filename <<<"$upload")
    jar_id=${jar_id##*/}
    [[ -n $jar_id ]] || die "unexpected upload response: $upload"
    body=$(python3 -c 'import json,sys; print(json.dumps({"entryClass": sys.argv[1], "programArgsList": sys.argv[2:]}))' \
        "$DEMO_CLASS" "$@")
    run=$(http POST "$base/jars/$jar_id/run" "$body") || {
        http DELETE "$base/jars/$jar_id" >/dev/null 2>&1 || true
        die "running the demo job failed"
    }
    # The job graph and its jar are in the blob server now; drop the upload.
    http DELETE "$base/jars/$jar_id" >/dev/null 2>&1 || true
    job_id=$(json_get jobid <<<"$run")
    [[ -n $job_id ]] || die "unexpected run response: $run"
    echo "$job_id"
}

main() {
    [[ $# -ge 1 ]] || usage
    local cmd=$1
    shift
    case $cmd in
        install) cmd_install "$@" ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        submit) cmd_submit "$@" ;;
        jar) cmd_jar "$@" ;;
        sqlrunner) cmd_sqlrunner "$@" ;;
        -h | --help | help) usage ;;
        *) usage ;;
    esac
}

main "$@"
