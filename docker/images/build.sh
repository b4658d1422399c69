#!/usr/bin/env bash
# Builds Flotilla's demo and system images offline from Debian's static busybox (no registry needed).
#
# Every image is a busybox root file system plus a few shell scripts, imported with `docker import`.
# Each image gets a content tag (flotilla/<name>:c<hash>) computed from this script, the files under
# rootfs/ and the busybox binary; when that tag exists the image is up to date and only the friendly
# tags (flotilla/<name>:1, :latest, and aliases such as busybox:latest, nginx:1.27) are re-pointed.
#
# Usage: docker/images/build.sh [--force | --tags]   (--tags: print each image's flotilla/<name>:1 tag, build nothing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=0
[ "${1:-}" = "--force" ] && force=1
tags_only=0
[ "${1:-}" = "--tags" ] && tags_only=1

if [ ! -x /bin/busybox ]; then
  echo "build.sh: /bin/busybox missing, installing busybox-static" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y busybox-static >/dev/null
fi

# name|aliases (space separated)|import changes (one per line, ';;' separated)|rootfs overlay dirs
# The overlay dirs live in docker/images/rootfs/<dir>; every image gets rootfs/base.
images=(
  "busybox|busybox:latest busybox:1.36|CMD [\"sh\"]|"
  "web|nginx:latest|ENV WEB_VERSION=flotilla;;EXPOSE 80;;CMD [\"/bin/web-server\"]|web"
  "web-1.27|nginx:1.27|ENV WEB_VERSION=1.27;;EXPOSE 80;;CMD [\"/bin/web-server\"]|web"
  "web-1.28|nginx:1.28|ENV WEB_VERSION=1.28;;EXPOSE 80;;CMD [\"/bin/web-server\"]|web"
  "echo||ENV PORT=8080;;EXPOSE 8080;;CMD [\"/bin/echo-server\"]|echo"
  "logger||ENV LOG_FILE=/var/log/app/app.log;;CMD [\"/bin/logger-loop\"]|logger"
  "log-tailer||ENV LOG_FILE=/var/log/app/app.log;;CMD [\"/bin/log-tailer\"]|log-tailer"
  "ambassador||ENV LISTEN_PORT=6379;;CMD [\"/bin/ambassador\"]|ambassador"
  "metrics-adapter||ENV METRICS_PORT=9100;;EXPOSE 9100;;CMD [\"/bin/metrics-adapter\"]|metrics-adapter"
  "service-proxy||ENV FLOTILLA_PROXY_CONFIG=/etc/flotilla/service-proxy/config.json;;CMD [\"/bin/service-proxy\"]|service-proxy"
)

if [ "$tags_only" = 1 ]; then
  for spec in "${images[@]}"; do echo "flotilla/${spec%%|*}:1"; done
  exit 0
fi

bb_sum="$(sha256sum /bin/busybox | cut -c1-64)"
script_sum="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-64)"

tree_sum() { # hash of file names, modes and contents under the given dirs
  local d
  for d in "$@"; do
    [ -d "$d" ] || continue
    (cd "$d" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum && find . -type f -printf '%p %m\n' | LC_ALL=C sort)
  done | sha256sum | cut -c1-64
}

# One call to learn which content tags exist already (keeps an up-to-date run near 1 s).
existing="$(docker image ls --filter label=flotilla.image=1 --format '{{.Repository}}:{{.Tag}} {{.ID}}' 2>/dev/null || true)"

work=""
cleanup() { if [ -n "$work" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

make_base() { # $1 = target dir: busybox + applet links + passwd/group + writable dirs
  local root="$1" applet
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var/log,var/run,www,home}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] && continue
    ln -sf busybox "$root/bin/$applet"
  done
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# service-proxy also gets the host's Node binary, the libraries ldd lists for it, and libs/netproxy's
# compiled JavaScript (no node_modules: the library uses Node's own modules only).
node_bin="$(readlink -f "$(command -v node)")"
netproxy_dist="$(cd "$here/../.." && pwd)/libs/netproxy/dist"
extra_sum() { # content of what add_extra copies, so a new Node or proxy build makes a new content tag
  [ "$1" = service-proxy ] || return 0
  stat -c '%s %Y' "$node_bin"
  tree_sum "$netproxy_dist"
}
add_extra() { # $1 = image name, $2 = root dir
  [ "$1" = service-proxy ] || return 0
  local lib
  mkdir -p "$2/usr/local/bin" "$2/opt/netproxy"
  cp "$node_bin" "$2/usr/local/bin/node"
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
    mkdir -p "$2$(dirname "$lib")"
    cp -L "$lib" "$2$lib"
  done
  cp "$netproxy_dist"/*.js "$2/opt/netproxy/"
}

started=$(date +%s.%N)
built=0
for spec in "${images[@]}"; do
  IFS='|' read -r name aliases changes overlay <<<"$spec"
  if [ "$name" = service-proxy ] && [ ! -f "$netproxy_dist/service-proxy-main.js" ]; then
    echo "skipped     flotilla/service-proxy: build libs/netproxy first (npm run build)" >&2
    continue
  fi
  overlay_dirs=("$here/rootfs/base")
  [ -n "$overlay" ] && overlay_dirs+=("$here/rootfs/$overlay")
  sum="$(printf '%s\n' "$bb_sum" "$script_sum" "$spec" "$(tree_sum "${overlay_dirs[@]}")" "$(extra_sum "$name")" | sha256sum | cut -c1-12)"
  content_tag="flotilla/$name:c$sum"
  if [ "$force" = 0 ] && grep -q "^$content_tag " <<<"$existing"; then
    echo "up to date  $content_tag"
  else
    [ -n "$work" ] || work="$(mktemp -d)"
    root="$work/$name"
    make_base "$root"
    for d in "${overlay_dirs[@]}"; do
      [ -d "$d" ] && cp -a "$d/." "$root/"
    done
    add_extra "$name" "$root"
    import_args=(--change "LABEL flotilla.image=1" --change "LABEL flotilla.image.name=$name" --change "ENV PATH=/bin:/sbin:/usr/bin:/usr/sbin")
    IFS=';' read -r -a parts <<<"${changes//;;/;}"
    for c in "${parts[@]}"; do [ -n "$c" ] && import_args+=(--change "$c"); done
    tar -C "$root" --numeric-owner --owner=0 --group=0 -c . | docker import "${import_args[@]}" - "$content_tag" >/dev/null
    echo "built       $content_tag"
    # Drop this image's older content tags so rebuilt images do not pile up.
    for old in $(grep -o "^flotilla/$name:c[0-9a-f]* " <<<"$existing" || true); do
      docker rmi "$old" >/dev/null 2>&1 || true
    done
    built=$((built + 1))
  fi
  # Friendly tags. The web variants are published only under their aliases (nginx:1.27, ...) and
  # flotilla/web-<version>:1, so `image: nginx:1.27` works offline and a rolling update is visible.
  id="$(grep "^$content_tag " <<<"$existing" | cut -d' ' -f2 || true)"
  [ -n "$id" ] || id="$(docker image inspect --format '{{.Id}}' "$content_tag" | sed 's/^sha256://' | cut -c1-12)"
  for t in "flotilla/$name:1" "flotilla/$name:latest" $aliases; do
    grep -qxF "$t $id" <<<"$existing" || { docker tag "$content_tag" "$t"; echo "tagged      $t"; }
  done
done
awk -v b="$built" -v n="${#images[@]}" -v s="$started" -v e="$(date +%s.%N)" \
  'BEGIN { printf "images: %d built, %d up to date in %.1fs\n", b, n - b, e - s }'
