# Shared shell helpers for the set-up, up and test scripts. Sourced, not run.
# Configuration comes from the environment (see README "Configuration"); .flotilla/env keeps what set-up chose.

FLOTILLA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLOTILLA_DATA_DIR="${FLOTILLA_DATA_DIR:-$FLOTILLA_ROOT/.flotilla}"
export FLOTILLA_ROOT FLOTILLA_DATA_DIR

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() { # packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get: install them by hand (see README)"
  say "installing ${missing[*]} (apt)"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

wait_for() { # description seconds command...
  local what="$1" secs="$2"; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up within ${secs}s"
}

load_env() { [ -f "$FLOTILLA_DATA_DIR/env" ] && set -a && . "$FLOTILLA_DATA_DIR/env" && set +a; return 0; }

# Flotilla runs on Node.js 24 LTS (README "Requirements"). A machine whose own Node.js is older gets one
# from the npm registry (scripts/setup.sh installs it in $FLOTILLA_NODE_HOME); every script puts it first on
# PATH, and native add-ons are built against its headers.
FLOTILLA_NODE_MAJOR=24
FLOTILLA_NODE_HOME="${FLOTILLA_NODE_HOME:-$FLOTILLA_DATA_DIR/node}"
node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
use_flotilla_node() {
  [ -x "$FLOTILLA_NODE_HOME/bin/node" ] || return 0
  [ "$(node_major)" -ge "$FLOTILLA_NODE_MAJOR" ] && [ "$(command -v node)" != "$FLOTILLA_NODE_HOME/bin/node" ] && return 0
  case ":$PATH:" in *":$FLOTILLA_NODE_HOME/bin:"*) ;; *) PATH="$FLOTILLA_NODE_HOME/bin:$PATH" ;; esac
  export PATH npm_config_nodedir="$FLOTILLA_NODE_HOME"
}
use_flotilla_node

# Set-up steps are skipped while their stamp (in $FLOTILLA_DATA_DIR/setup/) is newer than every file they
# depend on; a stamp is taken when its step starts, so a file edited during the step counts as newer.
STAMP_DIR="$FLOTILLA_DATA_DIR/setup"
stale() { # step paths... : true when the step must run
  local stamp="$STAMP_DIR/$1"; shift
  [ -f "$stamp" ] || return 0
  [ -n "$(find "$@" \( -name node_modules -o -name dist -o -name .next -o -name .turbo \) -prune -o -newer "$stamp" -type f -print -quit 2>/dev/null)" ]
}
step_begin() { mkdir -p "$STAMP_DIR" && touch "$STAMP_DIR/$1.new"; }
step_done() { mv "$STAMP_DIR/$1.new" "$STAMP_DIR/$1"; }
# For a step that rewrites its own inputs (npm install touches package-lock.json): stamped when it ends.
step_stamp() { mkdir -p "$STAMP_DIR" && touch "$STAMP_DIR/$1"; }
