#!/usr/bin/env bash
# `labrun test` on the 5-challenge shell-only fixture track (shell-basics),
# against what its scripts cost on their own, in one hyperfine run:
#   - `bash -c true` × N: N the scripts `labrun test` runs for that track;
#   - the same N under bubblewrap, when labrun uses it (host mode namespace),
#     since each script then starts in its own namespace;
#   - `labrun test --trust shell-basics`.
# labrun's own overhead per challenge = (labrun test − the scripts' floor) / 5.
#
# N = 19: the track's setup (1); 01: setup, check ×2 (must fail, must pass),
# solve (4); 02: setup, check ×2, solve, cleanup (5); 03 is a quiz (0);
# 04: setup, check ×2, solve, its declared step's solution, cleanup (6);
# 05: check ×2, solve (3).
#
#   benches/test_track.sh [PATH/TO/labrun]
set -euo pipefail
cd "$(dirname "$0")/.."
LABRUN=${1:-target/release/labrun}
RUNS=${RUNS:-20}
SCRIPTS=19
[ -x "$LABRUN" ] || cargo build --release --quiet
LABRUN=$(realpath "$LABRUN")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -a tests/fixtures/tracks/shell-basics "$WORK/"
cd "$WORK"
"$LABRUN" test --trust shell-basics >/dev/null || { echo "shell-basics does not pass" >&2; exit 1; }
loop="for i in \$(seq $SCRIPTS); do bash -c true; done"
commands=("bash -c '$loop'")
if [ "${LABRUN_HOST_MODE:-auto}" != rewrite ] && command -v bwrap >/dev/null \
  && bwrap --dev-bind / / true 2>/dev/null; then
  commands+=("bash -c 'for i in \$(seq $SCRIPTS); do bwrap --dev-bind / / bash -c true; done'")
fi
commands+=("$LABRUN test --trust shell-basics")
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs "$RUNS" "${commands[@]}"
  exit
fi
for command in "${commands[@]}"; do
  start=$(date +%s%N)
  for _ in $(seq "$RUNS"); do bash -c "$command" >/dev/null; done
  end=$(date +%s%N)
  echo "$command: $(( (end - start) / RUNS / 1000000 )) ms"
done
