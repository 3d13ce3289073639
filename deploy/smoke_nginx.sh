#!/usr/bin/env bash
# Smoke test of the scale-out shape on one machine: deploy/nginx.conf in front of one
# `citizencloud serve --role web` and one `--role edge`, all on free loopback ports, then curl
# checks that each path reaches the right pool. Needs nginx (apt-get install -y nginx-light);
# run as root (nginx's worker user) or as a user who can start nginx with a private prefix.
#
# Usage: bash deploy/smoke_nginx.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
NGINX="$(command -v nginx || true)"
[[ -n "$NGINX" ]] || NGINX=/usr/sbin/nginx
if [[ ! -x "$NGINX" ]]; then
    echo "smoke_nginx: nginx is not installed. Install it with: apt-get install -y nginx-light" >&2
    exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/citizencloud-nginx.XXXXXX")"
chmod 755 "$WORK"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
WEB_PORT="$(free_port)"
EDGE_PORT="$(free_port)"
NGINX_PORT="$(free_port)"

export CITIZENCLOUD_ENV=production
export CITIZENCLOUD_SECRET_KEY="smoke-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
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
export CITIZENCLOUD_BEHIND_PROXY=true
export CITIZENCLOUD_LOG_LEVEL=WARNING
unset CITIZENCLOUD_DATABASE_URL CITIZENCLOUD_REDIS_URL
cd "$ROOT"

# One data directory per instance (the metrics directory is per data directory).
echo "smoke_nginx: migrating and collecting static files in $WORK"
CITIZENCLOUD_DATA_DIR="$WORK/web" "$PY" -m citizencloud migrate --no-input >"$WORK/setup.log"
CITIZENCLOUD_DATA_DIR="$WORK/web" "$PY" -m citizencloud collectstatic --no-input >>"$WORK/setup.log"
chmod -R o+rX "$WORK/web/static"
chmod o+x "$WORK/web"

CITIZENCLOUD_DATA_DIR="$WORK/web" "$PY" -m citizencloud serve --role web --port "$WEB_PORT" \
    >"$WORK/web.log" 2>&1 &
PIDS+=($!)
CITIZENCLOUD_DATA_DIR="$WORK/edge" "$PY" -m citizencloud serve --role edge --port "$EDGE_PORT" \
    >"$WORK/edge.log" 2>&1 &
PIDS+=($!)

# The configuration as shipped, with ports, paths and logs moved into the work directory.
sed -e "s|127.0.0.1:8001|127.0.0.1:$WEB_PORT|; s|127.0.0.1:8101|127.0.0.1:$EDGE_PORT|" \
    -e "s|listen 80 default_server;|listen 127.0.0.1:$NGINX_PORT default_server;|" \
    -e "/listen \[::\]:80/d" \
    -e "s|^pid .*|pid $WORK/nginx.pid;|; s|^error_log .*|error_log $WORK/nginx-error.log warn;|" \
    -e "s|access_log /var/log/nginx/citizencloud-access.log|access_log $WORK/nginx-access.log|" \
    -e "s|alias /var/lib/citizencloud/static/;|alias $WORK/web/static/;|" \
    deploy/nginx.conf >"$WORK/nginx.conf"
if [[ "$(id -u)" != 0 ]]; then
    sed -i '/^user /d' "$WORK/nginx.conf"
fi
"$NGINX" -t -p "$WORK" -c "$WORK/nginx.conf"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -g 'daemon off;' 2>>"$WORK/nginx-error.log" &
PIDS+=($!)

for url in "http://127.0.0.1:$WEB_PORT/healthz" "http://127.0.0.1:$EDGE_PORT/edge/healthz" \
    "http://127.0.0.1:$NGINX_PORT/edge/healthz"; do
    for _ in $(seq 1 150); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && break
        sleep 0.2
    done
done

BASE="http://127.0.0.1:$NGINX_PORT"
FAILED=0
# check NAME EXPECTED_STATUS GREP_PATTERN CURL_ARGS...: status and a pattern in headers + body.
check() {
    local name="$1" want="$2" pattern="$3" out status
    shift 3
    out="$(curl -sS -i "$@" || true)"
    status="$(head -1 <<<"$out" | awk '{print $2}')"
    if [[ "$status" == "$want" ]] && grep -qiE -- "$pattern" <<<"$out"; then
        printf '  ok    %-44s %s  %s\n' "$name" "$status" "$(grep -oiE -- "$pattern" <<<"$out" | head -1)"
    else
        printf '  FAIL  %-44s got %s, wanted %s with /%s/\n' "$name" "$status" "$want" "$pattern"
        head -20 <<<"$out" | sed 's/^/        /'
        FAILED=1
    fi
}

echo "smoke_nginx: nginx :$NGINX_PORT -> web :$WEB_PORT, edge :$EDGE_PORT"
check "/ (web: the home page)" 200 '一号通行' "$BASE/"
check "/healthz (web: Django)" 200 '\{"status": "ok"\}' "$BASE/healthz"
check "/edge/healthz (edge)" 200 '"role": "edge"' "$BASE/edge/healthz"
check "/api/v1/openapi.json (web)" 200 '"openapi"' "$BASE/api/v1/openapi.json"
check "/api/v1/campaigns/x/entries (edge, reserved)" 404 'request.not_found' \
    "$BASE/api/v1/campaigns/x/entries"
check "/static/css/site.css (nginx)" 200 'content-type: text/css' "$BASE/static/css/site.css"
check "X-Request-ID passed through" 200 '^x-request-id: smoke-42' -H 'X-Request-ID: smoke-42' \
    "$BASE/healthz"
check "X-Request-ID made when invalid" 200 '^x-request-id: [0-9a-f]{32}' \
    -H 'X-Request-ID: bad id!' "$BASE/healthz"
ids="$(curl -sS -o /dev/null -D - -H 'X-Request-ID: once-1' "$BASE/" | grep -ci '^x-request-id')"
if [[ "$ids" == 1 ]]; then
    echo "  ok    one X-Request-ID header on a proxied answer"
else
    echo "  FAIL  $ids X-Request-ID headers on a proxied answer"
    FAILED=1
fi
head -c 11000000 /dev/zero >"$WORK/big.bin"
check "11 MB body refused by nginx" 413 'request.too_large' -X POST \
    -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/big.bin" "$BASE/api/v1/"
if grep -q '"request_id":"smoke-42"' "$WORK/nginx-access.log"; then
    echo "  ok    nginx access log carries the request id"
else
    echo "  FAIL  nginx access log lacks the request id"
    FAILED=1
fi
if [[ "$FAILED" != 0 ]]; then
    echo "smoke_nginx: FAILED; nginx error log:" >&2
    tail -20 "$WORK/nginx-error.log" >&2
    exit 1
fi
echo "smoke_nginx: all routes answered as deploy/nginx.conf says"
