#!/usr/bin/env bash
# `headcount export` of the webinar scenario (100,001 sessions) by two builds against one sim,
# alternating runs: wall time, user time and peak resident memory (GNU time), then the files
# compared byte for byte. With CALLGRIND=1, one run of each under callgrind instead
# (instructions, whole process).
#
#   scripts/export-speed.sh BEFORE_BIN AFTER_BIN [RUNS]     (default: 5)
set -euo pipefail
before=$1 after=$2 runs=${3:-5}
export STREAM_API_KEY=headcount-demo STREAM_API_SECRET=headcount-demo-secret
export HEADCOUNT_CONFIG=/nonexistent HEADCOUNT_TIMEOUT=120
port=3962
out=$(mktemp -d)
log=$out/sim.log
"$after" sim --listen "127.0.0.1:$port" --scenario webinar --rate-limit 0 >"$log" 2>&1 &
sim=$!
trap 'kill $sim; rm -rf "$out"' EXIT
for _ in $(seq 100); do grep -q '^call ' "$log" && break; sleep 0.1; done
read -r _ cid _ session _ sessions < <(grep '^call ' "$log")
echo "sim: $cid session $session, $sessions sessions"
if [ "${CALLGRIND:-0}" = 1 ]; then
  for which in before after; do
    bin=$before; [ $which = after ] && bin=$after
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$which" \
      "$bin" export "$cid" --session "$session" --base-url "http://127.0.0.1:$port" \
      -o "$out/$which.csv" 2>&1 | grep -E 'Collected' | sed "s/^/$which /"
  done
else
  for _ in $(seq "$runs"); do
    for which in before after; do
      bin=$before; [ $which = after ] && bin=$after
      /usr/bin/time -f "$which %e s wall, %U s user, %M KB" \
        "$bin" export "$cid" --session "$session" --base-url "http://127.0.0.1:$port" \
        -o "$out/$which.csv" 2>&1 | grep -v '^wrote'
    done
  done
fi
cmp "$out/before.csv" "$out/after.csv" && echo "the same bytes"
