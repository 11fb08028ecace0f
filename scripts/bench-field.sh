#!/usr/bin/env bash
# The field reports' rates for a year of reports over 1,206 grids (issue 21), on SQLite and on a
# throwaway PostgreSQL: `linli-field-bench` loads the large demo district and the reports into a
# new database and times the rates against reading their rows, in the same run.
#   scripts/bench-field.sh                      (20,000 reports, both engines)
#   FIELD_BENCH_REPORTS=5000 FIELD_BENCH_ENGINES=sqlite scripts/bench-field.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
reports=${FIELD_BENCH_REPORTS:-20000}
engines=${FIELD_BENCH_ENGINES:-"sqlite postgres"}
cargo build --release -p server --bin linli-field-bench
dir=$(mktemp -d /tmp/linli-field-bench.XXXXXX)
pg=""
cleanup() {
  [ -n "$pg" ] && scripts/postgres.sh stop "$pg"
  rm -rf "$dir"
}
trap cleanup EXIT
out=end2end/bench/results/field.md
mkdir -p "$(dirname "$out")"
: > "$out"
for engine in $engines; do
  case "$engine" in
    sqlite) url="sqlite://$dir/field.db" ;;
    postgres)
      eval "$(scripts/postgres.sh start)"
      pg=$LINLI_PG_DIR
      url=$LINLI_TEST_POSTGRES_URL
      ;;
    *) echo "unknown engine $engine" >&2; exit 2 ;;
  esac
  target/release/linli-field-bench --database-url "$url" --reports "$reports" --runs 5 | tee -a "$out"
  echo | tee -a "$out"
done
