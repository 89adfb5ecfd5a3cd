#!/usr/bin/env bash
# npm run test:deploy: builds the image from the Dockerfile, brings up the
# compose topology (compose.yaml with compose.host-network.yaml), runs the
# smoke test through nginx, checks the image runs as non-root and that an
# instance drains on SIGTERM, then tears everything down. The machine needs
# no registry: scripts/deploy/setup.sh makes podman and stand-in base images.
#
# LOADLINE_DEPLOY_SCRATCH  podman config, socket and logs (default /var/tmp/loadline-deploy)
# Every wait is bounded; whatever happens, the topology and the socket go away.
set -euo pipefail
cd "$(dirname "$0")/../.."

scratch=${LOADLINE_DEPLOY_SCRATCH:-/var/tmp/loadline-deploy}
project=loadline-deploy-test
export LOADLINE_IMAGE=localhost/loadline:test
base=http://127.0.0.1:28080
started=$(date +%s)
step() { printf '\n== test:deploy: %s (%ss)\n' "$1" "$(($(date +%s) - started))"; }
fail() {
  printf 'test:deploy failed: %s\n' "$1" >&2
  exit 1
}

step "set-up"
timeout 1800 scripts/deploy/setup.sh "$scratch" || fail "the set-up failed or took over 30 minutes"
export CONTAINERS_CONF="$scratch/podman-conf/containers.conf"
mkdir -p "$scratch/logs"

step "image"
if ! timeout 1800 podman build --format docker -t "$LOADLINE_IMAGE" . >"$scratch/logs/build.log" 2>&1; then
  tail -40 "$scratch/logs/build.log" >&2
  fail "the image did not build within 30 minutes (log: $scratch/logs/build.log)"
fi
[ "$(podman run --rm --entrypoint id "$LOADLINE_IMAGE" -u 2>/dev/null)" = 1000 ] || fail "the image runs as root"
[ -n "$(podman image inspect --format '{{.Config.Healthcheck}}' "$LOADLINE_IMAGE")" ] ||
  fail "the image has no HEALTHCHECK"

socket="$scratch/podman.sock"
export DOCKER_HOST="unix://$socket"
# The topology as compose.yaml and the host-network override make it. Compose v1
# refuses published ports with host networking (later versions drop them), so
# the merged file leaves them out.
merged="$scratch/compose.merged.yaml"
docker-compose -p "$project" -f compose.yaml -f compose.host-network.yaml config >"$merged"
node --input-type=module -e "
import fs from 'node:fs';
import { parse, stringify } from 'yaml';
const file = process.argv[1];
const topology = parse(fs.readFileSync(file, 'utf8'));
for (const service of Object.values(topology.services)) {
  if (service.network_mode === 'host') delete service.ports;
}
// Quoted: compose reads YAML 1.1, where a bare on, yes or no is a boolean.
fs.writeFileSync(file, stringify(topology, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }));
" "$merged"
compose=(docker-compose -p "$project" -f "$merged")
service_pid=""
pump_pid=""
cleanup() {
  set +e
  if [ -n "$pump_pid" ]; then kill "$pump_pid" 2>/dev/null; fi
  if [ -n "$service_pid" ]; then
    timeout 120 "${compose[@]}" logs --no-color >"$scratch/logs/compose.log" 2>&1
    timeout 180 "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  rm -f "$socket"
  printf '\n== test:deploy: torn down (%ss)\n' "$(($(date +%s) - started))"
}
trap cleanup EXIT

step "compose up"
rm -f "$socket"
podman system service --time=0 "unix://$socket" >"$scratch/logs/podman-service.log" 2>&1 &
service_pid=$!
for _ in $(seq 100); do
  [ -S "$socket" ] && break
  sleep 0.1
done
[ -S "$socket" ] || fail "podman's API socket did not appear"
# A leftover topology of an interrupted run goes first.
timeout 180 "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
# podman runs health checks from systemd timers, absent here: run them while waiting.
(
  while sleep 2; do
    for id in $(podman ps -q --filter "label=com.docker.compose.project=$project"); do
      podman healthcheck run "$id" >/dev/null 2>&1 || true
    done
  done
) &
pump_pid=$!
if ! timeout 600 "${compose[@]}" up -d --no-build >"$scratch/logs/up.log" 2>&1; then
  tail -30 "$scratch/logs/up.log" >&2
  timeout 60 "${compose[@]}" logs --no-color --tail=30 >&2 || true
  fail "compose up did not finish"
fi

step "smoke test through nginx"
timeout 180 node --import tsx apps/server/test/deploy/smoke.ts "$base" || {
  timeout 60 "${compose[@]}" logs --no-color --tail=30 >&2 || true
  fail "the smoke test failed"
}

step "non-root and drain on SIGTERM"
api2=$("${compose[@]}" ps -q api-2)
[ "$(podman exec "$api2" id -u)" = 1000 ] || fail "api-2 runs as root"
# podman stop sends the image's STOPSIGNAL (SIGTERM) and waits up to the grace period.
timeout 60 podman stop -t 30 "$api2" >/dev/null 2>&1
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$api2")
logs=$(podman logs "$api2" 2>&1)
grep -q '"msg":"draining"' <<<"$logs" || fail "api-2 did not log that it drains (SIGTERM did not reach Node)"
grep -q '"msg":"stopped"' <<<"$logs" || fail "api-2 did not finish draining"
[ "$exit_code" = 0 ] || fail "api-2 exited with $exit_code after SIGTERM"
ready=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")
[ "$ready" = 200 ] || fail "nginx answered $ready after api-2 stopped"

step "passed"
