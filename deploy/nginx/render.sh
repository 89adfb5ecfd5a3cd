#!/bin/sh
# Renders nginx.conf.template (beside this file) from the environment and runs
# nginx in the foreground; compose.yaml runs it in the nginx container.
#   NGINX_UPSTREAMS  instances as host:port, separated by spaces (required)
#   NGINX_LISTEN     address or port to listen on (default 80)
#   NGINX_PREFIX     pid, logs and temp files (default /var/cache/loadline-nginx)
set -eu
here=$(dirname "$0")
prefix=${NGINX_PREFIX:-/var/cache/loadline-nginx}
listen=${NGINX_LISTEN:-80}
: "${NGINX_UPSTREAMS:?list the instances as host:port, separated by spaces}"
upstreams=""
for upstream in $NGINX_UPSTREAMS; do
  upstreams="${upstreams}    server ${upstream} max_fails=2 fail_timeout=5s;\n"
done
mkdir -p "$prefix"
awk -v prefix="$prefix" -v listen="$listen" -v upstreams="$upstreams" '
  /\{\{UPSTREAMS\}\}/ { printf "%s", upstreams; next }
  { gsub(/\{\{PREFIX\}\}/, prefix); gsub(/\{\{LISTEN\}\}/, listen); print }
' "$here/nginx.conf.template" >"$prefix/nginx.conf"
exec nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;'
