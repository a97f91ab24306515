#!/usr/bin/env bash
# Writes THIRD_PARTY_NOTICES: the licenses of everything dist/ contains
# besides this project's own code — Go's runtime, standard library and
# wasm_exec.js glue (in exotelsdk.wasm and exotelsdk.js), and every module the
# wasm links — read from GOROOT and the Go module cache. Run it after a
# dependency changes; tests/npm checks the file names each module.
set -euo pipefail
cd "$(dirname "$0")/.."
out=THIRD_PARTY_NOTICES
modcache=$(go env GOMODCACHE)
{
  echo "Third-party software in the exotelsdk-go package"
  echo "================================================="
  echo
  echo "dist/exotelsdk.wasm is compiled from this project's Go code and the modules below;"
  echo "dist/exotelsdk.js contains Go's wasm_exec.js. Their licenses follow."
  echo
  echo "-------------------------------------------------------------------------------"
  echo "Go $(go env GOVERSION | sed 's/^go//'): runtime, standard library and misc/wasm/wasm_exec.js"
  echo "https://go.dev"
  echo
  cat "$(go env GOROOT)/LICENSE"
  GOOS=js GOARCH=wasm go list -deps -f '{{if .Module}}{{if not .Module.Main}}{{.Module.Path}}@{{.Module.Version}}{{end}}{{end}}' ./wasm | sort -u |
  while read -r mod; do
    dir="$modcache/$(echo "$mod" | sed 's/[A-Z]/!\L&/g')"
    license=$(ls "$dir" | grep -E -i -m1 '^(licen[cs]e|copying)(\.md|\.txt)?$' || true)
    if [ -z "$license" ]; then echo "third-party-notices: no license file in $dir" >&2; exit 1; fi
    echo
    echo "-------------------------------------------------------------------------------"
    echo "$mod"
    echo
    cat "$dir/$license"
  done
} > "$out"
echo "wrote $out"
