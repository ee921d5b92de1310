#!/bin/sh
# Prints the scenario table of bench/RESULTS.md (markdown) from bench/storm/run.sh's output folder:
# one row per scenario JSON (baseline first) with the legitimate users' success and latency, p99
# against the baseline's, what the attack got, time to detect, and the server's RSS before and
# after (rss.tsv). Usage: bench/storm/table.sh out_dir   (needs jq)
set -eu
out=${1:-var/storm}
base_p99=$(jq -r '.legit.total.latency_ms.p99' "$out/baseline.json")
echo "| scenario | legit requests | legit success | p50 ms | p99 ms | p99 / baseline | attack attempts | attack 2xx/101 | attack refused (403/408/413/429/431/503) | attack closed/reset/timeout/held | detected after | RSS before -> after (MiB) | alive | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for f in "$out/baseline.json" $(ls "$out"/*.json | grep -v '/baseline.json$'); do
  name=$(basename "$f" .json)
  rss=$(awk -F'\t' -v n="$name" '$1 == n { printf "%.0f -> %.0f", $2 / 1024, $3 / 1024 }' "$out/rss.tsv" 2>/dev/null)
  alive=$(awk -F'\t' -v n="$name" '$1 == n { print $4 }' "$out/rss.tsv" 2>/dev/null)
  load=$(awk -F'\t' -v n="$name" '$1 == n { print $5 }' "$out/rss.tsv" 2>/dev/null)
  jq -r --arg name "$name" --arg base "$base_p99" --arg rss "$rss" --arg alive "$alive" --arg load "$load" '
    def pct: (. * 10000 | round) / 100 | tostring + "%";
    def r1: (. * 10 | round) / 10;
    (.attacks | to_entries | map(.value.stats)) as $a
    | ($a | map(.attempts) | add // 0) as $att
    | ($a | map(.status | to_entries | map(select(.key | test("^(2..|101)$")) | .value) | add // 0) | add // 0) as $ok
    | ($a | map(.rejections) | add // 0) as $rej
    | ($a | map(.without_answer | (.closed + .reset + .timeout + .held_open + .refused)) | add // 0) as $gone
    | "| \($name) | \(.legit.total.attempts) | \(.legit.total.success_rate | pct) | \(.legit.total.latency_ms.p50 | r1) | \(.legit.total.latency_ms.p99 | r1) | \(if ($base | tonumber) > 0 then (.legit.total.latency_ms.p99 / ($base | tonumber) * 100 | round / 100) else "-" end) | \($att) | \($ok) | \($rej) | \($gone) | \(if .detection.status == "detected" then (.detection.seconds | r1 | tostring) + " s (" + .detection.after + ")" else .detection.status end) | \($rss) | \($alive) | \($load) |"
  ' "$f"
done
