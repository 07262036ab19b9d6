#!/usr/bin/env bash
# Seconds from the dashboard's start to the end of its first whole read of a live call played
# by the sim, as the person at the terminal sees it: `headcount demo --live` runs in a tmux
# pane of 160x48, and the script watches the header's progress line until the first read has
# ended (the next poll is planned, or the call ended during the read: `done`).
#
#   scripts/first-read.sh [SCENARIO] [SPEED]            (defaults: webinar 10)
#   HEADCOUNT=path/to/headcount scripts/first-read.sh   (another build; default: this one's
#                                                        release build, built first)
#
# The time includes the in-process sim's start (generating the scenario).
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-webinar}
speed=${2:-10}
bin=${HEADCOUNT:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/headcount
fi
session="first-read-$$"
start=$(date +%s%N)
tmux new-session -d -s "$session" -x 160 -y 48 "$bin demo --scenario $scenario --live --speed $speed"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
while :; do
  progress=$(tmux capture-pane -p -t "$session" | sed -n 2p)
  if grep -Eq 'next poll in|polling…|polled |(^| )done( |$)' <<<"$progress"; then
    break
  fi
  sleep 0.1
done
end=$(date +%s%N)
echo "first read of $scenario at --speed $speed: $(( (end - start) / 1000000 )) ms"
echo "progress line then: $progress"
