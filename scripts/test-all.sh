#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what the tests need, then
# lint -> type-check -> unit tests -> browser bundle -> e2e tests in real Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v unshare >/dev/null || need+=(util-linux)
command -v ip >/dev/null || need+=(iproute2)
command -v turnserver >/dev/null || need+=(coturn)
command -v redis-server >/dev/null || need+=(redis-server)
command -v python3 >/dev/null || need+=(python3)
command -v nsenter >/dev/null || need+=(util-linux)
command -v tc >/dev/null || need+=(iproute2)
command -v iptables >/dev/null || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== npm ci"
npm ci --no-audit --no-fund
echo "== lint"
npm run -s lint
echo "== type-check"
npm run -s typecheck
echo "== unit tests"
npm run -s test:unit
echo "== browser bundle"
npm run -s build:web
echo "== e2e tests (headless Chromium, loopback-only network namespace)"
npm run -s test:e2e
