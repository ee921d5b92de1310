#!/bin/sh
# The storm scenarios of issue 4 (docs/storm.md, bench/RESULTS.md): a generated district, a server
# on 127.0.0.1, a baseline run, then each attack at 10x the legitimate request rate; one JSON
# report per scenario in the output folder, the server's memory (RSS) before and after each in
# rss.tsv, and the tables on stdout. Everything stays on this machine and every run is bounded by
# --duration.
#
# Usage: bench/storm/run.sh [out_dir] [duration_s] [attacks...]   (from the repository root,
#        after `make release`); STUDENTS, LEGIT_USERS, LEGIT_RATE, PORT, NGINX_PORT, METRICS_PORT,
#        ATTACK_DELAY, QUIET and BIN override the defaults.
#
# connection-exhaustion (last, since it restarts the server) holds idle connections from 1,000
# sources in four /24s, past the server's connection caps, to exercise what the other scenarios
# never reach: eviction of idle unauthenticated connections at the global cap, the idle timeout
# shortened under pressure and the per-subnet cap. This machine allows 20,000 descriptors per
# process (hard limit), too few for the storm to pass the default global cap of 10,000 with room
# to spare, so for this scenario the server is restarted with --max-connections 4000 (pressure
# from 3,000) and --max-connections-per-subnet 1024 (each attacking /24 tries ~1,500), the storm
# holds up to 6,000 idle sockets, and the server's metrics listener (127.0.0.1:METRICS_PORT) is read
# each second: the evictions, refusals and peak go into the scenario's JSON as `.server`.
#
# REFERENCE=nginx runs the same scenarios against Homeroom behind nginx (bench/storm/
# nginx.conf.template: limit_req and limit_conn per address, the usual timeouts), the reference a
# district would otherwise deploy. nginx (`scripts/install-deps --bench`, package nginx-light)
# runs as a child of this script, in the foreground, on 127.0.0.2:NGINX_PORT with its own prefix
# directory under out_dir; never the stock configuration or a system service. Homeroom then sees
# every client as nginx's address, so its own per-source defenses would count the whole district
# as one client: it runs with --admission=false --guard-detection=false, and nginx's limits are
# the defense measured. For the same reason its per-client share of the password-hashing queue
# (--hash-queue-per-ip, 4 by default) would hold every sign-in of the district to 4 waiting, and
# the legitimate sign-ins it refused (503) would be Homeroom's limit counted against nginx: the
# share is set to the whole queue (--hash-queue, 256), which leaves the queue's global bound.
set -eu
out=${1:-var/storm}
duration=${2:-60}
shift 2 2>/dev/null || shift $#
attacks=${*:-"http-flood many-source-flood slowloris slow-post slow-read login-stuffing ws-connect-flood ws-message-flood oversized connection-exhaustion"}
students=${STUDENTS:-6000}
users=${LEGIT_USERS:-500}
rate=${LEGIT_RATE:-100}
port=${PORT:-18080}
nginx_port=${NGINX_PORT:-18081}
metrics_port=${METRICS_PORT:-$((port + 2))}
reference=${REFERENCE:-}
delay=${ATTACK_DELAY:-$((duration / 4 < 10 ? duration / 4 : 10))}
# Quiet seconds after each scenario, so that the next starts from a server that has ended the
# previous attack by itself (--guard-end-after-windows 30 one-second windows); 0 behind nginx.
quiet=${QUIET:-$([ "$reference" = nginx ] && echo 0 || echo 32)}
bin=${BIN:-build/release/bin}
mkdir -p "$out"

if [ ! -f "$out/data/homeroom.db" ]; then
  $bin/homeroom generate-district --students "$students" --seed 1 --with-passwords "$out/roster" >/dev/null
  $bin/homeroom import --data-dir "$out/data" "$out/roster" >/dev/null
fi
serve_flags=""
if [ "$reference" = nginx ]; then
  # One client behind nginx: its share of the hashing queue is the whole queue (see above).
  serve_flags="--admission=false --guard-detection=false --hash-queue 256 --hash-queue-per-ip 256"
elif [ -n "$reference" ]; then
  echo "REFERENCE must be empty or nginx" >&2
  exit 2
fi
server=""
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
# healthy URL: true once URL answers 2xx, false after 10 s.
healthy() {
  for _ in $(seq 50); do
    if curl -fs "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}
# start_server LOG [extra serve flags...]: serves the district on 127.0.0.1:$port and waits for it.
start_server() {
  log=$1
  shift
  # shellcheck disable=SC2086
  $bin/homeroom serve --data-dir "$out/data" --listen "127.0.0.1:$port" $serve_flags "$@" \
    >>"$log" 2>&1 &
  server=$!
  if ! healthy "http://127.0.0.1:$port/healthz" || ! kill -0 "$server" 2>/dev/null; then
    echo "the server did not start on 127.0.0.1:$port (see $log)" >&2
    exit 1
  fi
}
stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}
start_server "$out/server.log" --metrics-listen ""

