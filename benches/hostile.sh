#!/usr/bin/env bash
# Repeats the hostile cases of issue 10 against the real binary and prints
# what happened, as figures:
#   - 20 parallel `labrun check` / `labrun hint` on one workspace → attempts / hints recorded
#   - two processes writing the workspace's Vendor API state at once
#     (`labrun sandbox` + `labrun solve`) → releases acknowledged vs stored
#   - 2000 idle sockets (half of them with an unfinished request head) against
#     a `labrun sandbox` limited to 1024 descriptors → a normal request's time,
#     against the same request without them
# Loopback only, bounded in count and time; needs python3 for the sockets.
#
#   benches/hostile.sh [PATH/TO/labrun]
set -euo pipefail
[ -n "${HOSTILE_DEBUG:-}" ] && set -x
cd "$(dirname "$0")/.."
LABRUN=${1:-target/release/labrun}
[ -x "$LABRUN" ] || cargo build --release --quiet
LABRUN=$(realpath "$LABRUN")
N=20
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
unset REPLICATED_API_ORIGIN REPLICATED_API_TOKEN REPLICATED_APP

progress_field() { # STEP FIELD: from `labrun progress --format json`
  "$LABRUN" progress -w "$WORK/lab" --format json |
    python3 -c "import json,sys; p=json.load(sys.stdin); print(next((s['$2'] for s in p['steps'] if s['id']=='$1'), 0))"
}

"$LABRUN" init "$WORK/lab" >/dev/null

# 1. Parallel checks and hints (a run that failed outright is reported too).
parallel() { # ARGS…: N runs of `labrun ARGS -w lab` at once; prints failures
  local i
  for i in $(seq $N); do
    ( rc=0; "$LABRUN" "$@" -w "$WORK/lab" >/dev/null 2>"$WORK/err.$i" || rc=$?; echo $rc >"$WORK/rc.$i" ) &
  done
  wait
  local failed
  failed=$(cat "$WORK"/rc.* | grep -cv '^[01]$' || true)
  [ "$failed" = 0 ] || echo "  ($failed runs failed: $(cat "$WORK"/err.* | sort -u | head -1))"
  rm -f "$WORK"/rc.* "$WORK"/err.*
}
parallel check
echo "$N parallel checks → $(progress_field bump-version attempts) attempts recorded"
parallel hint bump-version
echo "$N parallel hints  → $(progress_field bump-version hints_shown) hints recorded"

# 2. Two writers of the API state: `labrun sandbox` for another shell, and
#    `labrun solve` running the API in-process, at once.
for step in proxy-image bump-version pull-secret package; do
  "$LABRUN" solve -w "$WORK/lab" --step "$step" >/dev/null
done
"$LABRUN" sandbox -w "$WORK/lab" >"$WORK/sandbox.out" &
PIDS+=($!)
for _ in $(seq 200); do grep -q "export REPLICATED_APP=" "$WORK/sandbox.out" && break; sleep 0.05; done
eval "$(grep '^  export ' "$WORK/sandbox.out")"
export REPLICATED_API_ORIGIN REPLICATED_API_TOKEN REPLICATED_APP
acked=0
(
  for _ in $(seq 12); do
    "$LABRUN" replicated release create --chart "$WORK/lab/release/slackernews-0.5.0.tgz" | grep -c SEQUENCE || true
  done >"$WORK/burst.out"
) &
burst=$!
for _ in $(seq 3); do
  env -u REPLICATED_API_ORIGIN -u REPLICATED_API_TOKEN -u REPLICATED_APP \
    "$LABRUN" solve -w "$WORK/lab" --step promote >/dev/null && acked=$((acked + 1))
done
wait "$burst"
acked=$((acked + $(paste -sd+ "$WORK/burst.out" | bc)))
stored=$("$LABRUN" replicated release ls | tail -n +2 | awk '{print $1}')
count=$(echo "$stored" | grep -c .)
expected=$(seq 1 "$count" | sort -rn)
gapless=$([ "$stored" = "$expected" ] && echo yes || echo NO)
echo "two writers (labrun sandbox + labrun solve): $acked new releases acknowledged, $((count - 4)) stored, sequences 1–$count gapless: $gapless"
kill "${PIDS[@]}" 2>/dev/null || true
unset REPLICATED_API_ORIGIN REPLICATED_API_TOKEN REPLICATED_APP

