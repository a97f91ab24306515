#!/usr/bin/env bash
# Prints the figures: wasm size raw/gzip/brotli, median page start →
# registered, INVITE → incoming and Answer() → connected, on loopback against
# a real Kamailio in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
runs=${RUNS:-15}
go test -run '^$' -bench . -benchtime "${runs}x" -count 1 ./tests/e2e | grep -E "Benchmark|median|→|ok|FAIL"
