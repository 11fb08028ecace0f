#!/usr/bin/env bash
# Benchmarks (not tests): builds the release app, loads the medium and large demo districts (564 and
# 1,206 level-3 grids, densified to about 140 vertices each; ~11,400 party units), and measures the grid map against
# Leaflet, OpenLayers and Leaflet-Geoman, the organisation tree editor and the month view with 5,000 events in one headless Chromium run,
# then the server under 200 concurrent residents on SQLite and PostgreSQL (scripts/loadtest.sh). Writes end2end/bench/results/
# and BENCHMARKS.md.
#   BENCH_RUNS=5 scripts/bench.sh     (default 3 interleaved runs)
#   BENCH_LOAD=0 scripts/bench.sh     (the browser part only; the server figures stay from the last run)
#   scripts/bench.sh --report         (rewrites BENCHMARKS.md from the last results, measuring nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != --report ]; then
bash scripts/setup.sh >/dev/null
source scripts/env.sh
bash scripts/build.sh
dir=$(mktemp -d /tmp/linli-bench.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"' EXIT
# serve NAME PORT [demo scale]: a fresh SQLite database, migrated, with the demo district if asked.
serve() {
  local db="sqlite://$dir/$1.db"
  ./target/release/linli --database-url "$db" migrate >/dev/null
  if [ -n "${3:-}" ]; then ./target/release/linli --database-url "$db" demo --scale "$3" >/dev/null; fi
  if [ "$1" = orgs ]; then
    printf '%s' "$orgs_password" | ./target/release/linli --database-url "$db" user add --username admin --role admin --password-stdin >/dev/null
  fi
  ./target/release/linli --database-url "$db" serve --listen "127.0.0.1:$2" --dist dist >"$dir/$1-server.log" 2>&1 &
  pids+=($!)
}
port=18190 orgs_port=18191 medium_port=18192
orgs_password="Linli-bench-2026"
serve large $port large
# The organisation benchmark gets an empty database and one administrator; it imports its district
# (5 + 55 + 181 + 1,000 units and 10,000 central households) through the app's CSV import.
serve orgs $orgs_port
# Guancheng's scale for the map: 564 level-3 grids.
serve medium $medium_port medium
for p in $port $orgs_port $medium_port; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.2; done
done
(cd end2end && LINLI_BENCH_URL="http://127.0.0.1:$port" LINLI_BENCH_MEDIUM_URL="http://127.0.0.1:$medium_port" LINLI_BENCH_ORGS_URL="http://127.0.0.1:$orgs_port" \
  LINLI_BENCH_ORGS_PASSWORD="$orgs_password" npx playwright test -c bench/playwright.config.ts)
kill "${pids[@]}" 2>/dev/null || true
# The server under 200 concurrent residents, on SQLite and PostgreSQL (writes results/server.md).
if [ "${BENCH_LOAD:-1}" != 0 ]; then bash scripts/loadtest.sh; fi
# Field reports: the rates over a year of 20,000 reports (writes results/field.md).
if [ "${BENCH_FIELD:-1}" != 0 ]; then bash scripts/bench-field.sh; fi
fi
{
  echo "# Benchmarks"
  echo
  echo "Regenerate with \`scripts/bench.sh\` (figures from one run on the machine below; ratios are"
  echo "measured in the same run, so they travel better than the absolute numbers)."
  echo
  echo "Machine: $(nproc) cores, $(uname -m), $(chromium --version 2>/dev/null | head -1), $(date -u +%Y-%m-%d)."
  echo
  # section TITLE RESULT... NOTES: a heading, the results of the run, then the notes kept by hand.
  section() {
    echo "## $1"
    echo
    shift
    for f in "$@"; do cat "$f"; done
    echo
  }
  r=end2end/bench/results n=end2end/bench
  {
    echo "### 564 level-3 grids (Guancheng's size, \`linli demo --scale medium\`)"
    echo
    cat $r/map-564.md
    echo
    echo "### 1,206 level-3 grids (Tongchuan's size, \`linli demo --scale large\`)"
    echo
  } > "$r/map-heading.md"
  {
    echo
    echo "### Importing a level of 1,206 grids (clean and check in the browser)"
    echo
    cat $r/import.md 2>/dev/null || echo "(not measured yet)"
    echo
  } > "$r/import-heading.md"
  section "Grid map" $r/map-heading.md $r/map.md $r/import-heading.md $n/notes.md
  section "Organisation tree" $r/orgs.md $n/orgs-notes.md
  section "Event calendar" $r/events.md $n/events-notes.md
  section "Server under load (200 concurrent residents)" $r/server.md $n/server-notes.md
  section "Field reports (a year of 20,000 reports over 1,206 grids)" $r/field.md $n/field-notes.md
  section "Weight (bytes transferred)" $r/weight.md $n/weight-notes.md
} > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