# 3. Slow-loris against a sandbox with 1024 descriptors.
( ulimit -n 1024; exec "$LABRUN" sandbox --state "$WORK/loris.json" >"$WORK/loris.out" ) &
PIDS+=($!)
for _ in $(seq 200); do grep -q "export REPLICATED_APP=" "$WORK/loris.out" && break; sleep 0.05; done
eval "$(grep '^  export ' "$WORK/loris.out")"
python3 - "$REPLICATED_API_ORIGIN" "$REPLICATED_API_TOKEN" <<'PY'
import resource, socket, sys, time, urllib.request
origin, token = sys.argv[1], sys.argv[2]
host, port = origin.removeprefix("http://").rsplit(":", 1)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def timed_request():
    request = urllib.request.Request(origin + "/v3/apps", headers={"Authorization": token})
    start = time.perf_counter()
    try:
        with opener.open(request, timeout=30) as answer:
            answer.read()
            status = answer.status
    except Exception as e:  # a refused or timed-out request is the finding
        status = type(e).__name__
    return status, (time.perf_counter() - start) * 1000

timed_request()  # warm up
base = sorted(timed_request()[1] for _ in range(20))[10]
idle = []
for i in range(2000):
    try:
        s = socket.create_connection((host, int(port)), timeout=2)
    except OSError:
        break
    if i % 2 == 0:
        s.sendall(b"POST /v3/app/x/release HTTP/1.1\r\nHost: a\r\n")
    idle.append(s)
status, loaded = timed_request()
print(f"{len(idle)} idle sockets open: a normal request answered {status} in {loaded:.1f} ms "
      f"vs {base:.1f} ms without them ({loaded / base:.1f}×)")
PY
kill "${PIDS[@]}" 2>/dev/null || true

# 4. Special files where labrun expects a regular one: each command must
#    answer (not hang, not read forever) and say what is wrong.
"$LABRUN" init "$WORK/fifo" >/dev/null
special() { # WHAT PATH KIND COMMAND…: PATH replaced by a FIFO or /dev/zero, then COMMAND run
  local what=$1 path=$2 kind=$3 rc=0 start end out
  shift 3
  rm -rf "$path"
  if [ "$kind" = fifo ]; then mkfifo "$path"; else ln -s /dev/zero "$path"; fi
  start=$(date +%s%N)
  out=$(timeout 20 "$@" 2>&1) || rc=$?
  end=$(date +%s%N)
  [ "$rc" = 124 ] && out="HUNG (killed after 20 s)"
  printf '  %-34s exit %3s in %4d ms: %s\n' "$what" "$rc" $(((end - start) / 1000000)) \
    "$(echo "$out" | grep -m1 -oE '(not a regular file[^;]*|larger than [0-9]+ bytes|HUNG.*)' || echo "$out" | head -1)"
  rm -f "$path"
}
echo "special files (a FIFO or /dev/zero where a file belongs):"
cp "$WORK/fifo/slackernews/values.yaml" "$WORK/values.yaml"
special "values.yaml as a FIFO: check" "$WORK/fifo/slackernews/values.yaml" fifo "$LABRUN" check -w "$WORK/fifo" --step 1
special "values.yaml as /dev/zero: check" "$WORK/fifo/slackernews/values.yaml" zero "$LABRUN" check -w "$WORK/fifo" --step 1
cp "$WORK/values.yaml" "$WORK/fifo/slackernews/values.yaml"
special "progress.json as a FIFO: progress" "$WORK/fifo/.labrun/progress.json" fifo "$LABRUN" progress -w "$WORK/fifo"
special "progress.json as /dev/zero: hint" "$WORK/fifo/.labrun/progress.json" zero "$LABRUN" hint 1 -w "$WORK/fifo"
mkdir -p "$WORK/class"
special "a record as a FIFO: report" "$WORK/class/bob.json" fifo "$LABRUN" report "$WORK/class" "$WORK/fifo"
cp "$WORK/fifo/.labrun/workspace.json" "$WORK/workspace.json"
special "workspace.json as a FIFO: check" "$WORK/fifo/.labrun/workspace.json" fifo "$LABRUN" check -w "$WORK/fifo"

# 5. Escape sequences in the shell pane: the lab next to a tmux pane (needs tmux).
if command -v tmux >/dev/null; then
  echo "escape-sequence attacks in the shell pane (benches/escape.sh):"
  bash benches/escape.sh | sed 's/^/  /'
fi
