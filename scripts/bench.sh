#!/usr/bin/env bash
# Prints the figures, this SDK and JsSIP side by side in one run, against a
# real Kamailio in headless Chromium (tests/e2e/bench*_test.go):
#   - the wasm size raw/gzip/brotli (from the build);
#   - page start → registered, cold (empty profile, no cache) and warm (third
#     load, files cacheable), on loopback and over a WAN emulated through the
#     DevTools protocol (40 ms, 20/5 Mbit/s), next to an empty Go program's
#     page start → main (the floor of any Go wasm), and this SDK's start-up phases;
#   - INVITE frame → incoming, Answer() → connected, and renderer RSS, JS heap,
#     Go heap and goroutines after 10 and after every quarter of BENCH_CALLS (200) calls,
#     and how much the renderer grew (BENCH_ONLY=exotelsdk or JsSIP runs one SDK;
#     BENCH_JS_FLAGS passes V8 flags, e.g. --no-wasm-lazy-compilation;
#     BENCH_RETURNING=n measures a returning user's page: n warm-up calls, then
#     a new tab of the same profile, its HTTP and code caches warm).
# RUNS (default 9) is the samples per start-up row. BENCH selects what runs
# (a -run pattern; default all: TestBenchStartup, TestBenchCalls,
# TestBenchSecondCall, TestBenchVideoAnswer).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
EXOTELSDK_BENCH=1 go test -run "${BENCH:-^TestBench}" -count 1 -p 1 -timeout 90m -v ./tests/e2e |
  grep -vE '^(=== RUN|=== PAUSE|=== CONT|PASS$)'
