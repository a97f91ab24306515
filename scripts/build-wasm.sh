#!/usr/bin/env bash
# Builds dist/exotelsdk.wasm from Go and dist/exotelsdk.js (UMD) +
# dist/exotelsdk.mjs (ESM) around it, then prints the sizes.
#
# The wasm build uses the module edits of scripts/wasm-overlay/manifest.txt
# (through a generated go.mod copy passed as -modfile): they drop sipgo's own
# transports and keep pion/ice (its agent, TLS/DTLS dialing, TURN, mDNS) out
# of pion/webrtc's js build, whose imports (crypto/tls, x509, net/http, gob,
# x/net) would add over 300 KB brotli of init-linked code the browser never
# runs, and make sipgo's transactions log without log/slog (whose
# default handler links encoding/json's encoder: about 75 KB brotli). The
# build stops if those edits do not match the module versions.
# Native builds and tests do not see them.
#
# Exact line numbers in stack traces: WASM_KEEP_LINES=1 (scripts/wasm-datapack).
# Size analysis: WASM_KEEP_NAMES=1 keeps the wasm "name" section (no -s), then
#   go run ./scripts/wasm-size dist/exotelsdk.wasm
# Extra go build flags can be tried through GOFLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
version=$(node -p "require('./package.json').version")
# The edited module copies live in scripts/wasm-overlay/.build during the build
# only (in the tree so that the build info names them by a relative path and
# the build stays reproducible).
trap 'rm -rf scripts/wasm-overlay/.build' EXIT
modfile=$(go run ./scripts/wasm-overlay ./wasm)
strip="-s -w"
if [ "${WASM_KEEP_NAMES:-}" = 1 ]; then strip="-w"; fi
# No inlining outside the Go runtime: about -60 KB brotli. A phone parses a
# few SIP messages a second, so the cost (SIP parsing about 1.2x, JSON about
# 1.5x slower, measured) does not show in any figure; the runtime (scheduler,
# GC, memory) keeps its inlining, which start-up does feel.
# The tag goes with the module edits: sdk/ code that calls an edited API
# (sdk/sipua/txlog_noslog.go) is selected by it.
# Removed first: go build leaves an output whose build ID is current as it is,
# and wasm-datapack below rewrites it in place (keeping the build ID).
rm -f dist/exotelsdk.wasm
if ! GOOS=js GOARCH=wasm go build -modfile="$modfile" -tags=sipgo_noslog -trimpath \
  -gcflags='all=-l' -gcflags='runtime=' \
  -ldflags="${strip} -X main.version=${version}" -o dist/exotelsdk.wasm ./wasm; then
  echo "build-wasm: the wasm build failed. If the error is about a sipgo" \
    "or pion/webrtc name, it may be one that scripts/wasm-overlay removes" \
    "from the wasm build (see its manifest.txt); native builds still have it." >&2
  exit 1
fi
# Go's linker cuts the data section at every run of 8 zero bytes (smallest raw
# file); joined, the file compresses better: about -87 KB brotli, -155 KB gzip.
# The function table's file and line tables, read only by stack traces, are
# compacted to each function's first line: about -70 KB brotli. For a stack
# trace from the field, WASM_KEEP_LINES=1 builds the same version with exact
# lines (same code, same +0x… offsets), and
#   go run ./scripts/wasm-datapack -where 'pkg.Func +0x1a' dist/exotelsdk.wasm
# on that build prints a frame's file:line.
keep_lines=""
if [ "${WASM_KEEP_LINES:-}" = 1 ]; then keep_lines="-keep-lines"; fi
go run ./scripts/wasm-datapack ${keep_lines} dist/exotelsdk.wasm
# Packages whose import alone links hundreds of KB (init functions and the
# crypto they reach); the overlay keeps them out: warn if something brings them back.
heavy=$(GOOS=js GOARCH=wasm go list -modfile="$modfile" -tags=sipgo_noslog -deps \
  -f '{{.ImportPath}}{{range .Imports}} {{.}}{{end}}' ./wasm |
  awk '{for (i = 2; i <= NF; i++) if ($i ~ /^(crypto\/tls|crypto\/x509|net\/http|encoding\/gob|log\/slog)$/) print "  " $i " <- " $1}')
if [ -n "$heavy" ]; then
  echo "build-wasm: WARNING: the wasm build links heavy packages (about +300 KB brotli):" >&2
  echo "$heavy" >&2
fi
node scripts/bundle-loader.js "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$version"
