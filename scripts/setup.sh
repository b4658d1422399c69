#!/usr/bin/env bash
# Makes a Debian machine ready for Flotilla, idempotently: installs what is missing, starts what is
# stopped, creates the database, installs npm packages, builds, applies migrations.
# Honours DATABASE_URL, REDIS_URL and DOCKER_HOST: when set, that service is the user's and is left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FLOTILLA_ROOT"
mkdir -p "$FLOTILLA_DATA_DIR" && chmod 700 "$FLOTILLA_DATA_DIR"
WITH_BROWSER="${WITH_BROWSER:-0}"

# --- Postgres -----------------------------------------------------------------------------------
if [ -n "${DATABASE_URL:-}" ]; then
  say "using the Postgres at DATABASE_URL (not managed by set-up)"
else
  apt_install postgresql
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $4}' | grep -q online; then
    say "starting PostgreSQL $ver"
    pg_lsclusters -h | grep -q "^$ver main" || as_root pg_createcluster "$ver" main >/dev/null
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  fi
  wait_for "PostgreSQL" 30 as_root runuser -u postgres -- psql -qAtc 'select 1'
  # Sized for a write-heavy control plane: the working set (objects, change log) in shared buffers rather
  # than written out by the backends themselves, and checkpoints spaced by time rather than forced by WAL
  # volume during a burst. An eighth of the memory, at most 1 GB.
  conf="/etc/postgresql/$ver/main/conf.d/flotilla.conf"
  mem_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
  buffers_mb=$((mem_mb / 8 > 1024 ? 1024 : (mem_mb / 8 < 128 ? 128 : mem_mb / 8)))
  want=$(printf '# Written by Flotilla set-up (scripts/setup.sh).\nshared_buffers = %dMB\nmax_wal_size = 2GB\n' "$buffers_mb")
  if [ -d "$(dirname "$conf")" ] && [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
    say "tuning PostgreSQL for Flotilla (shared_buffers ${buffers_mb}MB, max_wal_size 2GB: $conf) and restarting it"
    printf '%s\n' "$want" | as_root tee "$conf" >/dev/null
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main restart
    wait_for "PostgreSQL" 30 as_root runuser -u postgres -- psql -qAtc 'select 1'
  fi
  psql_admin() { as_root runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }
  if [ "$(psql_admin -c "select 1 from pg_roles where rolname='flotilla'")" != 1 ]; then
    say "creating database user flotilla"
    psql_admin -c "create role flotilla login password 'flotilla' createdb"
  fi
  if [ "$(psql_admin -c "select 1 from pg_database where datname='flotilla'")" != 1 ]; then
    say "creating database flotilla"
    psql_admin -c "create database flotilla owner flotilla"
  fi
  export DATABASE_URL="postgresql://flotilla:flotilla@127.0.0.1:5432/flotilla"
fi

# --- Redis --------------------------------------------------------------------------------------
if [ -n "${REDIS_URL:-}" ]; then
  say "using the Redis at REDIS_URL (not managed by set-up)"
else
  apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "starting Redis on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
  wait_for "Redis" 15 redis-cli -h 127.0.0.1 -p 6379 ping
  export REDIS_URL="redis://127.0.0.1:6379"
fi

# --- Docker engine ------------------------------------------------------------------------------
if [ -n "${DOCKER_HOST:-}" ]; then
  say "using the Docker engine at DOCKER_HOST (not managed by set-up)"
else
  # The machine may have a docker client without an engine: check for dockerd, not docker.
  command -v dockerd >/dev/null || apt_install docker.io
  if ! docker info >/dev/null 2>&1; then
    say "starting the Docker engine (log: /var/log/dockerd.log)"
    as_root sh -c 'nohup dockerd > /var/log/dockerd.log 2>&1 &'
  fi
  wait_for "the Docker engine" 60 docker info
fi

# The browser tests run Chromium in its own network namespace (unshare + ip), away from Docker's churn.
if [ "$WITH_BROWSER" = 1 ]; then apt_install chromium iproute2 util-linux; fi
apt_install busybox-static
# Platform backups (libs/backup, README "Backups") are stored through restic: encrypted, deduplicated, verified.
apt_install restic postgresql-client # pg_dump and pg_restore, also when DATABASE_URL is a Postgres elsewhere

# --- Node.js ----------------------------------------------------------------------------------
# Node.js 24 LTS when the machine's is older: the npm registry publishes the official binary as the
# package node-linux-<arch>; its tarball holds bin/node and the headers native add-ons build against.
if [ "$(node_major)" -lt "$FLOTILLA_NODE_MAJOR" ] && [ "$(node_major "$FLOTILLA_NODE_HOME/bin/node")" -lt "$FLOTILLA_NODE_MAJOR" ]; then
  command -v npm >/dev/null || die "no npm to fetch Node.js $FLOTILLA_NODE_MAJOR with: install Node.js $FLOTILLA_NODE_MAJOR LTS by hand (https://nodejs.org) and run this again"
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) die "no Node.js $FLOTILLA_NODE_MAJOR package for $(uname -m): install it by hand and run this again" ;; esac
  say "installing Node.js $FLOTILLA_NODE_MAJOR LTS into $FLOTILLA_NODE_HOME (this machine has $(node -v 2>/dev/null || echo none))"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "node-linux-$arch@$FLOTILLA_NODE_MAJOR" --silent --loglevel=error >/dev/null) || die "could not download node-linux-$arch@$FLOTILLA_NODE_MAJOR from the npm registry"
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp/x"
  "$tmp/x/package/bin/node" -e 0 || die "the downloaded Node.js does not run on this machine: install Node.js $FLOTILLA_NODE_MAJOR by hand"
  rm -rf "$FLOTILLA_NODE_HOME" && mkdir -p "$(dirname "$FLOTILLA_NODE_HOME")" && mv "$tmp/x/package" "$FLOTILLA_NODE_HOME" && rm -rf "$tmp"
