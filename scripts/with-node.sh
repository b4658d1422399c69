#!/usr/bin/env bash
# Runs a command with the Node.js Flotilla supports first on PATH (scripts/lib.sh): `npm run` uses it so
# that `npm run bench` and friends never start on the machine's older Node.js.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
exec "$@"
