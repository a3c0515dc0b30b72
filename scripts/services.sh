# Sourced by scripts/test.sh: makes sure the servers the tests need are there,
# starting them, or installing them from Debian's packages, when they are not.
# Exports SWITCHBOARD_TEST_POSTGRES.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1; fi
}

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_up() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  if [ -n "${SWITCHBOARD_TEST_POSTGRES:-}" ]; then return 0; fi
  local trust="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
  local pw="postgres://postgres:switchboard-test@127.0.0.1:5432/postgres?sslmode=disable"
  command -v psql >/dev/null || apt_install postgresql-client || true
  for u in "$trust" "$pw"; do
    if pg_up "$u"; then export SWITCHBOARD_TEST_POSTGRES="$u"; return 0; fi
  done
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "PostgreSQL is not installed: installing it from Debian's packages" >&2
    apt_install postgresql || return 1
  fi
  local ver
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$ver" ]; then
    ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
    as_root pg_createcluster "$ver" main >/dev/null
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || true
  for _ in $(seq 1 30); do
    as_root su postgres -c "psql -Atqc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
  done
  # A fresh Debian cluster uses password authentication on 127.0.0.1.
  as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'switchboard-test'\"" >/dev/null
  for u in "$trust" "$pw"; do
    if pg_up "$u"; then export SWITCHBOARD_TEST_POSTGRES="$u"; return 0; fi
  done
  echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2
  return 1
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  echo "Chromium is not installed: installing it from Debian's packages" >&2
  apt_install chromium fonts-noto-cjk
}

ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then return 0; fi
  echo "Node.js is not installed: installing it from Debian's packages (browser tests only)" >&2
  apt_install nodejs npm
}
