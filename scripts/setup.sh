#!/usr/bin/env bash
# Installs what the SDK needs on a Debian machine that has Go and Node, then
# builds dist/. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v kamailio >/dev/null || need+=(kamailio)
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so ] || need+=(kamailio-websocket-modules)
command -v turnserver >/dev/null || need+=(coturn)
# The production media path in the tests (not the demo): rtpengine in user
# space (--no-install-recommends leaves out its kernel module) and baresip,
# a plain SIP/UDP softphone.
command -v rtpengine >/dev/null || need+=(rtpengine-daemon)
command -v baresip >/dev/null || need+=(baresip-core)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]} from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The packages may start system services on the default ports; the tests
  # and the demo start their own on free loopback ports and do not need them.
  $sudo systemctl stop kamailio coturn rtpengine-daemon >/dev/null 2>&1 || true
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
go mod download
bash scripts/build-wasm.sh
