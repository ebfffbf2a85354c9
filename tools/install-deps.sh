#!/usr/bin/env bash
# Installs what log4c-otel needs to build and test on Debian 12, then the Node
# modules of the test receiver (tests/receiver).  Safe to re-run: packages already
# installed are skipped, and so is `npm ci` when node_modules is up to date.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
  build-essential autoconf automake libtool pkg-config
  liblog4c-dev libprotobuf-c-dev protobuf-c-compiler
  libcurl4-openssl-dev libpcre2-dev libjansson-dev zlib1g-dev
  check valgrind ca-certificates openssl
  # tools/check-hardening.sh: libFuzzer and clang's sanitizer runtimes (gcc's
  # libasan/libubsan/libtsan come with build-essential)
  clang libclang-rt-14-dev
  # tests/packaging: a consumer of the installed library built with CMake,
  # and the man pages' linter
  cmake mandoc
  # tests/integration/test_demo.mjs: the jq recipes docs/OPERATIONS.md gives
  jq
  # tools/check-packaging.sh: dpkg-buildpackage (dpkg-dev comes with
  # build-essential) with dh, and lintian
  debhelper lintian
)

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps: not root and sudo is not available" >&2
    exit 1
  fi
fi

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${packages[@]}"; do
  is_installed "$p" || missing+=("$p")
done

# Node may come from elsewhere (e.g. NodeSource, whose nodejs bundles npm and
# conflicts with Debian's npm), so Debian's packages are only used when absent.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install-deps: system packages already installed"
fi

echo "install-deps: node $(node --version), npm $(npm --version)"

# The receiver's dependencies are pinned by package-lock.json.  npm writes
# node_modules/.package-lock.json on install, so it being newer means up to date.
# --ignore-scripts: the only install script (protobufjs postinstall) is a
# version-scheme warning, and the tests need no native builds.
receiver="$repo_root/tests/receiver"
if [ -f "$receiver/node_modules/.package-lock.json" ] &&
   [ "$receiver/node_modules/.package-lock.json" -nt "$receiver/package-lock.json" ]; then
  echo "install-deps: tests/receiver/node_modules up to date"
else
  echo "install-deps: npm ci in tests/receiver"
  (cd "$receiver" && npm ci --no-audit --no-fund --ignore-scripts)
fi
