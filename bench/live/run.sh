#!/bin/bash
# The live-class benchmark (issue 3, section 9; figures in bench/RESULTS.md, "Live classes").
# From a clean checkout: builds Release, generates and imports a district, schedules and starts
# live sessions and mints one signed-in session per participant (bench_live_setup), then, each
# against a fresh `homeroom serve`:
#   1. idle: IDLE_SOCKETS authenticated sockets, each a distinct user joined to its class's room;
#      the server's memory before, at half, at all, and after holding them;
#   2. chat: CHAT_ROOMS rooms x 30 participants, one chat message a second per room and a
#      presence report every 30 s per socket, for 60 s: delivery latency, losses, CPU;
# and the same two loads against bench_live_reference (a bare Beast broadcast server), the floor.
#
# Usage (from the repository root): bench/live/run.sh [IDLE_SOCKETS] [CHAT_ROOMS]
#   defaults 19000 and 600: what fits this machine's hard limit of 20,000 descriptors per process
#   (bench/RESULTS.md says why). Environment: BENCH_PORT (default 28380; +1 metrics, +2 the
#   reference), BENCH_STUDENTS (district size, default 60000), BENCH_CHAT_S (60), BENCH_HOLD_S (20),
#   BENCH_NODES (default 1): both loads run against that many `homeroom serve` processes on one
#   data dir, each room on one of them (as nodes behind a balancer split a district's rooms), each
#   with its own load process: how more sockets than one process's descriptor limit are held.
# Everything runs on 127.0.0.0/8 and ends within about 5 minutes; processes are stopped on exit.
set -euo pipefail

idle_sockets=${1:-19000}
chat_rooms=${2:-600}
room_size=30
port=${BENCH_PORT:-28380}
metrics_port=$((port + 1))
ref_port=$((port + 2))
students=${BENCH_STUDENTS:-60000}
chat_s=${BENCH_CHAT_S:-60}
hold_s=${BENCH_HOLD_S:-20}
nodes=${BENCH_NODES:-1}

# One socket is one descriptor on each side: the soft limit goes up to the hard one (raising the
# hard limit needs CAP_SYS_RESOURCE).
ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -n)
# A node gets whole rooms, so it may hold up to one room more than its even share.
per_node=$(( (idle_sockets + nodes - 1) / nodes + room_size ))
chat_per_node=$(( ((chat_rooms + nodes - 1) / nodes) * room_size ))
[ "$chat_per_node" -gt "$per_node" ] && per_node=$chat_per_node
if [ $((per_node + 100)) -gt "$fd_limit" ]; then
  echo "run.sh: $idle_sockets sockets on $nodes node(s) do not fit the descriptor limit" \
       "($fd_limit) of one server process; use more BENCH_NODES or fewer sockets" >&2
  exit 2
fi

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHOMEROOM_TESTS=OFF >/dev/null
cmake --build build/release -j2 \
  --target homeroom bench_live_setup bench_live_load bench_live_reference
bin=build/release/bin/homeroom
bench=build/release/bench/live

work=$(mktemp -d /tmp/homeroom-livebench.XXXXXX)
server_pid=""
node_pids=()
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; fi
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); fd limit $fd_limit"
echo "== commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC')," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# A district big enough for every participant to be a distinct user.
rooms=$(( (idle_sockets + room_size - 1) / room_size ))
[ "$rooms" -lt "$chat_rooms" ] && rooms=$chat_rooms
echo "== district: $students students; $rooms live sessions of $room_size participants"
$bin generate-district --students "$students" --seed 1 "$work/set" >/dev/null
$bin import --data-dir "$work/data" "$work/set" >"$work/import.log" 2>&1
$bench/bench_live_setup --data-dir "$work/data" --rooms "$rooms" --room-size "$room_size" \
  --out "$work/creds.txt"

# Waits (bounded) until something accepts connections on port $1.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run.sh: nothing listens on port $1" >&2
  return 1
}

