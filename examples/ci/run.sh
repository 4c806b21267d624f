#!/usr/bin/env bash
# The one CI step: run the consumer's test under specmock, write the JUnit
# report, fail the build when the client breaks the contract.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
specmock=${SPECMOCK_BIN:-specmock}
out=${1:-$here/out}
mkdir -p "$out"
"$specmock" run --report-junit "$out/contract.xml" --report-json "$out/contract.json" -- "$here/contract-test.sh"
