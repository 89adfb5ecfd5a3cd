#!/usr/bin/env bash
# Idempotent set-up for building and running the image on a machine that
# reaches no container registry (see docs/DEPLOYMENT.md, "Trying the image
# without a registry"): podman with runc, compose v1, a Debian base made with
# debootstrap, stand-ins for node:20-bookworm-slim (the host's Node 20) and
# for the mariadb, redis and nginx images (Debian's packages). Every step
# is skipped when its result is already there.
#
# Usage: scripts/deploy/setup.sh SCRATCH   (prints nothing else on success)
set -euo pipefail

scratch=${1:?usage: setup.sh SCRATCH}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$scratch"

log() { printf '[setup] %s\n' "$*"; }

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v docker-compose >/dev/null 2>&1; then
  log "installing docker-compose (v1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# crun fails on cgroup v1 hybrid hosts and podman's default ulimits exceed
# what root may set here; host networking needs no bridges or firewall rules.
mkdir -p "$scratch/podman-conf"
cat >"$scratch/podman-conf/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "host"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
export CONTAINERS_CONF="$scratch/podman-conf/containers.conf"

has_image() { podman image exists "$1"; }

if ! has_image localhost/debian:bookworm; then
  mirror=$(grep -rhE '^[[:space:]]*(URIs:|deb[[:space:]])' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    grep -oE 'https?://[^ ]+/debian/?' | head -1 || true)
  log "bootstrapping a Debian bookworm base from ${mirror:-the default mirror}"
  rootfs="$scratch/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"} >"$scratch/debootstrap.log" 2>&1
  tar -C "$rootfs" -c . | podman import -q - localhost/debian:bookworm >/dev/null
  rm -rf "$rootfs"
fi

# The host's npm may reach the registry through a TLS proxy with a CA of its own.
host_ca=$(npm config get cafile 2>/dev/null || true)
[ -f "$host_ca" ] || host_ca=/etc/ssl/certs/ca-certificates.crt
node_hash=$(cat "$here/node-standin.Dockerfile" "$host_ca" <(node -v) | sha256sum | cut -c1-12)
if [ "$(podman image inspect --format '{{index .Labels "loadline.standin"}}' docker.io/library/node:20-bookworm-slim 2>/dev/null)" != "$node_hash" ]; then
  log "building the node:20-bookworm-slim stand-in from the host's Node $(node -v)"
  context="$scratch/node-context"
  rm -rf "$context"
  mkdir -p "$context/include" "$context/node_modules"
  cp "$(command -v node)" "$context/node"
  cp -r "$(npm root -g)/npm" "$context/node_modules/npm"
  # The official image ships Node's headers; native modules build against them.
  cp -r "$(dirname "$(dirname "$(command -v node)")")/include/node" "$context/include/node"
  cp "$host_ca" "$context/host-ca.crt"
  podman build --format docker -q --label "loadline.standin=$node_hash" -t docker.io/library/node:20-bookworm-slim \
    -f "$here/node-standin.Dockerfile" "$context" >/dev/null
  rm -rf "$context"
fi

# One image for the three, rebuilt when its files change (the tag is their hash).
deps_hash=$(cat "$here/deps-standin.Dockerfile" "$here/standin-entrypoint.sh" | sha256sum | cut -c1-12)
if ! has_image "localhost/loadline-deps:$deps_hash"; then
  log "building the mariadb/redis/nginx stand-in from Debian's packages"
  podman build --format docker -q -t "localhost/loadline-deps:$deps_hash" \
    -f "$here/deps-standin.Dockerfile" "$here" >/dev/null
fi
standin() {
  local name=$1 workdir=$2 cmd=$3
  if [ "$(podman image inspect --format '{{index .Labels "loadline.standin"}}' "$name" 2>/dev/null)" != "$deps_hash" ]; then
    printf 'FROM localhost/loadline-deps:%s\nLABEL loadline.standin=%s\nWORKDIR %s\nCMD %s\n' \
      "$deps_hash" "$deps_hash" "$workdir" "$cmd" |
      podman build --format docker -q -t "$name" -f - "$here" >/dev/null
  fi
}
standin docker.io/library/mariadb:11.4 / '["mariadbd"]'
standin docker.io/library/redis:7.4 /data '["redis-server"]'
standin docker.io/library/nginx:1.27 / '["nginx", "-g", "daemon off;"]'
