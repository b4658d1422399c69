#!/usr/bin/env bash
# Platform backups (README "Backups"): `scripts/backup.sh` backs up the database, PKI, admin token and
# configuration through restic and proves the backup by restoring it into a scratch database;
# `scripts/backup.sh list` shows the snapshots, `scripts/backup.sh verify [snapshot]` checks one again.
# Needs FLOTILLA_BACKUP_REPOSITORY and FLOTILLA_BACKUP_PASSWORD or FLOTILLA_BACKUP_PASSWORD_FILE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FLOTILLA_ROOT"
# .flotilla/env is part of every backup: a password there would be stored beside what it protects.
if grep -q '^FLOTILLA_BACKUP_PASSWORD=' "$FLOTILLA_DATA_DIR/env" 2>/dev/null; then
  die "$FLOTILLA_DATA_DIR/env holds FLOTILLA_BACKUP_PASSWORD, and that file is backed up: remove the line and export the password, or put it in a file outside $FLOTILLA_DATA_DIR (FLOTILLA_BACKUP_PASSWORD_FILE)"
fi
load_env
command -v restic >/dev/null || die "restic is not installed: run scripts/setup.sh"
[ -f libs/backup/dist/cli.js ] || die "Flotilla is not built: run scripts/setup.sh"
if [ $# -eq 0 ]; then set -- backup; fi
exec node libs/backup/dist/cli.js "$@"
