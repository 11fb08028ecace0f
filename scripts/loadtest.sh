#!/usr/bin/env bash
# Server load benchmark (not a test): 200 concurrent residents on loopback, each with its own session,
# against `linli serve` on SQLite and on a throwaway PostgreSQL, with the small demo district.
# First, in the same run, the engine itself (linli-raw, no HTTP): the RSVP transaction one per
# commit from one task, and from 200 tasks through `Db::write` (group commit on SQLite) — the
# baseline the server's figures are a share of (LOAD_RAW_SECONDS, 10).
#   rsvp  — everyone answers going / not going in turn for one occurrence with 50 seats (LOAD_RSVP_SECONDS, 20)
#   rsvp50 — the same spread over 50 occurrences (a daily series); on PostgreSQL also through 2 and
#            3 `linli serve` processes sharing the database (LOAD_SERVERS, "1 2 3")
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
pid="" more="" pg_dir=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  for p in $more; do kill "$p" 2>/dev/null; done
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
  ./target/release/linli-raw --database-url "$url" --clients "$clients" --seconds "${LOAD_RAW_SECONDS:-10}" \
    --label "$engine" --json "$json" || status=1
  ./target/release/linli --database-url "$url" serve --trust-proxy --listen "127.0.0.1:$port" --dist "$dir/dist" >"$dir/$engine.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  for scenario in ${LOAD_SCENARIOS-rsvp rsvp50 mixed}; do
    case $scenario in
      rsvp|rsvp50) seconds=${LOAD_RSVP_SECONDS:-20} ;;
      *) seconds=${LOAD_MIXED_SECONDS:-60} ;;
    esac
    occurrences=1 counts=1 run=$scenario
    if [ "$scenario" = rsvp50 ]; then
      occurrences=50 run=rsvp
      # Several servers share PostgreSQL; SQLite is one machine's engine.
      [ "$engine" = postgres ] && counts=${LOAD_SERVERS:-1 2 3}
    fi
    for n in $counts; do
      urls="http://127.0.0.1:$port"
      for k in $(seq 2 "$n"); do
        p=$((port + k - 1))
        ./target/release/linli --database-url "$url" serve --trust-proxy --listen "127.0.0.1:$p" --dist "$dir/dist" >>"$dir/$engine.log" 2>&1 &
        more="$more $!"
        for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.2; done
        urls="$urls,http://127.0.0.1:$p"
      done
      LINLI_LOAD_PASSWORD=linli-demo-2026 ./target/release/linli-load --url "$urls" --occurrences "$occurrences" \
        --scenario "$run" --clients "$clients" --seconds "$seconds" --label "$engine" --json "$json" || status=1
      for p in $more; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
      more=""
    done
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
print("| engine | scenario | servers | occurrences | clients | requests | errors | kind | per second | p50 ms | p99 ms | max ms |")
print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
for r in rows:
    servers = r.get("servers", "—" if r["scenario"].startswith("raw") else 1)
    for f in r["figures"]:
        print(f"| {r['label']} | {r['scenario']} | {servers} | {r.get('occurrences', 1)} | {r['clients']} | {f['requests']} "
              f"| {r['errors'] + r['inconsistent']} | {f['kind']} "
              f"| {f['per_second']:.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {f['max_ms']:.1f} |")
# The same run's ratio: Linli through HTTP (one occurrence, one server) against the engine alone.
print()
for engine in dict.fromkeys(r["label"] for r in rows):
    def rate(scenario, **kw):
        for r in rows:
            if r["label"] == engine and r["scenario"] == scenario and all(r.get(k, 1) == v for k, v in kw.items()):
                return next(f["per_second"] for f in r["figures"] if f["kind"] == "rsvp")
    raw, grouped, http = rate("raw, one per commit"), rate("raw, group commit"), rate("rsvp", occurrences=1, servers=1)
    if raw and http:
        print(f"- {engine}: through HTTP {http:.0f} RSVPs/s = {http / raw:.2f} × the engine one per commit "
              f"({raw:.0f}/s)" + (f", {http / grouped:.2f} × the engine with group commit ({grouped:.0f}/s)" if grouped else "") + ".")
PY
cat end2end/bench/results/server.md
exit $status
