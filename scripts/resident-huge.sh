#!/usr/bin/env bash
# Loads the `huge` scenario (1,000,000 sessions, 806,962 users) into the dashboard and prints
# its resident memory once loaded (VmRSS) and its peak (VmHWM), from /proc/PID/status.
#
#   scripts/resident-huge.sh [PORT] [COLS] [ROWS]     (defaults: 3140 200 60)
#
# Needs a release build (`cargo build --release`) and tmux: the dashboard runs in a detached
# tmux window of COLS x ROWS. Prints the seconds to `done`, then resident and peak in MB
# (10^6 bytes) and bytes per session; leaves nothing running. `WRAP="heaptrack -o /tmp/h"`
# runs the dashboard under that command (its figures are then the wrapper's, not headcount's);
# the dashboard is then killed once measured and the wrapper given time to finish its record,
# so that what heaptrack calls leaked is what was resident at the end of loading.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-3140}
cols=${2:-200}
rows=${3:-60}
bin=$PWD/target/release/headcount
export STREAM_API_KEY=headcount-demo STREAM_API_SECRET=headcount-demo-secret
log=$(mktemp)
tmux_session=resident-huge-$port
"$bin" sim --scenario huge --rate-limit 0 --listen "127.0.0.1:$port" >"$log" &
sim=$!
trap 'tmux kill-session -t "$tmux_session" 2>/dev/null || true; kill $sim 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 600); do grep -q '^call ' "$log" && break; sleep 0.1; done
read -r _ cid _ session _ sessions < <(grep '^call ' "$log")
tmux new-session -d -s "$tmux_session" -x "$cols" -y "$rows" \
  "STREAM_API_KEY=$STREAM_API_KEY STREAM_API_SECRET=$STREAM_API_SECRET ${WRAP:-} $bin watch $cid \
   --session $session --tz UTC --base-url http://127.0.0.1:$port"
started=$(date +%s.%N)
pid=
for _ in $(seq 100); do
  pid=$(pgrep -n -f "^$bin watch $cid --session $session" || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
until tmux capture-pane -p -t "$tmux_session" | head -3 | grep -q ' done'; do sleep 1; done
loaded=$(echo "$(date +%s.%N) - $started" | bc -l)
sleep 5 # the last recomputation after the read ends
status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
rss=$(status VmRSS)
hwm=$(status VmHWM)
printf 'sessions %s, done after %.0f s\n' "$sessions" "$loaded"
printf 'resident %.0f MB (%.0f bytes a session), peak %.0f MB (%.2fx resident)\n' \
  "$(echo "$rss * 1024 / 1000000" | bc -l)" "$(echo "$rss * 1024 / $sessions" | bc -l)" \
  "$(echo "$hwm * 1024 / 1000000" | bc -l)" "$(echo "$hwm / $rss" | bc -l)"
if [ -n "${WRAP:-}" ]; then
  # SIGKILL frees nothing: the record ends with everything still held. The wrapper ends its
  # record when the dashboard is gone, and the tmux window closes with it.
  kill -KILL "$pid"
  for _ in $(seq 600); do tmux has-session -t "$tmux_session" 2>/dev/null || break; sleep 0.5; done
fi
