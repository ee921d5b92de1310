#!/bin/sh
# Runs tests/browser/media.mjs in a network namespace of its own (threats.md): loopback for
# Homeroom and Janus's APIs, and a veth pair with 198.18.0.0/15 addresses for WebRTC media (Janus
# never offers loopback addresses). Nothing leaves the namespace. Needs CAP_SYS_ADMIN and
# CAP_NET_ADMIN (root, as `make test` runs here; in a container, --cap-add SYS_ADMIN --cap-add
# NET_ADMIN or --privileged).
#
# Where the namespace cannot be made (no such rights) the test exits 77, which CTest reports as
# "Skipped" (SKIP_RETURN_CODE, tests/browser/CMakeLists.txt) in the list of tests that did not
# run: visible, never a pass. HOMEROOM_REQUIRE_MEDIA_TEST=1 turns that skip into a failure, for a
# CI machine that must prove media works.
set -e
here=$(dirname "$0")
if ! command -v ip >/dev/null 2>&1 || ! command -v unshare >/dev/null 2>&1; then
  echo "media browser test: FAILED: needs ip (iproute2) and unshare (util-linux): scripts/install-deps" >&2
  exit 1
fi
# Probe exactly what the run needs: a namespace, loopback up, a veth pair in it.
if ! why=$(unshare --net sh -c 'ip link set lo up && ip link add hrprobe0 type veth peer name hrprobe1' 2>&1); then
  if [ "${HOMEROOM_REQUIRE_MEDIA_TEST:-0}" = 1 ]; then
    echo "media browser test: FAILED: cannot make its network namespace (HOMEROOM_REQUIRE_MEDIA_TEST=1): $why" >&2
    exit 1
  fi
  echo "media browser test: SKIPPED: cannot make its network namespace (needs CAP_SYS_ADMIN and CAP_NET_ADMIN): $why" >&2
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
