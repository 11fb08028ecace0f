#!/usr/bin/env bash
# Installs everything Linli needs to build, run and test, idempotently: seconds when all is there.
# Sources: Debian packages, crates.io and npm only (no other downloads).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages: browser + driver, a CJK font for screenshots, PostgreSQL server binaries, Node.
need=()
for pkg in chromium chromium-driver fonts-wqy-microhei postgresql nodejs npm python3 brotli; do
  case $pkg in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
    python3) command -v python3 >/dev/null && continue ;;
    brotli) command -v brotli >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian starts a system PostgreSQL on install; Linli's tests start their own throwaway cluster.

# --- Rust: the wasm target, trunk, and the wasm-bindgen CLI matching Cargo.lock.
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(trunk --version 2>/dev/null)" != "trunk 0.21.14" ]; then
  say "installing trunk 0.21.14 (takes ~15 CPU-minutes once)"
  cargo install trunk --version 0.21.14 --locked
fi
wbg=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ -z "$wbg" ]; then
  say "Cargo.lock has no wasm-bindgen yet; resolving"
  cargo generate-lockfile
  wbg=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
  say "installing wasm-bindgen-cli $wbg"
  # Without --locked: its own lockfile pins a crate the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$wbg" --force
fi
if ! grep -q "wasm_bindgen = \"$wbg\"" Trunk.toml; then
  echo "Trunk.toml pins a wasm-bindgen other than Cargo.lock's $wbg: update [tools] wasm_bindgen" >&2
  exit 1
fi

# --- npm: Playwright (driving Debian's Chromium) and binaryen's wasm-opt, pinned by package-lock.json.
if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing end2end npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- PyPI: independent iCalendar and geometry implementations the tests check the feeds with.
if ! python3 -c "import icalendar, recurring_ical_events, shapely" 2>/dev/null; then
  say "installing Python packages from tools/requirements.txt"
  python3 -m pip install --quiet --disable-pip-version-check -r tools/requirements.txt
fi

# --- crates for offline builds.
cargo fetch --quiet
say "ready"
