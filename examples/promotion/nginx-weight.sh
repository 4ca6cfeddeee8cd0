#!/bin/sh
# model-gate traffic command for a plain nginx weighted upstream: writes the upstream with the
# canary's share and reloads nginx. Idempotent, so it serves as the rollback command too (weight 0).
#
#   traffic-command:  examples/promotion/nginx-weight.sh {weight}
#   rollback-command: examples/promotion/nginx-weight.sh 0
#
# Environment: NGINX_UPSTREAM_FILE (the file your nginx.conf includes inside http {}),
# NGINX_STABLE and NGINX_CANARY (host:port of each), NGINX_RELOAD (default: nginx -s reload).
set -eu
weight=$1
case $weight in ''|*[!0-9]*) echo "weight must be 0..100, got '$weight'" >&2; exit 2 ;; esac
[ "$weight" -le 100 ] || { echo "weight must be 0..100, got $weight" >&2; exit 2; }
stable=$((100 - weight))
tmp="$NGINX_UPSTREAM_FILE.tmp.$$"
{
  echo "upstream model_backend {"
  if [ "$stable" -gt 0 ]; then echo "  server $NGINX_STABLE weight=$stable;"; else echo "  server $NGINX_STABLE down;"; fi
  if [ "$weight" -gt 0 ]; then echo "  server $NGINX_CANARY weight=$weight;"; else echo "  server $NGINX_CANARY down;"; fi
  echo "  keepalive 32;"
  echo "}"
} > "$tmp"
mv "$tmp" "$NGINX_UPSTREAM_FILE"
${NGINX_RELOAD:-nginx -s reload}
echo "canary at ${weight}%, stable at ${stable}%"
