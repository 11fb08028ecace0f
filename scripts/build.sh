#!/usr/bin/env bash
# Builds the release browser app into dist/ and the release `linli` server.
# The app is one bundle per area (app/src/area.rs): trunk (with wasm-opt) builds each from
# index.html with its `bundle-*` feature into its own entry page (map.html, orgs.html, …), and
# dist/ gets them all; the server answers each path with its area's page.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
areas=(map orgs events admin)
rm -rf target/trunk
for area in "${areas[@]}"; do
  trunk build --release --offline --features "csr,bundle-$area" --html-output "$area.html" --dist "target/trunk/$area"
done
rm -rf dist
mkdir dist
for area in "${areas[@]}"; do cp -a "target/trunk/$area/." dist/; done
# Precompressed copies, served as they are by `linli serve` (no compression per request): brotli
# for browsers that take it (about a fifth smaller than gzip for the wasm), gzip for the rest.
for f in dist/*.wasm dist/*.js dist/*.css; do gzip -9 -k -f "$f"; brotli -q 11 -k -f "$f"; done
cargo build --release -p server --bins
