#!/usr/bin/env bash
# Runs every test: native Go tests of sdk/, the same tests compiled to wasm
# under Node, and the end-to-end tests in headless Chromium and Firefox ESR
# (tests/firefox) against a real Kamailio and a real far end. Installs and
# builds what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_BUDGET_STRICT=1 bash scripts/setup.sh test

echo "== format and vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted"; exit 1; fi
go vet ./...
GOOS=js GOARCH=wasm go vet ./jsbridge/... ./wasm/...

echo "== sdk and the development server (native, race detector)"
go test -race -count=1 ./sdk/... ./internal/... ./scripts/...

# The fuzz targets' corpora (testdata/fuzz: RFC 4475 and every input fuzzing
# has found) ran above as tests; the search itself is scripts/fuzz.sh.

echo "== sdk and jsbridge logic (compiled to wasm, run in Node, on the modules the wasm ships)"
# The same module edits as the wasm build (scripts/wasm-overlay: sipgo without
# its transports, pion without TLS dialing), so the code that ships is the code
# tested. The overlay tool stops the run if an upstream file has changed.
trap 'rm -rf scripts/wasm-overlay/.build-test' EXIT
modfile=$(go run ./scripts/wasm-overlay -out scripts/wasm-overlay/.build-test ./wasm ./sdk/... ./jsbridge/...)
GOOS=js GOARCH=wasm go test -modfile="$modfile" -tags=sipgo_noslog -count=1 -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./sdk/... ./jsbridge/...

echo "== end to end (Chromium, Firefox ESR, Kamailio, Go far end)"
go test -count=1 -p 1 -timeout 45m ./tests/...
