#!/usr/bin/env bash
# Runs every check and test: prepares the machine (Postgres, Redis, Docker, Chromium), a fresh test
# database, then lint, format and type checks, unit tests and end-to-end suites against the real
# services and the real kubectl. Ends with one line "N passed, N failed" and the run's duration.
set -euo pipefail
started=$SECONDS
. "$(dirname "$0")/lib.sh"
cd "$FLOTILLA_ROOT"

WITH_BROWSER=1 bash scripts/setup.sh
use_flotilla_node # the Node.js set-up may just have installed
load_env

TEST_DB="${FLOTILLA_TEST_DB:-flotilla_test}"
say "preparing a fresh test database ($TEST_DB)"
TEST_DATABASE_URL=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/"+process.argv[2]; console.log(u.toString())' "$DATABASE_URL" "$TEST_DB")
ADMIN_URL=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/postgres"; console.log(u.toString())' "$DATABASE_URL")
psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $TEST_DB WITH (FORCE)" -c "CREATE DATABASE $TEST_DB" >/dev/null
DATABASE_URL="$TEST_DATABASE_URL" node libs/store/dist/migrate-cli.js
export TEST_DATABASE_URL

say "lint, format and layering"
npx --no-install eslint . --max-warnings=0
npx --no-install prettier --check . --log-level=warn
node scripts/check-layers.mjs # libs never import apps; imports declared; no cycle (ARCHITECTURE.md)
say "type check"
npx --no-install turbo run typecheck --output-logs=errors-only
npx --no-install tsc -p test/tsconfig.json
# jest runs specs through swc, which drops types unchecked: check them here.
npx --no-install tsc -p tsconfig.spec.json

say "tests"
# The chaos suite restarts the Docker engine once: safe here, where the suites run one at a time.
export FLOTILLA_CHAOS_DOCKER_RESTART="${FLOTILLA_CHAOS_DOCKER_RESTART:-1}"
report="$FLOTILLA_DATA_DIR/jest-report.json"
set +e
npx --no-install jest --runInBand --json --outputFile="$report" "$@"
code=$?
set -e
node -e '
const r = require(process.argv[1]);
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (r.numTotalTests === 0) process.exit(1);
' "$report" || code=1
took=$((SECONDS - started))
echo "took $((took / 60)) m $((took % 60)) s"
exit $code
