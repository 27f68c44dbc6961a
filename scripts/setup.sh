#!/usr/bin/env bash
# scripts/setup.sh — installs what minzheng needs and builds it. Idempotent: a second run
# installs nothing and only rebuilds what changed.
#
#   scripts/setup.sh          Debian packages, npm packages, release build (build/)
#   scripts/setup.sh --test   the same, plus the sanitizer test build (build-test/)
#
# Needs root (or sudo) only when a Debian package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config meson ninja-build
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libsodium-dev libssl-dev
  libcriterion-dev libxlsxwriter-dev
  postgresql-15 nginx wrk curl
)

with_test=0
[ "${1:-}" = "--test" ] && with_test=1

say() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  [ ${#missing[@]} -eq 0 ] && return
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  # policy-rc.d may forbid starting services in containers; the packaged PostgreSQL cluster
  # is not used (tests start their own), so a refused start is fine.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

install_npm_packages() {
  # node_modules/.package-lock.json is npm's record of the last install.
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    return
  fi
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
}

build() {
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null
  local log
  log=$(mktemp)
  ninja -C "$dir" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
  rm -f "$log"
}

install_debian_packages
install_npm_packages
say "building build/ (release)"
build build -Dbuildtype=release -Doptimization=2 -Dtests=disabled
if [ $with_test -eq 1 ]; then
  say "building build-test/ (debug, AddressSanitizer + UndefinedBehaviorSanitizer)"
  build build-test -Dbuildtype=debug -Db_sanitize=address,undefined -Dtests=enabled
fi
