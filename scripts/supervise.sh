#!/usr/bin/env bash
# Keeps one component running: starts it, and when it exits for any reason other than being stopped,
# starts it again one second later. Used by scripts/up.sh on machines without systemd (real hosts use
# docker/systemd/*.service, which do the same with Restart=always). Each restart is logged with the exit
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
export FLOTILLA_RESTARTS=0 FLOTILLA_LAST_EXIT_STATUS= FLOTILLA_LAST_EXIT_AT=
while :; do
  "$@" &
  child=$!
  echo "$child" > "$run_dir/$name.child.pid"
  wait "$child"; code=$?
  # `wait` returns early when a trapped signal arrives: wait for the child itself to end.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
  [ "$stopping" = 1 ] && exit 0
  restarts=$((restarts + 1)); echo "$restarts" > "$count_file"
  at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  export FLOTILLA_RESTARTS="$restarts" FLOTILLA_LAST_EXIT_STATUS="$code" FLOTILLA_LAST_EXIT_AT="$at"
  printf '{"time":"%s","level":"error","component":"supervisor","msg":"%s exited; restarting in 1 s","exitStatus":%d,"restarts":%d}\n' \
    "$at" "$name" "$code" "$restarts"
  sleep 1
done
