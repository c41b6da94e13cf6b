#!/usr/bin/env bash
# Instruqt's helpers as scripts call them: `agent variable get`, `agent
# variable set` (a locked, atomic write), `fail-message`, and `curl --version`
# through labrun's curl wrapper, each measured against a baseline in the same
# run: `bash -c true` (starting any process here) and, for curl, the real curl.
# Bounded (RUNS runs each), local files only.
#
#   benches/standins.sh [PATH/TO/labrun]
set -euo pipefail
cd "$(dirname "$0")/.."
LABRUN=${1:-target/release/labrun}
RUNS=${RUNS:-200}
[ -x "$LABRUN" ] || cargo build --release --quiet
LABRUN=$(realpath "$LABRUN")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset REPLICATED_API_ORIGIN REPLICATED_API_TOKEN REPLICATED_APP
"$LABRUN" init "$TMP/lab" >/dev/null
mkdir "$TMP/bin"
for tool in agent fail-message curl; do ln -s "$LABRUN" "$TMP/bin/$tool"; done
REAL_CURL=$(command -v curl)
export PATH="$TMP/bin:$PATH" LABRUN_WORKSPACE="$TMP/lab" LABRUN_HOST=shell
agent variable set LEARNER_NAME ada

mean_ms() { # mean wall time of RUNS runs of "$@", in ms
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$RUNS"); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / $RUNS / 1000000" | bc
}
ratio() { echo "scale=2; $1 / $2" | bc; }
base=$(mean_ms bash -c true)
get=$(mean_ms agent variable get LEARNER_NAME)
set=$(mean_ms agent variable set COUNTER 1)
fail=$(mean_ms fail-message "a condition")
real=$(mean_ms "$REAL_CURL" --version)
wrapped=$(mean_ms curl --version)
echo "bash -c true:               $base ms"
echo "agent variable get:         $get ms  ($(ratio "$get" "$base")× bash -c true)"
echo "agent variable set:         $set ms  ($(ratio "$set" "$base")× bash -c true)"
echo "fail-message:               $fail ms  ($(ratio "$fail" "$base")× bash -c true)"
echo "curl --version (real):      $real ms"
echo "curl --version (wrapped):   $wrapped ms  ($(ratio "$wrapped" "$real")× the real curl)"
