#!/usr/bin/env bash
# Builds the release browser app (trunk, with wasm-opt) into dist/ and the release `linli` server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release --offline
cargo build --release -p server --bin linli