fi
use_flotilla_node
say "Node.js $(node -v) ($(command -v node))"

# --- Node packages, build, database schema ----------------------------------------------------
# Each step runs only when what it makes is missing or older than what it is made from, so `scripts/up.sh`
# on a prepared machine only checks (about a second) instead of rebuilding (README: Operating it).
# node-abi holds the Node.js ABI the native add-ons were built for: another Node.js rebuilds them.
abi=$(node -p process.versions.modules)
built_for=$(if [ -d node_modules ]; then cat "$STAMP_DIR/node-abi" 2>/dev/null || echo unknown; else echo "$abi"; fi)
if [ ! -d node_modules ] || stale npm package-lock.json package.json; then
  say "installing npm packages"
  # `npm install`, not `npm ci`: npm 11 writes lock files without the other platforms' optional
  # binaries (SWC, turbo), which `npm ci` then rejects as out of sync.
  npm install --no-audit --no-fund --loglevel=error
  step_stamp npm
fi
if [ "$built_for" != "$abi" ]; then
  say "rebuilding native npm packages for Node.js $(node -v)"
  npm rebuild --loglevel=error >/dev/null
fi
mkdir -p "$STAMP_DIR" && echo "$abi" > "$STAMP_DIR/node-abi"
# The Prisma client used to be generated into libs/store; a clone from before then still has that copy.
rm -rf libs/store/src/generated
if [ ! -d libs/identity/src/generated/prisma ] || stale prisma prisma/schema.prisma "$STAMP_DIR/npm"; then
  say "generating the Prisma client"
  step_begin prisma
  # Prisma's CLI insists on a schema-engine binary it cannot download here; generate does not use it.
  PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}" npx --no-install prisma generate >/dev/null
  step_done prisma
fi
built() { for f in apps/api/dist/main.js apps/controller/dist/main.js apps/agent/dist/main.js apps/portal/.next/BUILD_ID libs/store/dist/migrate-cli.js; do [ -f "$f" ] || return 1; done; }
if ! built || stale build apps libs package.json tsconfig.base.json turbo.json "$STAMP_DIR/npm" "$STAMP_DIR/prisma"; then
  say "building"
  step_begin build
  npx --no-install turbo run build --output-logs=errors-only
  step_done build
fi
# A missing image (someone removed it) or a changed image source means build.sh must run.
mapfile -t IMAGES < <(bash docker/images/build.sh --tags)
if ! docker image inspect "${IMAGES[@]}" >/dev/null 2>&1 || stale images docker/images /bin/busybox; then
  say "building the local images (offline, from busybox)"
  step_begin images
  bash docker/images/build.sh >/dev/null
  step_done images
fi
migrations_applied() { # every migration directory has a finished, not rolled back row
  command -v psql >/dev/null || return 1
  local want have
  want=$(find prisma/migrations -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
  have=$(psql "$DATABASE_URL" -qAtX -c 'select migration_name from "_prisma_migrations" where finished_at is not null and rolled_back_at is null order by 1' 2>/dev/null | sort -u) || return 1
  [ "$(comm -23 <(echo "$want") <(echo "$have"))" = "" ]
}
if stale migrations prisma/migrations || ! migrations_applied; then
  say "applying database migrations"
  step_begin migrations
  node libs/store/dist/migrate-cli.js
  step_done migrations
fi

# Record the service URLs; keep anything else up.sh stored there (the encryption key).
envfile="$FLOTILLA_DATA_DIR/env"
touch "$envfile" && chmod 600 "$envfile"
{ grep -v -e '^DATABASE_URL=' -e '^REDIS_URL=' "$envfile" || true; echo "DATABASE_URL=$DATABASE_URL"; echo "REDIS_URL=$REDIS_URL"; } > "$envfile.tmp"
mv "$envfile.tmp" "$envfile" && chmod 600 "$envfile"
say "machine ready"
