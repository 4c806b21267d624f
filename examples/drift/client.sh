#!/usr/bin/env bash
# The consumer's own test, as `specmock run` runs it: one call of Axiom's
# regenerate operation, the way our client makes it (it never sends
# newTokenExpiresAt, and asks for the apiTokens "delete" capability).
set -euo pipefail
curl -fsS -X POST "$SPECMOCK_URL_AXIOM/tokens/ingest-1/regenerate" \
  -H 'Authorization: Bearer xaat-example' \
  -H 'Content-Type: application/json' \
  -d '{"existingTokenExpiresAt": "2026-03-08T12:00:00Z",
       "newToken": {"name": "ingest-production", "orgCapabilities": {"apiTokens": ["read", "delete"]}}}' \
  -o /dev/null
