#!/bin/sh
# The storm scenarios of issue 4 (docs/storm.md): a generated district, a server on 127.0.0.1,
# a baseline run, then each attack at 10x the legitimate request rate; one JSON report per
# scenario in the output folder and the tables on stdout. Everything stays on this machine and
# every run is bounded by --duration.
# Usage: bench/storm/run.sh [out_dir] [duration_s] [attacks...]   (from the repository root,
#        after `make release`); STUDENTS, LEGIT_USERS, LEGIT_RATE, PORT, ATTACK_DELAY and BIN override the defaults.
set -eu
out=${1:-var/storm}
duration=${2:-60}
shift 2 2>/dev/null || shift $#
attacks=${*:-"http-flood many-source-flood slowloris slow-post slow-read login-stuffing ws-connect-flood ws-message-flood oversized"}
students=${STUDENTS:-6000}
users=${LEGIT_USERS:-500}
rate=${LEGIT_RATE:-100}
port=${PORT:-18080}
delay=${ATTACK_DELAY:-$((duration / 4 < 10 ? duration / 4 : 10))}
bin=${BIN:-build/release/bin}
mkdir -p "$out"

if [ ! -f "$out/data/homeroom.db" ]; then
  $bin/homeroom generate-district --students "$students" --seed 1 --with-passwords "$out/roster" >/dev/null
  $bin/homeroom import --data-dir "$out/data" "$out/roster" >/dev/null
fi
$bin/homeroom serve --data-dir "$out/data" --listen "127.0.0.1:$port" --metrics-listen "" \
  >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
up=no
for _ in $(seq 50); do
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then up=yes; break; fi
  sleep 0.2
done
if [ "$up" = no ] || ! kill -0 "$server" 2>/dev/null; then
  echo "the server did not start on 127.0.0.1:$port (see $out/server.log)" >&2
  exit 1
fi

storm() {
  name=$1
  shift
  echo "== $name"
  $bin/homeroom-storm --target "127.0.0.1:$port" --logins "$out/roster/users.csv" \
    --token-cache "$out/tokens.tsv" --legit-users "$users" --legit-rate "$rate" \
    --duration "$duration" --attack-delay "$delay" --quiet --json "$out/$name.json" "$@"
}

storm baseline
attack_rate=$((rate * 10))
for kind in $attacks; do
  case $kind in
    many-source-flood) storm "$kind" --attack "$kind:$attack_rate:5000" ;;
    slowloris | slow-post | slow-read | ws-connect-flood) storm "$kind" --attack "$kind:$((rate))" ;;
    *) storm "$kind" --attack "$kind:$attack_rate" ;;
  esac
done
