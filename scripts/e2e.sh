#!/usr/bin/env bash
# Browser end-to-end tests: builds switchboard, then drives the system's
# Chromium with Playwright (node --test). Chromium and Node.js come from
# Debian's packages when missing; no browser is downloaded.
# Screenshots of the main pages are saved in e2e/artifacts/.
# Usage: bash scripts/e2e.sh [node --test options, e.g. --test-name-pattern=token]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

start=$(date +%s)
ensure_chromium
ensure_node
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "FAIL: the browser tests need Node.js 20 or newer (found $(node --version))" >&2
  exit 1
fi

# Install the locked packages again only when they are missing or the lock changed.
lock_sum=$(sha256sum e2e/package-lock.json | cut -d' ' -f1)
stamp=e2e/node_modules/.package-lock.sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "== npm ci (e2e)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$stamp"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== go build (for the browser tests)"
go build -o "$tmp/switchboard" ./cmd/switchboard

mkdir -p e2e/artifacts
rm -f e2e/artifacts/*.png
echo "== node --test ($(node --version), $(/usr/bin/chromium --version 2>/dev/null | head -1))"
cd e2e
SWITCHBOARD_BIN="$tmp/switchboard" node --test --test-concurrency=2 --test-timeout=60000 "$@" tests/*.test.mjs
echo "== browser tests passed in $(( $(date +%s) - start )) s; screenshots in e2e/artifacts/"
