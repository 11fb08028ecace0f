#!/usr/bin/env bash
# Server load benchmark (not a test): 200 concurrent residents on loopback, each with its own session,
# against `linli serve` on SQLite and on a throwaway PostgreSQL, with the small demo district.
#   rsvp  — everyone answers going / not going in turn for one occurrence with 50 seats (LOAD_RSVP_SECONDS, 20)
#   mixed — 70 % reads (calendar, occurrence, me, upcoming) and 30 % RSVP changes (LOAD_MIXED_SECONDS, 60)
# linli-load checks afterwards that every acknowledged answer is stored and no seat is oversold, and
# exits non-zero on any failed request. Then an independent tool, wrk (Debian), reads the month
# calendar with 200 connections for LOAD_WRK_SECONDS (20) as a check on linli-load's read figures.
# Writes end2end/bench/results/server.md (BENCHMARKS.md includes it).
#   LOAD_ENGINES="sqlite postgres" LOAD_SCENARIOS="rsvp mixed" LOAD_CLIENTS=200 scripts/loadtest.sh
#   (LOAD_SCENARIOS="" runs only wrk's read)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
cargo build --release -p server --bins
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
fi
clients=${LOAD_CLIENTS:-200}
engines=${LOAD_ENGINES:-sqlite postgres}
dir=$(mktemp -d /tmp/linli-load.XXXXXX)
mkdir -p "$dir/dist" end2end/bench/results
echo "<!doctype html><title>linli-load</title>" > "$dir/dist/index.html"  # the API is what is measured
pid="" pg_dir=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir"
  rm -rf "$dir"
}
trap cleanup EXIT
json="$dir/figures.jsonl"
port=18195
status=0
for engine in $engines; do
  case $engine in
    sqlite) url="sqlite://$dir/load.db" ;;
    postgres)
      eval "$(scripts/postgres.sh start)"
      pg_dir=$LINLI_PG_DIR
      url=$LINLI_TEST_POSTGRES_URL ;;
    *) echo "unknown engine $engine" >&2; exit 2 ;;
  esac
  ./target/release/linli --database-url "$url" migrate >/dev/null
  ./target/release/linli --database-url "$url" demo >/dev/null
  ./target/release/linli --database-url "$url" serve --trust-proxy --listen "127.0.0.1:$port" --dist "$dir/dist" >"$dir/$engine.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  for scenario in ${LOAD_SCENARIOS-rsvp mixed}; do
    if [ "$scenario" = rsvp ]; then seconds=${LOAD_RSVP_SECONDS:-20}; else seconds=${LOAD_MIXED_SECONDS:-60}; fi
    LINLI_LOAD_PASSWORD=linli-demo-2026 ./target/release/linli-load --url "http://127.0.0.1:$port" \
      --scenario "$scenario" --clients "$clients" --seconds "$seconds" --label "$engine" --json "$json" || status=1
  done
  # wrk: POSTs the month calendar as one logged-in resident over 200 connections.
  cookie=$(curl -s -i -d 'username=jumin&password=linli-demo-2026' "http://127.0.0.1:$port/api/login" \
    | tr -d '\r' | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2; exit }')
  from=$(date -u +%Y-%m-01T00:00)
  to=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m-01T00:00)
  cat > "$dir/read.lua" <<LUA
wrk.method = "POST"
wrk.body = "from=$from&to=$to&category=&community="
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$cookie"
LUA
  wrk -t2 -c200 -d"${LOAD_WRK_SECONDS:-20}s" --latency -s "$dir/read.lua" "http://127.0.0.1:$port/api/events_calendar" > "$dir/wrk.txt" || status=1
  python3 - "$dir/wrk.txt" "$engine" "$json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s|m)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
requests = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", text).group(1))
seconds = ms(re.search(r"requests in ([\d.]+\w+)", text).group(1)) / 1000
errors = int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or [0, 0])[1])
errors += sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
fig = {"kind": "read", "requests": requests, "per_second": requests / seconds, "p50_ms": ms(pct["50"]), "p99_ms": ms(pct["99"]),
       "max_ms": ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text).group(1))}
open(sys.argv[3], "a").write(json.dumps({"label": sys.argv[2], "scenario": "month calendar (wrk)", "clients": 200, "seconds": seconds,
    "errors": errors, "unanswered": 0, "inconsistent": 0, "figures": [fig]}) + "\n")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
python3 - "$json" > end2end/bench/results/server.md <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| engine | scenario | clients | requests | errors | kind | per second | p50 ms | p99 ms | max ms |")
print("|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
for r in rows:
    for f in r["figures"]:
        print(f"| {r['label']} | {r['scenario']} | {r['clients']} | {f['requests']} | {r['errors'] + r['inconsistent']} | {f['kind']} "
              f"| {f['per_second']:.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {f['max_ms']:.1f} |")
PY
cat end2end/bench/results/server.md
exit $status
