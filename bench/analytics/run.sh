#!/bin/sh
# The store the analytics benchmark measures (issue 6, section 7): builds Release, generates the
# Miami-Dade-sized district (345,000 students, seed 1), imports it into a fresh data directory and
# simulates a school week of activity over it (`homeroom simulate-activity`, Monday 2026-09-14 to
# Friday 2026-09-18), timed with /usr/bin/time -v, prints the rows per table, then times the
# analytics on it (bench_analytics: the rollup of the five days, then the decision report and two
# explorer queries five times each). bench/RESULTS.md, "Analytics". The data directory is kept:
# `build/release/bench/analytics/bench_analytics --data-dir DIR --no-refresh` times the reports
# again without recomputing.
# Usage: bench/analytics/run.sh [students] [data-dir]   (from the repository root)
set -eu
students=${1:-345000}
data=${2:-/tmp/homeroom-bench-analytics}
bin=build/release/bin/homeroom
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHOMEROOM_TESTS=OFF
cmake --build build/release --target homeroom bench_analytics -j2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$data"
echo "== generate-district --students $students --seed 1"
"$bin" generate-district --students "$students" --seed 1 "$work/set"
echo "== import into $data"
/usr/bin/time -f "  %e s wall, %M KiB peak" "$bin" import --data-dir "$data" "$work/set" >/dev/null
rm -rf "$work/set"
echo "== simulate-activity: 5 school days from 2026-09-14"
/usr/bin/time -v "$bin" simulate-activity --data-dir "$data" --from 2026-09-14 --days 5 --seed 1 \
  --external-grade-band 6-12 --district-time-zone America/New_York

echo "== rows per table"
sqlite3 "$data/homeroom.db" <<'SQL'
.mode list
.separator "  "
SELECT 'live_sessions', COUNT(*), SUM(EXISTS (SELECT 1 FROM external_opens o
       WHERE o.session_id = l.id)) || ' with external opens',
       SUM(EXISTS (SELECT 1 FROM attendance_intervals i WHERE i.session_id = l.id))
       || ' with attendance intervals' FROM live_sessions l;
SELECT 'attendance_intervals', COUNT(*) FROM attendance_intervals;
SELECT 'client_events', SUM(n), group_concat(kind || ' ' || n, ', ')
  FROM (SELECT kind, COUNT(*) AS n FROM client_events GROUP BY kind);
SELECT 'external_opens', COUNT(*) FROM external_opens;
SELECT 'external_attendance', COUNT(*) FROM external_attendance;
SELECT 'assignments', COUNT(*) FROM assignments;
SELECT 'submissions', COUNT(*), SUM(late) || ' late', SUM(score_centi IS NOT NULL) || ' graded'
  FROM submissions;
SELECT 'submission_events', COUNT(*) FROM submission_events;
SELECT 'pathway_rules', SUM(n), group_concat(rule || ' ' || n, ', ')
  FROM (SELECT scope || ' ' || COALESCE(grade_band, 'any') || ' ' || pathway AS rule,
               COUNT(*) AS n FROM pathway_rules GROUP BY rule);
SELECT 'section_meeting_links', COUNT(*) FROM section_meeting_links;
SQL
du -sh "$data"

echo "== analytics: rollup of the week, then the reports"
/usr/bin/time -v build/release/bench/analytics/bench_analytics --data-dir "$data" \
  --from 2026-09-14 --to 2026-09-18 --runs 5
