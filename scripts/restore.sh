#!/usr/bin/env bash
# Disaster recovery (README "Backups"): on a new machine (or this one), prepares it (scripts/setup.sh), then
# brings back the database, PKI, admin token and configuration (with the Secret encryption keys) from a
# restic snapshot. Start the platform afterwards with scripts/up.sh: agents reconnect with the credentials
# they hold (the CA is the same) and adopt their running containers.
#   FLOTILLA_BACKUP_REPOSITORY=… FLOTILLA_BACKUP_PASSWORD_FILE=… scripts/restore.sh <snapshot | latest>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FLOTILLA_ROOT"
[ $# -eq 1 ] || die "usage: scripts/restore.sh <snapshot | latest>   (scripts/backup.sh list shows the snapshots)"
for pidfile in "$FLOTILLA_DATA_DIR"/run/*.pid; do
  [ -f "$pidfile" ] || continue
  case "$pidfile" in *.child.pid) continue ;; esac
  kill -0 "$(cat "$pidfile")" 2>/dev/null && die "$(basename "$pidfile" .pid) is running: stop the control plane first (scripts/down.sh), then run this again"
done
bash scripts/setup.sh
use_flotilla_node
load_env
node libs/backup/dist/cli.js restore "$1"
say "next: scripts/up.sh (the agents on the nodes reconnect by themselves)"
