#!/usr/bin/env bash
# A class under load (issue 13): 500 simulated learners, one check event each
# every 5 s for 2 minutes, against `labrun class serve` on SQLite and on
# PostgreSQL; then the same with the server killed (-9) halfway and restarted.
# Prints events in vs stored, ingest and dashboard latency, server RSS and CPU
# (benches/class_load.rs). Loopback only, bounded.
#
#   benches/class.sh [LEARNERS] [SECONDS]
#   LABRUN_TEST_POSTGRES=postgres://… for the PostgreSQL runs (skipped, saying so, without it)
set -euo pipefail
cd "$(dirname "$0")/.."
LEARNERS=${1:-500}
SECONDS_=${2:-120}
cargo build --release --quiet
run() { cargo bench --quiet --bench class_load -- --labrun target/release/labrun \
  --learners "$LEARNERS" --seconds "$SECONDS_" --every 5 "$@"; }
if [ -z "${LABRUN_TEST_POSTGRES:-}" ] && [ -f .ci/services.env ]; then . .ci/services.env; fi
PG=${LABRUN_TEST_POSTGRES:-}

run
[ -n "$PG" ] && run --db "$PG" || echo "PostgreSQL run SKIPPED: set LABRUN_TEST_POSTGRES"
run --kill-at $((SECONDS_ / 2))
[ -n "$PG" ] && run --db "$PG" --kill-at $((SECONDS_ / 2)) || echo "PostgreSQL kill run SKIPPED: set LABRUN_TEST_POSTGRES"
