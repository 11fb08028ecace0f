#!/usr/bin/env bash
# Sets everything up and runs Linli on the embedded SQLite database (./data/linli.db) with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec ./target/release/linli serve --demo "$@"