target="127.0.0.1:$port"
if [ "$reference" = nginx ]; then
  prefix=$(cd "$out" && pwd)/nginx
  mkdir -p "$prefix"
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@LISTEN@|127.0.0.2:$nginx_port|g" \
    -e "s|@UPSTREAM@|127.0.0.1:$port|g" bench/storm/nginx.conf.template >"$prefix/nginx.conf"
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" &
  nginx_pid=$!
  if ! healthy "http://127.0.0.2:$nginx_port/healthz"; then
    echo "nginx did not start on 127.0.0.2:$nginx_port (see $prefix/error.log)" >&2
    exit 1
  fi
  target="127.0.0.2:$nginx_port"
fi

rss() { ps -o rss= -p "$server" 2>/dev/null | tr -d ' ' || true; }
printf 'scenario\trss_before_kib\trss_after_kib\tserver_alive\tload_1m_before\n' >"$out/rss.tsv"

storm() {
  name=$1
  shift
  echo "== $name"
  before=$(rss)
  load=$(cut -d' ' -f1 /proc/loadavg)
  $bin/homeroom-storm --target "$target" --logins "$out/roster/users.csv" \
    --token-cache "$out/tokens.tsv" --legit-users "$users" --legit-rate "$rate" \
    --duration "$duration" --attack-delay "$delay" --quiet --json "$out/$name.json" "$@"
  alive=yes
  kill -0 "$server" 2>/dev/null || alive=no
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$before" "$(rss)" "$alive" "$load" >>"$out/rss.tsv"
  if [ "$alive" = no ]; then
    echo "the server died during $name (see $out/server.log)" >&2
    exit 1
  fi
  sleep "$quiet"
}

# The returning users signed in earlier in the day: a first, unmeasured pass signs them in and
# caches their tokens, then the sign-in buckets their /24s drained (burst 200, 10/s) refill, so
# that the baseline's password sign-ins do not meet the setup's traffic.
if [ ! -s "$out/tokens.tsv" ]; then
  echo "== warm-up (setup sign-ins, not measured)"
  $bin/homeroom-storm --target "$target" --logins "$out/roster/users.csv" \
    --token-cache "$out/tokens.tsv" --legit-users "$users" --legit-rate 1 --duration 1 --quiet \
    >/dev/null
  sleep 30
fi
storm baseline
attack_rate=$((rate * 10))
# Every attack at 10x the legitimate rate: requests, or for the slow and WebSocket-connection
# kinds new connections, per second (held sockets are capped by the kind's default, docs/storm.md).
exhaustion=no
for kind in $attacks; do
  case $kind in
    many-source-flood) storm "$kind" --attack "$kind:$attack_rate:5000" ;;
    connection-exhaustion) exhaustion=yes ;;
    *) storm "$kind" --attack "$kind:$attack_rate" ;;
  esac
done

# metric NAME LABEL_MATCH: the value of the api server's series of NAME whose labels contain
# LABEL_MATCH (e.g. 'reason="global_cap"'), from the last scrape.
metric() {
  grep "^$1{" "$out/metrics.txt" | grep 'server="api"' | grep -F "$2" | awk '{ s += $NF } END { printf "%d", s }'
}
if [ "$exhaustion" = yes ]; then
  kind=connection-exhaustion
  max_conn=4000
  stop_server
  start_server "$out/server-$kind.log" --metrics-listen "127.0.0.1:$metrics_port" \
    --max-connections "$max_conn" --max-connections-per-subnet 1024
  # Peak open connections and whether the idle timeout was ever shortened, sampled each second.
  (
    while kill -0 "$server" 2>/dev/null; do
      curl -fs "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null |
        grep -E '^homeroom_net_(open_connections|idle_timeout_shortened)\{server="api"' || true
      sleep 1
    done
  ) >"$out/$kind.samples" &
  sampler=$!
  storm "$kind" --attack "$kind:$attack_rate"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  curl -fs "http://127.0.0.1:$metrics_port/metrics" >"$out/metrics.txt"
  peak=$(awk '/^homeroom_net_open_connections/ { if ($NF > m) m = $NF } END { printf "%d", m }' "$out/$kind.samples")
  pressure=$(awk '/^homeroom_net_idle_timeout_shortened/ { if ($NF > 0) p = 1 } END { print p ? "true" : "false" }' "$out/$kind.samples")
  jq --argjson max "$max_conn" --argjson peak "$peak" --argjson pressure "$pressure" \
    --argjson accepted "$(metric homeroom_net_connections_accepted_total 'server="api"')" \
    --argjson evicted "$(metric homeroom_net_connections_evicted_total 'server="api"')" \
    --argjson global "$(metric homeroom_net_connections_refused_total 'reason="global_cap"')" \
    --argjson per_ip "$(metric homeroom_net_connections_refused_total 'reason="per_ip_cap"')" \
    --argjson per_subnet "$(metric homeroom_net_connections_refused_total 'reason="per_subnet_cap"')" \
    --argjson head "$(metric homeroom_net_timeouts_total 'kind="head"')" \
    --argjson idle "$(metric homeroom_net_timeouts_total 'kind="idle"')" \
    '.server = {max_connections: $max, peak_open: $peak, pressure_seen: $pressure,
                accepted: $accepted, evicted: $evicted, refused_global_cap: $global,
                refused_per_ip_cap: $per_ip, refused_per_subnet_cap: $per_subnet,
                timeouts_head: $head, timeouts_idle: $idle}' \
    "$out/$kind.json" >"$out/$kind.json.tmp"
  mv "$out/$kind.json.tmp" "$out/$kind.json"
fi
bench/storm/table.sh "$out"
