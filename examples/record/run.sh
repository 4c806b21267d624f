#!/usr/bin/env bash
# Record real traffic through specmock, replay it offline, check it.
#   1. a local stand-in for the vendor (upstream.py), 2. specmock record in
#   front of it, 3. a client call, 4. replay with the upstream gone
#   (--fixtures-only), 5. fixtures check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
specmock=${SPECMOCK_BIN:-specmock}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

python3 "$here/upstream.py" > "$work/upstream.url" &
for _ in $(seq 1 100); do [ -s "$work/upstream.url" ] && break; sleep 0.1; done
upstream=$(cat "$work/upstream.url")

"$specmock" record --fixtures "$work/fixtures" --upstream "$upstream" --port 0 > "$work/recorder.url" 2> "$work/recorder.log" &
recorder_pid=$!
for _ in $(seq 1 100); do [ -s "$work/recorder.url" ] && break; sleep 0.1; done
recorder=$(cat "$work/recorder.url")

curl -fsS -X POST "$recorder/v2/tokens/ingest-token/regenerate" \
  -H 'Authorization: Bearer xaat-client-secret' -H 'Content-Type: application/json' \
  -d '{"existingTokenExpiresAt": "2030-01-08T00:00:00Z"}' > "$work/live.json"
kill "$recorder_pid"; wait "$recorder_pid" 2>/dev/null || true

echo "recorded:"; find "$work/fixtures" -name '*.json' | sed "s|$work/||"
if grep -rq -e xaat-live-secret -e live-cookie-secret -e xaat-client-secret "$work/fixtures"; then
  echo "a secret reached the disk" >&2; exit 1
fi

# Replay with the upstream stopped.
kill %1 2>/dev/null || true
"$specmock" serve --fixtures "$work/fixtures" --fixtures-only --port 0 > "$work/replay.url" 2> "$work/replay.log" &
replay_pid=$!
for _ in $(seq 1 100); do [ -s "$work/replay.url" ] && break; sleep 0.1; done
replay=$(cat "$work/replay.url")
curl -fsS -X POST "$replay/v2/tokens/ingest-token/regenerate" \
  -H 'Authorization: Bearer anything' -H 'Content-Type: application/json' \
  -d '{"existingTokenExpiresAt": "2030-01-08T00:00:00Z"}' > "$work/replayed.json"
kill "$replay_pid"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a["id"]==b["id"] and a["name"]==b["name"], (a,b); print("replayed:", b["id"], b["name"])' "$work/live.json" "$work/replayed.json"

"$specmock" fixtures check --fixtures "$work/fixtures"
