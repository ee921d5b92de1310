#!/bin/sh
# Prints the scenario table of bench/RESULTS.md (markdown) from bench/storm/run.sh's output folder:
# one row per scenario JSON (baseline first) with the legitimate users' success and latency, p99
# against the baseline's, what the attack got, time to detect, and the server's RSS before and
# after (rss.tsv). Usage: bench/storm/table.sh out_dir   (needs jq)
#
# Every attack attempt lands in exactly one of the attack columns: 2xx/101 (served), refused (the
# server pushing back: 403, 408, 413, 429, 431, 503), other 4xx (404s of random URLs, 400, 401...),
# closed/reset/timeout/held (no answer: closed, reset or refused at connect by the server, the
# storm's timeout, or still held open when the storm ended), capped (never sent: the storm's own
# socket cap was full) and other (any other status, or another network error). The script checks
# that the columns add up to the attempts of the JSON report and says so on stderr when not.
#
# Scenarios whose JSON carries the server's connection counters (`.server`, added by run.sh for
# connection-exhaustion) get a second table: refusals at the caps, evictions and timeouts.
set -eu
out=${1:-var/storm}
base_p99=$(jq -r '.legit.total.latency_ms.p99' "$out/baseline.json")
echo "| scenario | legit requests | legit success | p50 ms | p99 ms | p99 / baseline | attack attempts | attack 2xx/101 | attack refused (403/408/413/429/431/503) | attack other 4xx | attack closed/reset/timeout/held | attack capped (storm's own cap) | attack other | detected after | RSS before -> after (MiB) | alive | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
status=0
for f in "$out/baseline.json" $(ls "$out"/*.json | grep -v '/baseline.json$'); do
  name=$(basename "$f" .json)
  rss=$(awk -F'\t' -v n="$name" '$1 == n { printf "%.0f -> %.0f", $2 / 1024, $3 / 1024 }' "$out/rss.tsv" 2>/dev/null)
  alive=$(awk -F'\t' -v n="$name" '$1 == n { print $4 }' "$out/rss.tsv" 2>/dev/null)
  load=$(awk -F'\t' -v n="$name" '$1 == n { print $5 }' "$out/rss.tsv" 2>/dev/null)
  row=$(jq -r --arg name "$name" --arg base "$base_p99" --arg rss "$rss" --arg alive "$alive" --arg load "$load" '
    def pct: (. * 10000 | round) / 100 | tostring + "%";
    def r1: (. * 10 | round) / 10;
    def statuses(f): map(.status | to_entries | map(select(.key | tonumber | f) | .value) | add // 0) | add // 0;
    (.attacks | to_entries | map(.value.stats)) as $a
    | ($a | map(.attempts) | add // 0) as $att
    | ($a | statuses(. == 101 or (. >= 200 and . < 300))) as $ok
    | ($a | statuses(. == 403 or . == 408 or . == 413 or . == 429 or . == 431 or . == 503)) as $rej
    | ($a | statuses(. >= 400 and . < 500 and . != 403 and . != 408 and . != 413 and . != 429 and . != 431)) as $other4xx
    | ($a | map(.without_answer | (.closed + .reset + .timeout + .held_open + .refused)) | add // 0) as $gone
    | ($a | map(.without_answer.storm_cap) | add // 0) as $capped
    | (($a | statuses((. < 200 and . != 101) or (. >= 300 and . < 400) or (. >= 500 and . != 503))) + ($a | map(.without_answer.other) | add // 0)) as $other
    | ($ok + $rej + $other4xx + $gone + $capped + $other) as $sum
    | "\($sum)\t\($att)\t| \($name) | \(.legit.total.attempts) | \(.legit.total.success_rate | pct) | \(.legit.total.latency_ms.p50 | r1) | \(.legit.total.latency_ms.p99 | r1) | \(if ($base | tonumber) > 0 then (.legit.total.latency_ms.p99 / ($base | tonumber) * 100 | round / 100) else "-" end) | \($att) | \($ok) | \($rej) | \($other4xx) | \($gone) | \($capped) | \($other) | \(if .detection.status == "detected" then (.detection.seconds | r1 | tostring) + " s (" + .detection.after + ")" else .detection.status end) | \($rss) | \($alive) | \($load) |"
  ' "$f")
  sum=$(printf '%s' "$row" | cut -f1)
  att=$(printf '%s' "$row" | cut -f2)
  printf '%s\n' "$row" | cut -f3-
  if [ "$sum" != "$att" ]; then
    echo "table.sh: $name: the attack columns add up to $sum, the report counts $att attempts" >&2
    status=1
  fi
done

if ls "$out"/*.json >/dev/null 2>&1 && [ -n "$(jq -r 'select(.server != null) | "x"' "$out"/*.json)" ]; then
  echo
  echo "Server's connection decisions (homeroom_net_*, read from its metrics listener after the run):"
  echo
  echo "| scenario | --max-connections | peak open | accepted | evicted (idle, never signed in) | refused: global cap | refused: per-IP cap | refused: per-subnet cap | idle timeout shortened (pressure) | head timeouts | idle timeouts |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for f in "$out"/*.json; do
    jq -r --arg name "$(basename "$f" .json)" '
      select(.server != null) | .server
      | "| \($name) | \(.max_connections) | \(.peak_open) | \(.accepted) | \(.evicted) | \(.refused_global_cap) | \(.refused_per_ip_cap) | \(.refused_per_subnet_cap) | \(if .pressure_seen then "yes" else "no" end) | \(.timeouts_head) | \(.timeouts_idle) |"
    ' "$f"
  done
fi
exit $status
