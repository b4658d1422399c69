#!/usr/bin/env bash
# Keeps one component running: starts it, and when it exits for any reason other than being stopped,
# starts it again after a pause that grows while it keeps failing: 0.1 s after a process that ran for 10 s
# or more, doubled after each shorter run, at most 8 s. So a crash is served again well inside the 2 s
# target (a fixed 1 s pause took half of it), and a crash loop does not keep a core busy. Used by
# scripts/up.sh on machines without systemd (real hosts use docker/systemd/*.service, which restart with
# Restart=always). Each restart is logged with the exit
# status and counted in $FLOTILLA_DATA_DIR/run/<name>.restarts, so a crash loop is visible, not silent; the
# component gets the count and the previous exit as FLOTILLA_RESTARTS, FLOTILLA_LAST_EXIT_STATUS and
# FLOTILLA_LAST_EXIT_AT, and records them where the admin components view reads them.
# SIGTERM/SIGINT stop the component and this loop.
set -uo pipefail
name="$1"; shift
run_dir="${FLOTILLA_DATA_DIR:?}/run"
count_file="$run_dir/$name.restarts"
echo 0 > "$count_file"
child=0; stopping=0
stop() { stopping=1; [ "$child" -gt 0 ] && kill -TERM "$child" 2>/dev/null; }
trap stop TERM INT
restarts=0
# Pause in milliseconds (bash has integer arithmetic only).
delay_ms=100; max_delay_ms=8000; reset_s=10
export FLOTILLA_RESTARTS=0 FLOTILLA_LAST_EXIT_STATUS= FLOTILLA_LAST_EXIT_AT=
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  echo "$child" > "$run_dir/$name.child.pid"
  wait "$child"; code=$?
  # `wait` returns early when a trapped signal arrives: wait for the child itself to end.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
  [ "$stopping" = 1 ] && exit 0
  restarts=$((restarts + 1)); echo "$restarts" > "$count_file"
  if [ $((SECONDS - started)) -ge "$reset_s" ]; then delay_ms=100
  elif [ "$restarts" -gt 1 ]; then delay_ms=$((delay_ms * 2 > max_delay_ms ? max_delay_ms : delay_ms * 2)); fi
  delay=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))
  at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  export FLOTILLA_RESTARTS="$restarts" FLOTILLA_LAST_EXIT_STATUS="$code" FLOTILLA_LAST_EXIT_AT="$at"
  printf '{"time":"%s","level":"error","component":"supervisor","msg":"%s exited; restarting in %s s","exitStatus":%d,"restarts":%d,"delayMs":%d}\n' \
    "$at" "$name" "$delay" "$code" "$restarts" "$delay_ms"
  # In the background, so a SIGTERM during the pause ends it at once instead of starting the component again.
  sleep "$delay" & wait $!
  [ "$stopping" = 1 ] && exit 0
done
