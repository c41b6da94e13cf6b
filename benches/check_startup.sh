#!/usr/bin/env bash
# Whole-process `labrun check` on a solved workspace against the local API,
# measured against `bash -c true` in the same run (the floor of starting any
# process here). Uses hyperfine when installed (Debian: apt-get install
# hyperfine), else a plain loop. Loopback only; bounded (RUNS runs each).
#
#   benches/check_startup.sh [PATH/TO/labrun]
set -euo pipefail
cd "$(dirname "$0")/.."
LABRUN=${1:-target/release/labrun}
RUNS=${RUNS:-100}
[ -x "$LABRUN" ] || cargo build --release --quiet
LABRUN=$(realpath "$LABRUN")
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
unset REPLICATED_API_ORIGIN REPLICATED_API_TOKEN REPLICATED_APP
"$LABRUN" init "$WS/lab" >/dev/null
(cd "$WS/lab" && "$LABRUN" solve >/dev/null)
(cd "$WS/lab" && "$LABRUN" check >/dev/null) || { echo "the solved workspace does not pass" >&2; exit 1; }
cd "$WS/lab"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 10 --runs "$RUNS" 'bash -c true' "$LABRUN check"
  exit
fi
mean_ms() { # mean wall time of RUNS runs of "$@", in ms
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$RUNS"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo "scale=2; ($end - $start) / $RUNS / 1000000" | bc
}
base=$(mean_ms bash -c true)
check=$(mean_ms "$LABRUN" check)
echo "bash -c true:  $base ms"
echo "labrun check:  $check ms  ($(echo "scale=1; $check / $base" | bc)× bash -c true)"
