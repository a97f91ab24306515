#!/usr/bin/env bash
# Builds dist/exotelsdk.wasm from Go and dist/exotelsdk.js (UMD) +
# dist/exotelsdk.mjs (ESM) around it, then prints the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
version=$(node -p "require('./package.json').version")
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w -X main.version=${version}" -o dist/exotelsdk.wasm ./wasm
node scripts/bundle-loader.js "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$version"
