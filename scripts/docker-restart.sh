#!/usr/bin/env bash
# Restarts the local Docker engine (what an operator or a package upgrade does), for the chaos suite and by
# hand: with systemd, `systemctl restart docker`; without an init system (containers, CI runners), the way
# scripts/setup.sh starts it: SIGTERM to dockerd, wait for it to exit, start it again, wait until it answers.
# Every engine user on the machine sees the outage, so restarts are serialized by /tmp/docker-restart.lock
# and nothing else is done while the engine is down. Prints the outage in seconds on its last line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -z "${DOCKER_HOST:-}" ] || die "DOCKER_HOST is set: that engine is not managed here, restart it where it runs"
exec 9>/tmp/docker-restart.lock
flock -w 90 9 || die "another Docker restart held /tmp/docker-restart.lock for 90 s"

start=$(date +%s.%N)
if command -v systemctl >/dev/null && systemctl is-active --quiet docker 2>/dev/null; then
  as_root systemctl restart docker
else
  pid=$(cat /var/run/docker.pid 2>/dev/null || pidof dockerd || true)
  [ -n "$pid" ] || die "dockerd is not running"
  as_root kill -TERM "$pid"
  # dockerd stops the containers first (each gets its stop timeout, 10 s by default), then exits.
  for _ in $(seq 1 300); do as_root kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  ! as_root kill -0 "$pid" 2>/dev/null || die "dockerd ($pid) did not exit within 30 s"
  # Its containerd may still be tearing down; a new dockerd would start a second one on the same state.
  cpid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
  if [ -n "$cpid" ]; then for _ in $(seq 1 150); do as_root kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done; fi
  # Without the lock's descriptor: dockerd would inherit it and hold the lock for as long as it runs.
  # Docker 20.10 can panic at start-up (libnetwork reservePools) when a network was half-removed while it
  # shut down; the next start reads a consistent state, so a start that dies is tried again, three times.
  for attempt in 1 2 3; do
    as_root sh -c 'nohup dockerd >> /var/log/dockerd.log 2>&1 &' 9>&-
    for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break 2; pidof dockerd >/dev/null || break; sleep 0.2; done
    pidof dockerd >/dev/null && break
    warn "dockerd died while starting (attempt $attempt), starting it again"
  done
fi
for _ in $(seq 1 300); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
if ! docker info >/dev/null 2>&1; then
  # Docker 20.10 panics at start-up (libnetwork reservePools) when a network was half-removed while it shut
  # down, which happens when engine clients keep creating and removing networks during the shutdown.
  tail -n 20 /var/log/dockerd.log >&2
  die "the Docker engine did not come back within 60 s (log above; see /var/log/dockerd.log)"
fi
echo "$(date +%s.%N) $start" | awk '{ printf "%.1f\n", $1 - $2 }'
