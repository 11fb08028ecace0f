#!/usr/bin/env bash
# Builds the release browser app (trunk, with wasm-opt) into dist/ and the release `linli` server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release --offline
# Precompressed copies, served as they are by `linli serve` (no compression per request): brotli
# for browsers that take it (about a fifth smaller than gzip for the wasm), gzip for the rest.
for f in dist/*.wasm dist/*.js dist/*.css; do gzip -9 -k -f "$f"; brotli -q 11 -k -f "$f"; done
cargo build --release -p server --bins
