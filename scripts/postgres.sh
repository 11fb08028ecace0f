#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: `eval "$(scripts/postgres.sh start)"` prints the exports
# (LINLI_TEST_POSTGRES_URL, LINLI_PG_DIR); `scripts/postgres.sh stop DIR` stops it and removes DIR.
# It listens on a free loopback port only, runs as the unprivileged `postgres` user, and trusts
# local connections (it lives for one test run and holds nothing worth protecting).
set -euo pipefail

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  echo "PostgreSQL server binaries not found (run scripts/setup.sh)" >&2
  exit 1
}

case "${1:-}" in
  start)
    bin=$(pg_bin)
    dir=$(mktemp -d /tmp/linli-pg.XXXXXX)
    chmod 755 "$dir"
    runas=()
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; runas=(runuser -u postgres --); fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${runas[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=on" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "export LINLI_PG_DIR=$dir"
    echo "export LINLI_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?usage: postgres.sh stop DIR}
    bin=$(pg_bin)
    runas=()
    [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
    "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
