#!/usr/bin/env bash
# The shell pane's prompt with labrun's bash rc file (history written and
# prompt marks printed at every prompt, a re-check after each command)
# against the same lab without it, in the same run:
#   1. prompt latency: Enter on `true` → the next prompt on the lab's screen,
#      median over N commands, the two labs side by side, commands alternated;
#   2. idle CPU over 10 s of each lab (labrun and its shell), after that;
#   3. the prompt latency of bash alone (no lab), with the rc file the lab
#      wrote and without (the rc's own cost, hidden in the lab by its frames).
# "without" is the lab as it was before the rc file: bash started under a
# name labrun does not integrate with (a wrapper that execs /bin/bash), so
# it reads the learner's ~/.bashrc alone. Both read the same ~/.bashrc,
# whose PROMPT_COMMAND makes each prompt eight times a letter, the next
# letter each time (AAAAAAAA>, BBBBBBBB>, …), on a cleared screen: every
# cell of it changes and nothing scrolls, so the lab redraws it whole, once,
# and the driver sees it in the lab's output.
# Needs python3 (the PTY driver).
#
# Usage: bash benches/prompt.sh [N]     (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
N=${1:-100}
LABRUN="$PWD/target/release/labrun"
WORK=$(mktemp -d)
trap 'sleep 0.3; rm -rf "$WORK"' EXIT
unset REPLICATED_API_ORIGIN REPLICATED_API_TOKEN REPLICATED_APP

mkdir -p "$WORK/home" "$WORK/with" "$WORK/without"
cat >"$WORK/home/.bashrc" <<'RC'
__letters=({A..Z}); __prompts=0
PROMPT_COMMAND='__l=${__letters[__prompts++ % 26]}; PS1="\[\e[H\e[2J\]$__l$__l$__l$__l$__l$__l$__l$__l> "'
RC
printf '#!/bin/sh\nexec /bin/bash "$@"\n' >"$WORK/with/bash"
printf '#!/bin/sh\nexec /bin/bash "$@"\n' >"$WORK/without/plainbash"
chmod +x "$WORK/with/bash" "$WORK/without/plainbash"

python3 - "$LABRUN" "$WORK" "$N" <<'EOF'
import fcntl, os, pty, select, statistics, struct, sys, termios, time

labrun, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

class Lab:
    """`argv` in a 40×140 PTY; `labrun start` when argv is None."""
    def __init__(self, name, shell, argv=None):
        self.name, self.out = name, b""
        ws = os.path.join(work, "ws-" + name)
        env = dict(os.environ, HOME=os.path.join(work, "home"), SHELL=shell, TERM="xterm-256color")
        argv = argv or [labrun, "start", "-w", ws]
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(work)
            os.execve(argv[0], argv, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
        self.pid, self.fd = pid, fd

    def read_until(self, needle, timeout=30):
        deadline = time.monotonic() + timeout
        while needle not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                sys.exit(f"{self.name}: no {needle!r} within {timeout} s; output ends {self.out[-300:]!r}")
            if select.select([self.fd], [], [], left)[0]:
                self.out += os.read(self.fd, 65536)
        self.out = self.out[self.out.index(needle) + len(needle):]

    def ticks(self):
        """utime+stime of labrun and its children (the shell), in clock ticks."""
        total = 0
        pids = [self.pid]
        for task in os.listdir(f"/proc/{self.pid}/task"):
            with open(f"/proc/{self.pid}/task/{task}/children") as f:
                pids += [int(p) for p in f.read().split()]
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except FileNotFoundError:
                pass
        return total

def prompt(k):
    return bytes([65 + k % 26]) * 8

def latencies(labs, title):
    for lab in labs:
        lab.prompt = 0
        lab.read_until(prompt(0))
    times = {lab.name: [] for lab in labs}
    for i in range(n):
        for lab in (labs if i % 2 == 0 else labs[::-1]):
            start = time.monotonic()
            os.write(lab.fd, b"true\r")
            lab.prompt += 1
            lab.read_until(prompt(lab.prompt))
            times[lab.name].append(time.monotonic() - start)
    median = {name: statistics.median(t) * 1000 for name, t in times.items()}
    print(f"{title}, median of {n}:")
    for name in ("with", "without"):
        t = sorted(times[name])
        print(f"  {name:8} the rc file: {median[name]:.2f} ms (min {t[0]*1000:.2f}, p90 {t[int(len(t)*0.9)]*1000:.2f})")
    print(f"  ratio with/without: {median['with'] / median['without']:.2f}")

labs = [Lab("with", os.path.join(work, "with", "bash")),
        Lab("without", os.path.join(work, "without", "plainbash"))]
for lab in labs:
    lab.read_until(b"Proxying Private Images")
latencies(labs, "prompt latency in the lab (Enter on `true` → the next prompt on its screen)")

time.sleep(1)
hz = os.sysconf("SC_CLK_TCK")
before = [lab.ticks() for lab in labs]
time.sleep(10)
after = [lab.ticks() for lab in labs]
for lab, b, a in zip(labs, before, after):
    print(f"idle CPU over 10 s, {lab.name} the rc file (labrun + its shell): {100 * (a - b) / hz / 10:.2f} % of a core")
for lab in labs:
    os.kill(lab.pid, 15)
    os.waitpid(lab.pid, 0)

# The shell alone, without the lab's frames: the rc file the lab wrote
# against the learner's ~/.bashrc by itself.
rc = os.path.join(work, "ws-with", ".labrun", "shell", "bashrc")
shells = [Lab("with", "/bin/bash", ["/bin/bash", "--rcfile", rc]),
          Lab("without", "/bin/bash", ["/bin/bash"])]
latencies(shells, "prompt latency of bash alone in a PTY (Enter on `true` → the next prompt)")
for shell in shells:
    os.kill(shell.pid, 9)
    os.waitpid(shell.pid, 0)
EOF
