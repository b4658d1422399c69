#!/usr/bin/env bash
# Brings the whole platform up on this machine: prepares it (scripts/setup.sh, which only redoes a step whose
# output is missing or older than its sources: about a second on a prepared machine), then starts the API
# and prints how to reach it. Runs in the foreground; Ctrl-C stops everything. `--detach` returns
# once all is up, leaving the processes running (stop them with scripts/down.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FLOTILLA_ROOT"
DETACH=0
[ "${1:-}" = "--detach" ] && DETACH=1

bash scripts/setup.sh
use_flotilla_node # the Node.js set-up may just have installed
load_env
mkdir -p "$FLOTILLA_DATA_DIR/logs" "$FLOTILLA_DATA_DIR/run"

if [ ! -s "$FLOTILLA_DATA_DIR/admin-token" ]; then
  (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))' > "$FLOTILLA_DATA_DIR/admin-token")
fi
# Secrets are encrypted at rest with this key; generated once, never overwritten (README: rotation).
if ! grep -q '^FLOTILLA_ENCRYPTION_KEYS=' "$FLOTILLA_DATA_DIR/env" 2>/dev/null && [ -z "${FLOTILLA_ENCRYPTION_KEYS:-}" ]; then
  echo "FLOTILLA_ENCRYPTION_KEYS=k1:$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))')" >> "$FLOTILLA_DATA_DIR/env"
  chmod 600 "$FLOTILLA_DATA_DIR/env"
fi
load_env
export FLOTILLA_BOOTSTRAP_TOKEN="${FLOTILLA_BOOTSTRAP_TOKEN:-$(cat "$FLOTILLA_DATA_DIR/admin-token")}"
export FLOTILLA_API_PORT="${FLOTILLA_API_PORT:-6443}"
export FLOTILLA_PORTAL_PORT="${FLOTILLA_PORTAL_PORT:-8443}"
# Few glibc malloc arenas: with the default (8 per core) the API's RSS stays high long after a burst
# of watch traffic has been freed by the GC.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
API_URL="https://127.0.0.1:$FLOTILLA_API_PORT"
CA="$FLOTILLA_DATA_DIR/pki/ca.crt"

start() { # name command...
  local name="$1"; shift
  local pidfile="$FLOTILLA_DATA_DIR/run/$name.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "$name already running (pid $(cat "$pidfile"))"; return 0
  fi
  say "starting $name (log: $FLOTILLA_DATA_DIR/logs/$name.log)"
  # Supervised: a component that dies is started again 0.1 s later, backing off while it keeps failing (scripts/supervise.sh).
  nohup bash "$FLOTILLA_ROOT/scripts/supervise.sh" "$name" "$@" >> "$FLOTILLA_DATA_DIR/logs/$name.log" 2>&1 &
  echo $! > "$pidfile"
}

start api node apps/api/dist/main.js
ready() { curl -fsS --cacert "$CA" "$API_URL/readyz" >/dev/null; }
wait_for "the API (see $FLOTILLA_DATA_DIR/logs/api.log)" 60 ready

if [ -f apps/controller/dist/main.js ]; then
  # Semi-spaces of at most 4 MB: V8's default lets the young generation grow to tens of MB under a burst of short-lived
  # objects (a mass delete's change events and jobs) and keeps that resident; bounded, the controller's peak
  # while 3,000 pods were deleted went from 316 to 158 MB (`npm run bench -- scale --pods 3000 --nodes 30`).
  start controller node --max-semi-space-size=4 apps/controller/dist/main.js
fi

# The agent joins like `kubeadm join`: a one-time join token and the CA; it keeps its node credential.
AGENT_TOKEN_FILE="$FLOTILLA_DATA_DIR/agent/node-token"
AGENT_ENV=(FLOTILLA_API_URL="$API_URL" FLOTILLA_CA_FILE="$CA" FLOTILLA_NODE_TOKEN_FILE="$AGENT_TOKEN_FILE" FLOTILLA_NODE_NAME="${FLOTILLA_NODE_NAME:-$(hostname | tr 'A-Z' 'a-z')}")
if [ ! -s "$AGENT_TOKEN_FILE" ]; then
  JOIN=$(curl -fsS --cacert "$CA" -H "Authorization: Bearer $FLOTILLA_BOOTSTRAP_TOKEN" -H 'content-type: application/json' -d '{}' "$API_URL/flotilla/v1/admin/jointokens" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))')
  AGENT_ENV+=(FLOTILLA_JOIN_TOKEN="$JOIN")
fi
start agent env "${AGENT_ENV[@]}" node apps/agent/dist/main.js

if [ -f apps/portal/server.mjs ] && [ -d apps/portal/.next ]; then
  start portal env NODE_ENV=production FLOTILLA_DATA_DIR="$FLOTILLA_DATA_DIR" FLOTILLA_API_URL="$API_URL" FLOTILLA_CA_FILE="$CA" node apps/portal/server.mjs
fi

ADMIN_USER=admin; ADMIN_PASSWORD="(set by FLOTILLA_ADMIN_PASSWORD)"
for _ in $(seq 1 50); do [ -s "$FLOTILLA_DATA_DIR/admin-password" ] && break; sleep 0.2; done
if [ -s "$FLOTILLA_DATA_DIR/admin-password" ]; then
  ADMIN_USER=$(sed -n 1p "$FLOTILLA_DATA_DIR/admin-password"); ADMIN_PASSWORD=$(sed -n 2p "$FLOTILLA_DATA_DIR/admin-password")
fi

cat <<MSG

  Flotilla is up.
    Portal:      https://127.0.0.1:$FLOTILLA_PORTAL_PORT   (trust $CA, or accept it once)
    Admin login: $ADMIN_USER / $ADMIN_PASSWORD        (also in $FLOTILLA_DATA_DIR/admin-password)
    API:         $API_URL   (HTTPS; CA: $CA)
    kubectl:     export KUBECONFIG=$FLOTILLA_DATA_DIR/admin.kubeconfig
                 kubectl get nodes,namespaces
    Apps:        http://<service>.<namespace>.flotilla.localhost:8080

MSG

if [ "$DETACH" = 1 ]; then exit 0; fi
say "running in the foreground; Ctrl-C stops the platform"
trap 'bash "$FLOTILLA_ROOT/scripts/down.sh"; exit 0' INT TERM
tail -n0 -f "$FLOTILLA_DATA_DIR"/logs/*.log &
wait
