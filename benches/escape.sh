#!/usr/bin/env bash
# Repeats the escape-sequence attacks on the lab's shell pane, as a learner
# would meet them, each next to a plain tmux pane of the same size as the
# baseline (a terminal that is robust to them):
#   1. `printf '\e[99999999@'` twelve times (insert 65 535 characters; once ~2 s
#      each in the pane): time until the shell's next line shows, then F1;
#   2. a flood of `ESC c` (full reset, the costliest per byte the pane still
#      parses): how long F1 waits while it pours in;
#   3. cursor-position queries never read, on a non-canonical terminal (once a
#      deadlock): does the command finish, does `q` quit.
# Every wait is bounded (60 s); a lab that does not answer is reported and killed.
# Usage: bash benches/escape.sh [OTHER_LABRUN]   (builds the release binary first;
#        OTHER_LABRUN, e.g. a build of an older commit, is measured too)
set -uo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q || exit 1
BINARIES=("$PWD/target/release/labrun")
[ $# -ge 1 ] && BINARIES+=("$(realpath "$1")")
WORK=$(mktemp -d)
T="tmux -L labescape$$"
trap '$T kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT
COLS=120 ROWS=40
LIMIT_MS=60000

ms_now() { date +%s%3N; }
# wait_until TARGET PATTERN: polls the pane for PATTERN; prints the time it took.
wait_until() {
    local start; start=$(ms_now)
    while ! $T capture-pane -p -t "$1" | grep -q -- "$2"; do
        if [ $(( $(ms_now) - start )) -gt $LIMIT_MS ]; then echo "no answer within $LIMIT_MS"; return 1; fi
        sleep 0.02
    done
    echo "$(( $(ms_now) - start ))"
}
wait_file() {
    local start; start=$(ms_now)
    while [ ! -e "$1" ]; do
        if [ $(( $(ms_now) - start )) -gt $LIMIT_MS ]; then echo "no answer within $LIMIT_MS"; return 1; fi
        sleep 0.05
    done
    echo "$(( $(ms_now) - start ))"
}
ATTACK="for i in 1 2 3 4 5 6 7 8 9 10 11 12; do printf '\\033[99999999@'; done; echo attack-\$((40+2))"
RIS_FLOOD="yes \"\$(printf '\\033c')\" | head -c 5000000"
dsr_flood() { echo "stty -icanon; yes \"\$(printf '\\033[6n')\" | head -n 200000; stty icanon; touch $1"; }

# Baseline: the same commands in a plain tmux pane of the lab's shell pane size.
$T new-session -d -s base -x $((COLS / 2 - 2)) -y $((ROWS - 5)) "sh"
sleep 0.5
$T send-keys -t base "$ATTACK" Enter
echo "tmux pane: 12 x CSI 99999999 @ → next line shown after $(wait_until base 'attack-42') ms"
$T send-keys -t base "$(dsr_flood "$WORK/base-queried")" Enter
echo "tmux pane: unread query flood on a non-canonical tty → finished after $(wait_file "$WORK/base-queried") ms"

n=0
for LABRUN in "${BINARIES[@]}"; do
    n=$((n + 1))
    mkdir -p "$WORK/$n"
    echo "== $LABRUN"
    # 1. The attack, then F1.
    $T new-session -d -s "lab$n" -x $COLS -y $ROWS -c "$WORK/$n" "SHELL=/bin/sh $LABRUN start; sleep 3600"
    wait_until "lab$n" "SHELL  Ctrl" >/dev/null
    pid=$(pgrep -f "^$LABRUN start" | head -1)
    $T send-keys -t "lab$n" "echo ready-\$((1+1))" Enter
    wait_until "lab$n" "ready-2" >/dev/null
    $T send-keys -t "lab$n" "$ATTACK" Enter
    echo "lab: 12 x CSI 99999999 @ → next line shown after $(wait_until "lab$n" 'attack-42') ms"
    $T send-keys -t "lab$n" C-] F1
    echo "lab: then Ctrl-] F1 → key list after $(wait_until "lab$n" '╭ Keys') ms"
    $T send-keys -t "lab$n" Escape
    sleep 0.3
    # 2. F1 while a reset flood pours in.
    $T send-keys -t "lab$n" Tab "$RIS_FLOOD; echo flooded-\$((40+2))" Enter
    sleep 1
    $T send-keys -t "lab$n" C-] F1
    echo "lab: Ctrl-] F1 during a flood of ESC c → key list after $(wait_until "lab$n" '╭ Keys') ms"
    $T send-keys -t "lab$n" Escape
    wait_until "lab$n" "flooded-42" >/dev/null
    # 3. Unread queries on a non-canonical tty.
    $T send-keys -t "lab$n" Tab "$(dsr_flood "$WORK/$n/queried")" Enter
    echo "lab: unread query flood on a non-canonical tty → finished after $(wait_file "$WORK/$n/queried") ms"
    $T send-keys -t "lab$n" C-]
    sleep 0.3
    $T send-keys -t "lab$n" q
    start=$(ms_now)
    while kill -0 "$pid" 2>/dev/null && [ $(( $(ms_now) - start )) -lt $LIMIT_MS ]; do sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "lab: still running $LIMIT_MS ms after q; killed"
        kill -KILL "$pid"
    else
        echo "lab: q → exited after $(( $(ms_now) - start )) ms"
    fi
done
