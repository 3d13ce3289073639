#!/usr/bin/env bash
# HTTP baseline: the three serving shapes of DESIGN.md §2/§5, driven by wrk from a second process.
#
#   django-asgi   Django's own ASGI handler under uvicorn   (citizencloud.asgi, comparison only)
#   granian-wsgi  Django WSGI under granian                 (citizencloud serve --role web)
#   edge-a2wsgi   the ASGI edge + a2wsgi under granian      (citizencloud serve --no-worker, embedded)
#
# Each shape runs with 1 and 2 worker processes; /healthz and the home page / are measured after a
# short warm-up. A throwaway data directory is migrated and seeded, every server starts on a free
# loopback port and is stopped (and checked gone) before the next one. The figures go into
# bench/README.md between the http_baseline markers and are printed with the ratios.
#
# Usage: bash bench/http_baseline.sh          (or: make bench)
# Knobs (environment): BENCH_DURATION=10 BENCH_WARMUP=2 BENCH_CONNECTIONS=64 BENCH_WRK_THREADS=2
#   BENCH_WORKERS="1 2" BENCH_THREAD_SWEEP="4 64" (WSGI threads per worker, beside the default 16,
#   for granian WSGI and the edge's a2wsgi pool, 1 worker; "" to skip)
#   BENCH_README=bench/README.md (set to "" to only print).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
WORKER_COUNTS="${BENCH_WORKERS:-1 2}"
THREAD_SWEEP="${BENCH_THREAD_SWEEP-4 64}"
DEFAULT_THREADS=16 # what `citizencloud serve --threads` defaults to
README="${BENCH_README-$ROOT/bench/README.md}"
PATHS=(/healthz /)

if ! command -v wrk >/dev/null 2>&1; then
    echo "http_baseline: wrk is not installed. Install it with: apt-get install wrk" >&2
    exit 2
fi
if ! command -v curl >/dev/null 2>&1; then
    echo "http_baseline: curl is not installed. Install it with: apt-get install curl" >&2
    exit 2
fi
if [[ ! -x "$PY" ]]; then
    echo "http_baseline: no Python at $PY; run 'make bench' (it creates .venv) or set PYTHON" >&2
    exit 2
fi
if ! "$PY" -c 'import uvicorn, granian, citizencloud' 2>/dev/null; then
    echo "http_baseline: $PY lacks uvicorn/granian/citizencloud; run: pip install -e '.[dev]'" >&2
    exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/citizencloud-bench.XXXXXX")"
SERVER_PID=""

left_in_session() { # live (non-zombie) processes of session $1: "pid stat args"
    ps -o pid=,stat=,args= -s "$1" 2>/dev/null | awk '$2 !~ /^Z/' || true
}

stop_server() {
    # Stop the server started last: SIGTERM to its supervisor (what systemd sends), then check
    # that nothing it started is left (each server runs in a session of its own, via setsid).
    # Returns 1 if anything had to be killed.
    local pid="$SERVER_PID" status=0 left=""
    [[ -n "$pid" ]] || return 0
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "http_baseline: server $pid did not stop within 20 s of SIGTERM; killing it" >&2
        status=1
    fi
    for _ in $(seq 1 25); do
        left="$(left_in_session "$pid")"
        [[ -n "$left" ]] || break
        sleep 0.2
    done
    if [[ -n "$left" ]]; then
        echo "http_baseline: processes left after server $pid stopped:" >&2
        echo "$left" >&2
        status=1
        for straggler in $(awk '{print $1}' <<<"$left"); do
            kill -KILL "$straggler" 2>/dev/null || true
        done
    fi
    wait "$pid" 2>/dev/null || true
    return "$status"
}

