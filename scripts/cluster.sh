#!/usr/bin/env bash
# Several `linli serve` on one PostgreSQL (issue 22), as a test: CLUSTER_SERVERS (3) processes on a
# throwaway PostgreSQL with the demo district, then linli-load through all of them at once:
#   1. 200 residents (CLUSTER_CLIENTS) registered on the first server answer through the others
#      (a session made on one server is good on all) for one occurrence with 50 seats: no seat
#      over-given, the waitlist in order, every acknowledged answer stored; and a grid edit saved
#      through the first server, sent again at its old version through the second, is refused (409);
#   2. the same over 50 occurrences;
#   3. one server killed (SIGKILL) mid-load and started again: its residents wait and go on, and no
#      acknowledged answer is lost (linli-load's crash scenario reads each back).
# Prints "cluster <check>: passed|failed" per check; exit code 1 if any failed. Expects the release
# binaries (scripts/test.sh builds them; otherwise: cargo build --release -p server --bins).
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/linli ] && [ -x target/release/linli-load ] || cargo build --release -p server --bins || exit 1
servers=${CLUSTER_SERVERS:-3}
seconds=${CLUSTER_SECONDS:-8}
clients=${CLUSTER_CLIENTS:-200}
dir=$(mktemp -d /tmp/linli-cluster.XXXXXX)
mkdir -p "$dir/dist"
echo "<!doctype html><title>linli cluster test</title>" > "$dir/dist/index.html"
pg_dir=""
cleanup() {
  for f in "$dir"/pid.*; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
  [ -n "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir"
  rm -rf "$dir"
}
trap cleanup EXIT
eval "$(scripts/postgres.sh start)" || { echo "cluster postgres: failed"; exit 1; }
pg_dir=$LINLI_PG_DIR
url=$LINLI_TEST_POSTGRES_URL
./target/release/linli --database-url "$url" migrate >/dev/null || exit 1
./target/release/linli --database-url "$url" demo >/dev/null || exit 1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
for i in $(seq 0 $((servers - 1))); do ports[$i]=$(free_port); done

# Starts server $1 and waits until it answers.
start() {
  local i=$1 port=${ports[$1]}
  ./target/release/linli --database-url "$url" serve --trust-proxy --listen "127.0.0.1:$port" --dist "$dir/dist" >>"$dir/server$i.log" 2>&1 &
  echo $! > "$dir/pid.$i"
  disown $!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server $i did not start; its log:"; tail -20 "$dir/server$i.log"; return 1
}
urls=""
for i in $(seq 0 $((servers - 1))); do
  start "$i" || exit 1
  urls="$urls${urls:+,}http://127.0.0.1:${ports[$i]}"
done

status=0
check() {
  local name=$1; shift
  if "$@"; then echo "cluster $name: passed"; else echo "cluster $name: failed"; status=1; fi
}
load() { LINLI_LOAD_PASSWORD=linli-demo-2026 ./target/release/linli-load --url "$urls" --seconds "$seconds" "$@"; }

check "$servers servers, one occurrence" load --scenario rsvp --clients "$clients"
check "$servers servers, 50 occurrences" load --scenario rsvp --clients "$clients" --occurrences 50
# The second server goes down hard halfway and comes back a second later.
(
  sleep $((seconds / 2))
  kill -9 "$(cat "$dir/pid.1")"
  sleep 1
  start 1 >/dev/null
) &
killer=$!
check "a server killed mid-load" load --scenario crash --clients 50
wait "$killer"
exit $status
