#!/usr/bin/env bash
# Reads a whole call session over a simulated internet round trip: headcount's `totals` beside
# Stream's official Node SDK running the documented paging loop, alternating runs.
#
#   scripts/paging-latency.sh [LATENCY_MS] [RUNS] [SCENARIO]     (defaults: 20 3 webinar)
#
# Needs a release build (`cargo build --release`) and the Node SDK installed in tests/sdk
# (`npm ci --prefix tests/sdk`, as the SDK tests do on first run). Prints one line per run:
# who, seconds, pages. The issue's floor for 1,001 pages at 20 ms: 1.05 × 1,001 × 20 ms + 0.5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
latency=${1:-20}
runs=${2:-3}
scenario=${3:-webinar}
bin=target/release/headcount
port=3939
export STREAM_API_KEY=headcount-demo STREAM_API_SECRET=headcount-demo-secret

log=$(mktemp)
"$bin" sim --listen "127.0.0.1:$port" --scenario "$scenario" --rate-limit 0 \
  --latency "$latency" >"$log" &
sim=$!
trap 'kill $sim 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '^call ' "$log" && break; sleep 0.1; done
read -r _ cid _ session _ sessions < <(grep '^call ' "$log")
echo "sim: $cid session $session, $sessions sessions, latency ${latency} ms"

node_loop=$(cat <<'JS'
import { StreamClient } from '@stream-io/node-sdk';
const [url, cid, session] = process.argv.slice(1);
const [type, id] = cid.split(':');
const call = new StreamClient('headcount-demo', 'headcount-demo-secret', { basePath: url })
  .video.call(type, id);
let next, pages = 0, rows = 0;
const started = performance.now();
do {
  const page = await call.queryCallParticipantSessions({ session, limit: 100, next });
  rows += page.participants_sessions.length; pages += 1; next = page.next;
} while (next);
console.log(`node-sdk ${((performance.now() - started) / 1000).toFixed(2)} s ${pages} pages ${rows} rows`);
JS
)
for run in $(seq "$runs"); do
  started=$(date +%s.%N)
  "$bin" totals "$cid" --session "$session" --base-url "http://127.0.0.1:$port" \
    --format json >/dev/null
  echo "headcount $(echo "$(date +%s.%N) - $started" | bc -l | xargs printf '%.2f') s (run $run)"
  (cd tests/sdk && node --input-type=module -e "$node_loop" "http://127.0.0.1:$port" "$cid" "$session")
done
