#!/bin/sh
# The reference beside the import figure: the same OneRoster set loaded by sqlite3's own CSV
# `.import` into bare tables (no validation, no indexes, no diffing): the floor of what storing
# the rows costs on this machine. Then `homeroom import` of the same files, for the ratio.
# Usage: bench/import/reference.sh [students]   (from the repository root, after `make release`)
set -eu
students=${1:-345000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=build/release/bin/homeroom
$bin generate-district --students "$students" --seed 1 "$work/set" >/dev/null
echo "reference: sqlite3 .import of the raw CSV files"
/usr/bin/time -f "  %e s wall, %M KiB peak" sh -c "
  for f in orgs academicSessions courses classes users enrollments; do
    printf '.mode csv\n.import %s/set/%s.csv %s\n' '$work' \"\$f\" \"\$f\"
  done | sqlite3 '$work/reference.db'"
echo "homeroom import of the same set"
/usr/bin/time -f "  %e s wall, %M KiB peak" $bin import --data-dir "$work/data" "$work/set" >/dev/null