cleanup() {
    stop_server || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Production settings (DEBUG off, no static autorefresh), SQLite in the throwaway directory, the
# access log at INFO written to a file as a service manager would collect it.
export CITIZENCLOUD_DATA_DIR="$WORK/data"
export CITIZENCLOUD_ENV=production
export CITIZENCLOUD_SECRET_KEY="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export CITIZENCLOUD_ALLOWED_HOSTS=127.0.0.1,localhost
# Production refuses generated keys: throwaway ones (base64, 32 bytes) for this run only.
CITIZENCLOUD_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
CITIZENCLOUD_BLIND_INDEX_KEY="$(head -c 32 /dev/urandom | base64)"
CITIZENCLOUD_SIGNING_KEY="$(head -c 32 /dev/urandom | base64)"
export CITIZENCLOUD_MASTER_KEY CITIZENCLOUD_BLIND_INDEX_KEY CITIZENCLOUD_SIGNING_KEY
# ... and an RSA key for OIDC ID tokens, and a payments provider secret.
CITIZENCLOUD_OIDC_PRIVATE_KEY="$("$PY" -c 'import base64; from cryptography.hazmat.primitives import serialization as s; from cryptography.hazmat.primitives.asymmetric import rsa; k = rsa.generate_private_key(public_exponent=65537, key_size=2048); print(base64.b64encode(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())).decode())')"
CITIZENCLOUD_PAYMENTS_PROVIDER_SECRET="$(head -c 32 /dev/urandom | base64)"
export CITIZENCLOUD_OIDC_PRIVATE_KEY CITIZENCLOUD_PAYMENTS_PROVIDER_SECRET
export DJANGO_SETTINGS_MODULE=citizencloud.settings
unset CITIZENCLOUD_DATABASE_URL CITIZENCLOUD_REDIS_URL CITIZENCLOUD_DEBUG PROMETHEUS_MULTIPROC_DIR
cd "$ROOT"

echo "http_baseline: data directory $WORK/data; migrating and seeding"
"$PY" -m citizencloud migrate --no-input >"$WORK/setup.log" 2>&1
CITIZENCLOUD_ENV=development "$PY" -m citizencloud seed_demo >>"$WORK/setup.log" 2>&1

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server SHAPE WORKERS THREADS: sets SERVER_PID and PORT.
start_server() {
    local shape="$1" workers="$2" threads="$3" log
    PORT="$(free_port)"
    log="$WORK/server-$shape-w$workers-t$threads.log"
    case "$shape" in
        django-asgi)
            # uvicorn does not set PROMETHEUS_MULTIPROC_DIR as `serve` does; give it the same.
            mkdir -p "$WORK/metrics-uvicorn"
            rm -f "$WORK"/metrics-uvicorn/*
            PROMETHEUS_MULTIPROC_DIR="$WORK/metrics-uvicorn" setsid "$PY" -m uvicorn \
                citizencloud.asgi:application --host 127.0.0.1 --port "$PORT" \
                --workers "$workers" --log-level warning --no-access-log >"$log" 2>&1 &
            ;;
        granian-wsgi)
            setsid "$PY" -m citizencloud serve --role web --host 127.0.0.1 --port "$PORT" \
                --workers "$workers" --threads "$threads" >"$log" 2>&1 &
            ;;
        edge-a2wsgi)
            CITIZENCLOUD_WSGI_THREADS="$threads" setsid "$PY" -m citizencloud serve --no-worker \
                --host 127.0.0.1 --port "$PORT" --workers "$workers" >"$log" 2>&1 &
            ;;
        *)
            echo "unknown shape $shape" >&2
            return 1
            ;;
    esac
    SERVER_PID=$!
    for _ in $(seq 1 150); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "http_baseline: $shape exited during start-up; its log:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "http_baseline: $shape did not answer /healthz within 30 s; its log:" >&2
    tail -50 "$log" >&2
    return 1
}

to_ms() { # wrk latency ("812.00us", "3.21ms", "1.02s", "1.00m") to milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
        if (f < 0) { print "nan" } else { printf "%.2f", n * f }
    }'
}

CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { # user + system CPU ticks of every live process in session $1 (the server)
    local pid total=0 ticks
    for pid in $(ps -o pid= -s "$1" 2>/dev/null); do
        # Fields after the ")" that closes the command name: utime and stime are the 12th, 13th.
        ticks="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')" || true
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

RESULTS="$WORK/results.tsv"
printf 'shape\tworkers\tthreads\tpath\trps\tp50_ms\tp99_ms\terrors\treq_per_cpu_s\n' >"$RESULTS"

# measure SHAPE WORKERS THREADS: warm up and measure every path on the running server.
measure() {
    local shape="$1" workers="$2" threads="$3" path url out rps p50 p99 non2xx sockerr
    local before after requests per_cpu
    for path in "${PATHS[@]}"; do
        url="http://127.0.0.1:$PORT$path"
        wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" "$url" >/dev/null
        before="$(cpu_ticks "$SERVER_PID")"
        out="$(wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$url")"
        after="$(cpu_ticks "$SERVER_PID")"
        requests="$(awk '/requests in/ {print $1}' <<<"$out")"
        per_cpu="$(awk -v r="$requests" -v t="$((after - before))" -v hz="$CLK_TCK" \
            'BEGIN { if (t > 0) printf "%.0f", r / (t / hz); else print "nan" }')"
        rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
        p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
        p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
        non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
        sockerr="$(awk -F'[ ,]+' '/Socket errors:/ {print $4 + $6 + $8 + $10}' <<<"$out")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$shape" "$workers" "$threads" "$path" \
            "$rps" "$p50" "$p99" "$((${non2xx:-0} + ${sockerr:-0}))" "$per_cpu" >>"$RESULTS"
        printf '  %-13s w=%s t=%-3s %-8s %9s req/s  p50 %8s ms  p99 %8s ms  %6s req/CPU-s\n' \
            "$shape" "$workers" "$threads" "$path" "$rps" "$p50" "$p99" "$per_cpu"
    done
}

run_case() {
    local shape="$1" workers="$2" threads="$3"
    start_server "$shape" "$workers" "$threads"
    measure "$shape" "$workers" "$threads"
    if ! stop_server; then
        echo "http_baseline: $shape (workers=$workers) did not stop cleanly" >&2
        exit 1
    fi
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l > 0.5) }'; then
    echo "http_baseline: warning: the machine is busy (load average $LOAD_BEFORE);" \
        "req/s will be low and noisy, req/CPU-s less so" >&2
fi
STARTED="$(date +%s)"
echo "http_baseline: wrk -t $WRK_THREADS -c $CONNECTIONS, ${WARMUP}s warm-up + ${DURATION}s per path"
for workers in $WORKER_COUNTS; do
    for shape in django-asgi granian-wsgi edge-a2wsgi; do
        run_case "$shape" "$workers" "$DEFAULT_THREADS"
    done
done
for threads in $THREAD_SWEEP; do
    run_case granian-wsgi 1 "$threads"
    run_case edge-a2wsgi 1 "$threads"
done
ELAPSED="$(($(date +%s) - STARTED))"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

cat >"$WORK/meta.env" <<EOF
command=bash bench/http_baseline.sh (BENCH_DURATION=$DURATION BENCH_WARMUP=$WARMUP BENCH_CONNECTIONS=$CONNECTIONS BENCH_WRK_THREADS=$WRK_THREADS)
date=$(date -u +%Y-%m-%dT%H:%MZ)
nproc=$(nproc)
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
python=$("$PY" -c 'import platform; print(platform.python_version())')
versions=$("$PY" -c 'import importlib.metadata as m; print(", ".join(f"{p} {m.version(p)}" for p in ("Django", "granian", "uvicorn", "a2wsgi")))')
uvicorn_stack=$("$PY" -c '
import importlib.util as u
loop = "uvloop" if u.find_spec("uvloop") else "asyncio"
http = "httptools" if u.find_spec("httptools") else "h11"
print(f"{loop} + {http}")')
wrk=$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')
elapsed=$ELAPSED
load=$LOAD_BEFORE before, $LOAD_AFTER after
duration=$DURATION
warmup=$WARMUP
connections=$CONNECTIONS
wrk_threads=$WRK_THREADS
default_threads=$DEFAULT_THREADS
EOF

"$PY" "$ROOT/bench/http_report.py" "$RESULTS" "$WORK/meta.env" ${README:+"$README"}
