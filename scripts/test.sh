#!/usr/bin/env bash
# The whole test suite: go vet, every Go test on SQLite and on PostgreSQL,
# the cluster tests on NATS (both started or installed here when missing),
# and the browser tests.
# Usage: bash scripts/test.sh   (SKIP_BROWSER=1 to leave out the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

start=$(date +%s)
if ! ensure_postgres; then
  if [ "${CI:-}" = true ]; then echo "FAIL: PostgreSQL is required in CI" >&2; exit 1; fi
  echo "WARNING: no PostgreSQL: the store tests run on SQLite only" >&2
fi
if ! ensure_nats; then
  if [ "${CI:-}" = true ]; then echo "FAIL: NATS is required in CI" >&2; exit 1; fi
  echo "WARNING: no NATS server: the bus and cluster tests use one inside the test process" >&2
fi
echo "== go vet"
go vet ./...
echo "== go test (PostgreSQL: ${SWITCHBOARD_TEST_POSTGRES:+yes}, NATS: ${SWITCHBOARD_TEST_NATS:+yes})"
go test -count=1 -timeout 20m ./...
if [ "${SKIP_BROWSER:-}" != 1 ]; then
  echo "== browser tests"
  bash scripts/e2e.sh
fi
echo "== all tests passed in $(( $(date +%s) - start )) s"
