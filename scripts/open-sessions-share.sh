#!/usr/bin/env bash
# The share of a live call's rows that are open, over the whole call: what an incremental live
# poll must read at least (the open sessions, `is_live: true`) beside a whole read, in pages of
# 100. Plays the call on a sim and pages its open sessions every 30 s of wall time until it
# ends; prints seconds, sessions (pages), open sessions (pages) and the pages' ratio.
#
#   scripts/open-sessions-share.sh [SCENARIO] [SPEED] [PORT]     (defaults: webinar 10 3091)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-webinar}" speed="${2:-10}" port="${3:-3091}"
cargo build --release --quiet
said=$(mktemp)
target/release/headcount sim --scenario "$scenario" --live --speed "$speed" --rate-limit 0 \
  --listen "127.0.0.1:$port" >"$said" &
sim=$!
trap 'kill "$sim"; rm -f "$said"' EXIT
sleep 2
# "call default:webinar-2026 session 61644a25-… sessions 56591"
read -r _ call _ session _ < <(grep '^call ' "$said")
python3 - "http://127.0.0.1:$port" "${call%%:*}" "${call#*:}" "$session" <<'PY'
import base64, hashlib, hmac, json, sys, time, urllib.parse, urllib.request

base, call_type, call_id, session = sys.argv[1:5]
key, secret = "headcount-demo", b"headcount-demo-secret"
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
signed = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(b'{"server":true}')
token = (signed + b"." + b64(hmac.new(secret, signed, hashlib.sha256).digest())).decode()
path = f"/api/v2/video/call/{call_type}/{call_id}/session/{session}/participant_sessions"

def pages(conditions):
    """Pages and rows of a whole read under `conditions`, the last total, and the end."""
    count, rows, cursor = 0, 0, None
    while True:
        query = {"api_key": key, "limit": 100, "filter_conditions": json.dumps(conditions)}
        if cursor:
            query["next"] = cursor
        request = urllib.request.Request(
            base + path + "?" + urllib.parse.urlencode(query),
            headers={"Authorization": token, "Stream-Auth-Type": "jwt"},
        )
        body = json.load(urllib.request.urlopen(request))
        count += 1
        rows += len(body["participants_sessions"])
        cursor = body.get("next")
        if not cursor:
            ended = (body.get("session") or {}).get("ended_at")
            return count, rows, body["total_participant_sessions"], ended

start = time.time()
while True:
    open_pages, open_rows, total, ended = pages({"is_live": {"$eq": True}})
    every = -(-total // 100)
    print(f"{time.time() - start:5.0f} s  {total} sessions ({every} pages)  "
          f"{open_rows} open ({open_pages} pages)  {100 * open_pages / every:.0f} %", flush=True)
    if ended:
        break
    time.sleep(30)
PY
