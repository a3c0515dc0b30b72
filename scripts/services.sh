# Sourced by scripts/test.sh: makes sure the servers the tests need are there,
# starting them, or installing them from Debian's packages, when they are not.
# Exports SWITCHBOARD_TEST_POSTGRES and SWITCHBOARD_TEST_NATS.

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

# nats_info prints the INFO line a NATS server sends on connect (empty when
# nothing answers on 127.0.0.1:$1 within two seconds).
nats_info() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$1"' && head -n1 <&3' 2>/dev/null || true
}

nats_js_up() { case "$(nats_info "$1")" in INFO*'"jetstream":true'*) return 0 ;; *) return 1 ;; esac; }

# ensure_nats uses the NATS server with JetStream on 127.0.0.1:4222, or
# starts one there (installing Debian's nats-server when missing). A server
# started here keeps running after the tests, as PostgreSQL does, so that
# the next run finds it; its store and log are under a temporary directory.
ensure_nats() {
  if [ -n "${SWITCHBOARD_TEST_NATS:-}" ]; then return 0; fi
  local port=4222 info bin dir pid
  info=$(nats_info "$port")
  case "$info" in
    INFO*'"jetstream":true'*)
      export SWITCHBOARD_TEST_NATS="nats://127.0.0.1:$port"; return 0 ;;
    INFO*)
      echo "a NATS server answers on 127.0.0.1:$port but without JetStream (start it with -js)" >&2; return 1 ;;
  esac
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "something that is not NATS listens on 127.0.0.1:$port" >&2; return 1
  fi
  bin=$(command -v nats-server || true)
  if [ -z "$bin" ] && [ -x /usr/sbin/nats-server ]; then bin=/usr/sbin/nats-server; fi
  if [ -z "$bin" ]; then
    echo "NATS is not installed: installing it from Debian's packages" >&2
    apt_install nats-server || return 1
    bin=$(command -v nats-server || echo /usr/sbin/nats-server)
    # The package may have started its own service meanwhile.
    for _ in $(seq 1 10); do
      if nats_js_up "$port"; then export SWITCHBOARD_TEST_NATS="nats://127.0.0.1:$port"; return 0; fi
      if [ -n "$(nats_info "$port")" ]; then break; fi
      sleep 0.2
    done
  fi
  [ -x "$bin" ] || { echo "nats-server not found after installing it" >&2; return 1; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-nats.XXXXXX") || return 1
  echo "starting NATS with JetStream on 127.0.0.1:$port (log: $dir/nats.log)" >&2
  # Its own session, and no inherited output: the server outlives this
  # script without holding its terminal or pipes open.
  setsid "$bin" -a 127.0.0.1 -p "$port" -js -sd "$dir/jetstream" -l "$dir/nats.log" \
    </dev/null >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    if nats_js_up "$port"; then export SWITCHBOARD_TEST_NATS="nats://127.0.0.1:$port"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "NATS did not come up on 127.0.0.1:$port; its log:" >&2
  cat "$dir/nats.log" >&2 2>/dev/null || true
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
