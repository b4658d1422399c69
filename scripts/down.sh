#!/usr/bin/env bash
# Stops what scripts/up.sh started (Postgres, Redis and Docker keep running).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
for pidfile in "$FLOTILLA_DATA_DIR"/run/*.pid; do
  [ -f "$pidfile" ] || continue
  case "$pidfile" in *.child.pid) continue ;; esac
  pid=$(cat "$pidfile"); name=$(basename "$pidfile" .pid)
  if kill -0 "$pid" 2>/dev/null; then say "stopping $name"; kill "$pid"; fi
  rm -f "$pidfile" "${pidfile%.pid}.child.pid"
done
