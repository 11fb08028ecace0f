#!/usr/bin/env bash
# Crash test: residents keep answering going / not going (linli-load --scenario crash) while the
# server is killed with SIGKILL at random moments and restarted, CRASH_KILLS times (default 20; every
# fifth stop is a SIGTERM instead, to exercise graceful shutdown under load). Afterwards every
# answer the server acknowledged must be stored (linli-load reads each one back, also after every
# restart) and `linli check` must pass (SQLite integrity and foreign keys; seat counts, no overbooking,
# the waitlist moves). On SQLite and on a throwaway PostgreSQL.
#   CRASH_ENGINES="sqlite postgres" CRASH_KILLS=20 CRASH_CLIENTS=50 scripts/crash.sh
# Prints "crash <engine>: passed|failed" per engine; exit code 1 if any failed. Expects the release
# binaries (scripts/test.sh builds them; otherwise: cargo build --release -p server --bins).
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/linli ] && [ -x target/release/linli-load ] || cargo build --release -p server --bins || exit 1
kills=${CRASH_KILLS:-20}
clients=${CRASH_CLIENTS:-50}
dir=$(mktemp -d /tmp/linli-crash.XXXXXX)
mkdir -p "$dir/dist"
echo "<!doctype html><title>linli crash test</title>" > "$dir/dist/index.html"
pid="" load="" pg_dir=""
cleanup() {
  [ -n "$load" ] && kill "$load" 2>/dev/null
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir"
  rm -rf "$dir"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

serve() {
  ./target/release/linli --database-url "$url" serve --trust-proxy --listen "127.0.0.1:$port" --dist "$dir/dist" >>"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not come back; its log:"; tail -20 "$dir/server.log"; return 1
}

run_engine() {
  local engine=$1
  case $engine in
    sqlite) url="sqlite://$dir/crash.db" ;;
    postgres)
      eval "$(scripts/postgres.sh start)" || return 1
      pg_dir=$LINLI_PG_DIR
      url=$LINLI_TEST_POSTGRES_URL ;;
  esac
  rm -f "$dir/stop"
  ./target/release/linli --database-url "$url" demo >/dev/null || return 1
  serve || return 1
  LINLI_LOAD_PASSWORD=linli-demo-2026 ./target/release/linli-load --url "http://127.0.0.1:$port" \
    --scenario crash --clients "$clients" --capacity 20 --seconds 600 --stop-file "$dir/stop" --label "$engine" \
    >"$dir/load.out" 2>&1 &
  load=$!
  for _ in $(seq 1 300); do grep -q "^prepared" "$dir/load.out" && break; sleep 0.1; done
  grep -q "^prepared" "$dir/load.out" || { cat "$dir/load.out"; return 1; }
  local i signal
  for i in $(seq 1 "$kills"); do
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.3, 2.0), 2))')"
    if [ $((i % 5)) -eq 0 ]; then signal=TERM; else signal=KILL; fi
    kill -"$signal" "$pid"
    wait "$pid" 2>/dev/null
    serve || return 1
  done
  sleep 1
  touch "$dir/stop"
  wait "$load"
  local rc=$?
  load=""
  cat "$dir/load.out"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=""
  ./target/release/linli --database-url "$url" check || rc=1
  if [ -n "$pg_dir" ]; then scripts/postgres.sh stop "$pg_dir"; pg_dir=""; fi
  return $rc
}

status=0
for engine in ${CRASH_ENGINES:-sqlite postgres}; do
  echo "== crash test on $engine: $kills stops under load ($clients residents) =="
  if run_engine "$engine"; then echo "crash $engine: passed"; else echo "crash $engine: failed"; status=1; fi
done
exit $status
