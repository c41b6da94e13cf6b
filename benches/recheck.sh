#!/usr/bin/env bash
# How long after a save a step turns green: a learner's file write → ✓ on
# the lab's screen, median (and min/max) over N saves, read through tmux.
#
# In the same run, next to it:
#   floor   a marker written to a program that prints it at once (cat on
#           a FIFO) in a tmux pane of the same size: terminal → tmux → this
#           script's polling, the least any screen takes measured this way;
#   before  (with LABRUN_BEFORE=/path/to/labrun) an older build of labrun.
#
# Each save rewrites values.yaml in place (cp: open, write, close, as most
# editors save) or replaces it (write a temp file, rename, as sed -i does),
# alternately; between saves the file is broken again and the ✗ awaited.
#
# Usage: bash benches/recheck.sh [N]        (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
N=${1:-20}
AFTER="$PWD/target/release/labrun"
BEFORE=${LABRUN_BEFORE:-}
WORK=$(mktemp -d)
T="tmux -L recheck"
trap '$T kill-server 2>/dev/null || true; sleep 0.3; rm -rf "$WORK"' EXIT

now_us() { echo $(( $(date +%s%N) / 1000 )); }

# Polls the pane until its text matches $2 (a grep -E pattern); 10 s at most.
wait_screen() {
    local deadline=$(( $(now_us) + 10000000 ))
    until $T capture-pane -p -t "$1" | grep -qE "$2"; do
        if [ "$(now_us)" -gt "$deadline" ]; then
            echo "timed out waiting for /$2/ in $1:" >&2
            $T capture-pane -p -t "$1" >&2
            exit 1
        fi
    done
}

median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f–%.1f", lo / 1000, hi / 1000 }'; }

# The floor: what a program shows the moment it reads it.
mkfifo "$WORK/floor.fifo"
$T new-session -d -s floor -x 120 -y 40 "while :; do cat $WORK/floor.fifo; done"
sleep 0.5
for i in $(seq 1 "$N"); do
    t0=$(now_us)
    echo "mark-$i-done" > "$WORK/floor.fifo"
    wait_screen floor "mark-$i-done"
    echo $(( $(now_us) - t0 ))
done > "$WORK/floor.us"

# One lab: save the fix N times, each time from a broken file.
measure_lab() { # $1 name, $2 binary
    local ws="$WORK/$1"
    "$2" init "$ws" > /dev/null
    local app
    app=$(sed -n 's/.*"REPLICATED_APP": *"\([^"]*\)".*/\1/p' "$ws/.labrun/workspace.json" | head -1)
    local values="$ws/slackernews/values.yaml"
    cp "$values" "$WORK/$1.broken"
    sed "s|repository: ghcr.io/slackernews/slackernews-web|repository: proxy.replicated.com/proxy/$app/ghcr.io/slackernews/slackernews-web|" \
        "$values" > "$WORK/$1.fixed"
    $T new-session -d -s "$1" -x 120 -y 40 -c "$WORK" "SHELL=/bin/sh $2 start -w $ws"
    wait_screen "$1" "✗ 1 Pull"
    for i in $(seq 1 "$N"); do
        t0=$(now_us)
        if [ $((i % 2)) -eq 0 ]; then
            cp "$WORK/$1.fixed" "$values"
        else
            cp "$WORK/$1.fixed" "$values.tmp" && mv "$values.tmp" "$values"
        fi
        wait_screen "$1" "✓ 1 Pull"
        echo $(( $(now_us) - t0 ))
        cp "$WORK/$1.broken" "$values"
        wait_screen "$1" "✗ 1 Pull"
    done > "$WORK/$1.us"
    $T kill-session -t "$1"
}

measure_lab after "$AFTER"
[ -n "$BEFORE" ] && measure_lab before "$BEFORE"

floor=$(median < "$WORK/floor.us")
after=$(median < "$WORK/after.us")
echo "save → ✓ on screen, median of $N (min–max), ms:"
echo "  floor (cat in tmux):     $floor ($(minmax < "$WORK/floor.us"))"
echo "  labrun:                   $after ($(minmax < "$WORK/after.us"))   $(awk -v a="$after" -v f="$floor" 'BEGIN { printf "%.1f× the floor", a / f }')"
if [ -n "$BEFORE" ]; then
    before=$(median < "$WORK/before.us")
    echo "  labrun before:            $before ($(minmax < "$WORK/before.us"))   $(awk -v a="$before" -v f="$floor" 'BEGIN { printf "%.1f× the floor", a / f }')"
    echo "  after / before:           $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a / b }')"
fi
