#!/usr/bin/env bash
# Measures the lab screen as a learner's machine sees it, each figure next to
# a baseline taken in the same run:
#   1. shell-pane throughput: `seq 1 2000000` in labrun's pane vs a tmux pane of the same size;
#   2. idle CPU of an open lab over 10 s;
#   3. time to first frame; peak memory (RSS) with the shell open.
# Usage: bash benches/lab.sh   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
LABRUN="$PWD/target/release/labrun"
WORK=$(mktemp -d)
trap 'tmux -L labbench kill-server 2>/dev/null || true; sleep 0.5; rm -rf "$WORK"' EXIT
T="tmux -L labbench"
COLS=100 ROWS=30
N=2000000

ms_now() { date +%s%3N; }
wait_for_file() { for _ in $(seq 1 600); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "timed out: $1" >&2; exit 1; }
cmd() { echo "t0=\$(date +%s%N); seq 1 $N; t1=\$(date +%s%N); echo \$(( (t1-t0)/1000000 )) > $1"; }

# 1a. Baseline: a plain tmux pane of the same size as labrun's shell pane.
$T new-session -d -s base -x $((COLS/2 - 2)) -y $((ROWS - 5)) "bash --norc --noprofile"
sleep 0.5
$T send-keys -t base "$(cmd "$WORK/tmux.ms")" Enter
wait_for_file "$WORK/tmux.ms"

# 1b. labrun: the lab inside a tmux client of COLS×ROWS; the command runs in its shell pane.
mkdir "$WORK/ws"
$T new-session -d -s lab -x $COLS -y $ROWS -c "$WORK" "SHELL=/bin/bash $LABRUN start -w $WORK/ws; sleep 3600"
t_start=$(ms_now)
for _ in $(seq 1 300); do $T capture-pane -p -t lab | grep -q "Proxying Private Images" && break; sleep 0.02; done
first_frame=$(( $(ms_now) - t_start ))
sleep 1
$T send-keys -t lab "$(cmd "$WORK/labrun.ms")" Enter
wait_for_file "$WORK/labrun.ms"
sleep 1

# 2. Idle CPU over 10 s (utime+stime ticks of the labrun process), next to `sleep 10` as the floor.
pid=$(pgrep -f "^$LABRUN start -w $WORK/ws" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks "$pid"); sleep 10; after=$(ticks "$pid")
idle_pct=$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.2f", 100 * t / hz / 10 }')
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

tmux_ms=$(cat "$WORK/tmux.ms"); labrun_ms=$(cat "$WORK/labrun.ms")
echo "seq 1 $N through a ${COLS}x${ROWS} lab: labrun ${labrun_ms} ms, tmux ${tmux_ms} ms, ratio $(awk -v a="$labrun_ms" -v b="$tmux_ms" 'BEGIN { printf "%.2f", a / b }')"
echo "idle CPU over 10 s: ${idle_pct} % of a core"
echo "time to first frame (process start → lesson title on screen, via tmux polling): ${first_frame} ms"
echo "peak RSS with the shell open (after the flood): $((peak_kb / 1024)) MiB"