# Fails when something else already listens on port $1 (the machine is shared).
check_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "run.sh: port $1 is in use; set BENCH_PORT" >&2
    exit 2
  fi
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# The Release server with the connection cap raised to what the descriptor limit allows (the
# default, 10,000, is below this benchmark). Every other setting is the default, admission and the
# connection guard included: the clients come from 50 sockets per address, each address in its own
# /24 (127.1.0.1, 127.1.1.1, ...), under every per-address and per-subnet cap and rate.
start_homeroom() {
  local api=${1:-$port} metrics=${2:-$metrics_port}
  check_free "$api"
  check_free "$metrics"
  $bin serve --listen "127.0.0.1:$api" --metrics-listen "127.0.0.1:$metrics" \
    --data-dir "$work/data" --max-connections $((fd_limit - 100)) \
    --shutdown-deadline-ms 2000 >"$work/serve-$api.log" 2>&1 &
  server_pid=$!
  wait_port "$api"
}

start_reference() {
  check_free "$ref_port"
  $bench/bench_live_reference --listen "127.0.0.1:$ref_port" --threads 2 >"$work/ref.log" 2>&1 &
  server_pid=$!
  wait_port "$ref_port"
}

load() {
  $bench/bench_live_load --port "$1" --server-pid "$server_pid" --creds "$work/creds.txt" \
    --threads 2 --per-source 50 --connect-concurrency 256 --hold-s "$hold_s" \
    --duration-s "$chat_s" --presence-period-s 30 --chat-bytes 100 "${@:2}"
}

# Runs one load (mode and its arguments) against $nodes `homeroom serve` processes on one data
# dir, node i taking the rooms whose index % nodes == i, each with a load process of its own (a
# room's sockets all go to one node, as a balancer routing by session would); prints each node's
# report.
on_homeroom_nodes() {
  local load_pids=() failed=0 i
  node_pids=()
  for i in $(seq 0 $((nodes - 1))); do
    start_homeroom $((port + 10 * i)) $((metrics_port + 10 * i))
    node_pids+=("$server_pid")
  done
  for i in $(seq 0 $((nodes - 1))); do
    server_pid=${node_pids[$i]}
    load $((port + 10 * i)) --metrics-port $((metrics_port + 10 * i)) \
      --shard "$i" --shards "$nodes" "$@" >"$work/load-$i.txt" 2>&1 &
    load_pids+=("$!")
  done
  for pid in "${load_pids[@]}"; do wait "$pid" || failed=1; done
  for i in $(seq 0 $((nodes - 1))); do
    if [ "$nodes" -gt 1 ]; then echo "-- node $i"; fi
    cat "$work/load-$i.txt"
    server_pid=${node_pids[$i]}
    stop_server
  done
  node_pids=()
  if [ "$failed" -ne 0 ]; then echo "run.sh: a load process failed" >&2; exit 1; fi
}

on_nodes=""
if [ "$nodes" -gt 1 ]; then on_nodes=" on $nodes processes sharing one data dir (rooms split)"; fi

echo
echo "== 1. idle sockets: homeroom serve (Release), $idle_sockets sockets$on_nodes"
on_homeroom_nodes --mode idle --sockets "$idle_sockets"

echo
echo "== 2. rooms: homeroom serve (Release), $chat_rooms rooms x $room_size participants," \
     "chat 1/s per room, presence every 30 s per socket, ${chat_s} s$on_nodes"
on_homeroom_nodes --mode chat --rooms "$chat_rooms"

# The floor is one process: with several nodes, one node's share of each load.
share=""
if [ "$nodes" -gt 1 ]; then share=" (one node's share: shard 0 of $nodes)"; fi

echo
echo "== reference 1: bench_live_reference (bare Beast), $idle_sockets idle sockets$share"
start_reference
load "$ref_port" --mode idle --sockets "$idle_sockets" --shard 0 --shards "$nodes" --path /
stop_server

echo
echo "== reference 2: bench_live_reference (bare Beast), $chat_rooms rooms x $room_size," \
     "same load$share"
start_reference
load "$ref_port" --mode chat --rooms "$chat_rooms" --shard 0 --shards "$nodes" --path /
stop_server

echo
echo "== done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
