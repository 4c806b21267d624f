#!/usr/bin/env bash
# A consumer's contract test: the calls our client makes, against whatever
# SPECMOCK_URL_* points at (specmock in CI, the vendor in production).
set -euo pipefail

# Unleash: move a token's expiry.
curl -fsS -X PUT "$SPECMOCK_URL_UNLEASH/api/admin/api-tokens/ci-token" \
  -H "Authorization: ${UNLEASH_TOKEN:-*:*.ci}" \
  -H 'Content-Type: application/json' \
  -d '{"expiresAt": "2030-01-01T00:00:00Z"}' >/dev/null

# Axiom: regenerate a token with a week of overlap.
curl -fsS -X POST "$SPECMOCK_URL_AXIOM/tokens/ingest-token/regenerate" \
  -H "Authorization: Bearer ${AXIOM_TOKEN:-xaat-ci}" \
  -H 'Content-Type: application/json' \
  -d '{"existingTokenExpiresAt": "2030-01-08T00:00:00Z", "newToken": {"name": "ingest"}}' >/dev/null

# Adafruit IO: create a token the way the Adafruit clients do (form-encoded).
curl -fsS -X POST "$SPECMOCK_URL_ADAFRUIT_IO/alice/tokens" \
  -H "X-AIO-Key: ${AIO_KEY:-aio_ci}" \
  --data-urlencode 'token=ci' >/dev/null

echo "contract test: 3 calls made"
