#!/usr/bin/env bash
# Sets everything up and runs the whole test suite:
#   1. native unit and integration tests (cargo test --release), with the storage suite on SQLite
#      and on a throwaway PostgreSQL cluster started here and removed afterwards, and the server's
#      HTTP tests (server/tests/api) once more on PostgreSQL;
#   2. the crash test (scripts/crash.sh: kill -9 under load, 20 times, on SQLite and PostgreSQL) and
#      the cluster test (scripts/cluster.sh: three `linli serve` on one PostgreSQL, under load, one
#      killed midway);
#   3. the Playwright suite in Debian's Chromium against the release build.
# Ends with one line "N passed, N failed" counting every suite.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
source scripts/env.sh
scripts/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

logs=$(mktemp -d /tmp/linli-test.XXXXXX)
pg_dir=""
cleanup() { [ -n "$pg_dir" ] && scripts/postgres.sh stop "$pg_dir"; rm -rf "$logs"; }
trap cleanup EXIT

eval "$(scripts/postgres.sh start)" || { echo "could not start PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
pg_dir=$LINLI_PG_DIR
export LINLI_REQUIRE_POSTGRES=1

echo "== native tests (SQLite and PostgreSQL) =="
cargo test --release --workspace 2>&1 | tee "$logs/cargo.log"
cargo_rc=${PIPESTATUS[0]}
echo "== HTTP tests on PostgreSQL =="
LINLI_HTTP_ENGINE=postgres cargo test --release -p server --test api 2>&1 | tee -a "$logs/cargo.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || cargo_rc=1
read -r c_pass c_fail < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  END { print p + 0, f + 0 }' "$logs/cargo.log")
if [ "$cargo_rc" -ne 0 ] && [ "$c_fail" -eq 0 ]; then c_fail=1; fi

# Counts a script's "<name> …: passed|failed" lines in a log (none at all counts as one failure).
count() {
  local p f
  p=$(grep -c "^$1 .*: passed$" "$2")
  f=$(grep -c "^$1 .*: failed$" "$2")
  if [ "$((p + f))" -eq 0 ]; then f=1; fi
  echo "$p $f"
}

echo "== crash test (kill -9 and SIGTERM under load; SQLite and PostgreSQL) =="
scripts/crash.sh 2>&1 | tee "$logs/crash.log"
read -r k_pass k_fail < <(count crash "$logs/crash.log")
echo "crash test: $k_pass passed, $k_fail failed"

echo "== cluster test (three servers on one PostgreSQL) =="
scripts/cluster.sh 2>&1 | tee "$logs/cluster.log"
read -r s_pass s_fail < <(count cluster "$logs/cluster.log")
echo "cluster test: $s_pass passed, $s_fail failed"

echo "== end-to-end tests (Playwright, Chromium) =="
(cd end2end && PLAYWRIGHT_JSON_OUTPUT_NAME="$logs/pw.json" npx playwright test --reporter=list,json)
pw_rc=$?
read -r p_pass p_fail < <(python3 - "$logs/pw.json" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))["stats"]
    print(s.get("expected", 0) + s.get("flaky", 0), s.get("unexpected", 0))
except Exception:
    print(0, 1)
PY
)
if [ "$pw_rc" -ne 0 ] && [ "$p_fail" -eq 0 ]; then p_fail=1; fi
echo "Playwright: $p_pass passed, $p_fail failed"

passed=$((c_pass + k_pass + s_pass + p_pass))
failed=$((c_fail + k_fail + s_fail + p_fail))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
