#!/usr/bin/env bash
# Requests per live poll over a whole call played live: the dashboard's polls without a server
# filter (the open sessions, then who left, read back by user id; the closed sessions when the
# counts then disagree; a whole read when they disagree at the start of a poll, when the open
# sessions are as many pages as every row, every 10th poll and at the end) beside a whole read
# at every poll, on one sim, side by side. Also prints where the requests went: pages of the
# open sessions, read back, of the closed sessions, and the whole reads by why they were made.
#
#   scripts/poll-requests.sh [SCENARIO] [SPEED] [INTERVAL_S]     (defaults: webinar 10 5)
#
# Takes the call's length divided by SPEED (the webinar: 115 minutes left at the start, so
# about 11.5 minutes at --speed 10). Prints one line per way of polling and their ratio; the
# issue's goal is at most 60 %.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench live_polls -- "${1:-webinar}" "${2:-10}" "${3:-5}"
