#!/bin/sh
# Runs tests/browser/media.mjs in a network namespace of its own (threats.md): loopback for
# Homeroom and Janus's APIs, and a veth pair with 198.18.0.0/15 addresses for WebRTC media (Janus
# never offers loopback addresses). Nothing leaves the namespace. Needs CAP_SYS_ADMIN and
# CAP_NET_ADMIN (root, as `make test` runs here).
set -e
here=$(dirname "$0")
if ! unshare --net true 2>/dev/null; then
  echo "media browser test: skipped: cannot create a network namespace (needs root)" >&2
  exit 77
fi
exec unshare --net sh -c '
  set -e
  ip link set lo up
  ip link add hrmedia0 type veth peer name hrmedia1
  ip addr add 198.18.0.1/24 dev hrmedia0
  ip addr add 198.18.0.2/24 dev hrmedia1
  ip link set hrmedia0 up
  ip link set hrmedia1 up
  # Janus learns its address from the default route; the route leads to the veth pair, inside.
  ip route add default via 198.18.0.2 dev hrmedia0
  exec node "$0/media.mjs" "$@"
' "$here" "$@"
