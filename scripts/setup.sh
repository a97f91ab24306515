#!/usr/bin/env bash
# Gets a checkout ready, then builds dist/. Safe to run again: it skips what
# is already there.
#
#   bash scripts/setup.sh          the demo: only Go, Node and the npm dev
#                                  tools (npm run demo; works on macOS too)
#   bash scripts/setup.sh test     also the browsers and servers the tests run,
#                                  from Debian with apt (npm test)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}

for tool in go node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "setup: $tool is missing: install Go (https://go.dev/dl/) and Node.js (https://nodejs.org/)" >&2
    exit 1
  fi
done

# test_packages are the Debian packages the tests need, each with the file
# that shows it is installed. Add a line to add a package.
test_packages=(
  "chromium                   /usr/bin/chromium"
  "firefox-esr                /usr/bin/firefox-esr"
  "kamailio                   /usr/sbin/kamailio"
  "kamailio-websocket-modules /usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so"
  "coturn                     /usr/bin/turnserver"
  # The production media path: rtpengine in user space (--no-install-recommends
  # leaves out its kernel module) and baresip, a plain SIP/UDP softphone.
  "rtpengine-daemon           /usr/bin/rtpengine"
  "baresip-core               /usr/bin/baresip"
)

if [ "$mode" = test ]; then
  need=()
  for entry in "${test_packages[@]}"; do
    read -r package file <<<"$entry"
    [ -e "$file" ] || need+=("$package")
  done
  if [ ${#need[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
      echo "setup: the tests need ${need[*]} (Debian packages); install them, or run the tests on Debian" >&2
      exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing ${need[*]} from Debian"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # The packages may start system services on the default ports; the tests
    # start their own on free loopback ports and do not need them.
    $sudo systemctl stop kamailio coturn rtpengine-daemon >/dev/null 2>&1 || true
  fi
elif [ "$mode" != demo ]; then
  echo "usage: bash scripts/setup.sh [demo|test]" >&2
  exit 2
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
go mod download
bash scripts/build-wasm.sh
