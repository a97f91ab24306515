#!/usr/bin/env bash
# Try the SDK in one command: with Go and Node installed (Debian, macOS, …)
# it installs the npm dev tools and builds dist/ (scripts/setup.sh; the
# browsers and servers only the tests need are not installed), then starts
# the development SIP server — demo softphone, SIP over WebSocket,
# registrar, proxy and call bot on one loopback port — and prints the URL
# to open. Ctrl-C stops it.
# Arguments go to the server, e.g. `bash scripts/demo.sh -addr 127.0.0.1:9000 -open`
# (through npm: `npm run demo -- -addr 127.0.0.1:9000`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "Starting the development server (first start compiles it; Ctrl-C stops it)…"
exec go run ./cmd/devpbx "$@"
