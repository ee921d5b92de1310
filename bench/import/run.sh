#!/bin/sh
# Builds Release and times the Miami-Dade-sized OneRoster import (345,000 students).
# Usage: bench/import/run.sh [students]   (from the repository root)
set -eu
students=${1:-345000}
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHOMEROOM_TESTS=OFF
cmake --build build/release --target bench_import -j2
/usr/bin/time -v build/release/bench/import/bench_import --students "$students" --seed 1
