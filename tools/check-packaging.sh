#!/usr/bin/env bash
# The packaging stage of CI: builds the Debian packages (debian/) from a
# scratch copy of the tree, lints them, unpacks them into a scratch root and
# builds and runs the quick start against that root.
#
#   tools/check-packaging.sh
#
# 1. copies the tree (tracked and untracked files that git does not ignore:
#    no build products, no node_modules) to a scratch directory and runs
#    dpkg-buildpackage -b -us -uc there (the test suite is not run in the
#    package build: debian/rules says why);
# 2. lintian on the result: any error fails (but see "no license" below),
#    warnings are listed;
# 3. dpkg -x of every package into a scratch root (nothing is installed on
#    the system), checks the files each package ships, runs the packaged
#    log4c-otel-check on the sample configuration;
# 4. builds examples/quickstart.c against the root with pkg-config and with
#    CMake and runs both (tests/packaging/build-quickstart.sh).
# Nothing is left in the repository; the scratch directory is removed
# (PACKAGING_KEEP=1 keeps it and prints where). Needs the Debian packages
# tools/install-deps.sh installs (dpkg-dev, debhelper, lintian, cmake).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${PACKAGING_JOBS:-$(nproc)}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/log4c-otel-packaging.XXXXXX")
if [ "${PACKAGING_KEEP:-0}" = 1 ]; then
  trap 'echo "check-packaging: kept $scratch"' EXIT
else
  trap 'rm -rf "$scratch"' EXIT
fi
fail() { echo "check-packaging: FAIL: $*" >&2; exit 1; }
t0=$SECONDS
step() { echo "== check-packaging: $1 ($(( SECONDS - t0 )) s)"; }

# ---- 1. build ----
src=$scratch/log4c-otel
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xf - -C "$src"
step "dpkg-buildpackage -b -us -uc"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$jobs" dpkg-buildpackage -b -us -uc >"$scratch/build.log" 2>&1) ||
  { tail -n 80 "$scratch/build.log"; fail "dpkg-buildpackage"; }
changes=$(ls "$scratch"/log4c-otel_*.changes)
debs=("$scratch"/*.deb)
for p in liblog4c-otel0 liblog4c-otel-dev log4c-otel-tools; do
  ls "$scratch/${p}_"*.deb >/dev/null 2>&1 || fail "package $p was not built"
done
ls -l "${debs[@]}" | awk '{print $5, $NF}' | sed "s|$scratch/||"

# ---- 2. lintian ----
# The project states no license yet (no LICENSE or COPYING file, and none in
# the sources), so debian/copyright cannot be written and lintian reports
# no-copyright-file for each package. That one error is let through, with a
# BLOCKED line, only while no license file and no debian/copyright exist;
# once either does, every lintian error fails the stage.
step "lintian"
lintian --display-level '>=warning' --fail-on none --tag-display-limit 0 "$changes" \
  >"$scratch/lintian.txt" 2>&1 || { cat "$scratch/lintian.txt"; fail "lintian did not run"; }
grep -v '^running with root privileges' "$scratch/lintian.txt" || true
unlicensed=yes
for f in "$src"/debian/copyright "$src"/LICENSE* "$src"/COPYING*; do
  [ -e "$f" ] && unlicensed=no
done
errors=0 tolerated=0
while IFS= read -r line; do
  if [ "$unlicensed" = yes ] && [[ $line =~ ^E:\ [^\ ]+:\ no-copyright-file$ ]]; then
    tolerated=$((tolerated + 1))
  else
    errors=$((errors + 1))
  fi
done < <(grep '^E: ' "$scratch/lintian.txt" || true)
warnings=$(grep -c '^W: ' "$scratch/lintian.txt" || true)
echo "lintian: $errors errors, $warnings warnings"
blocked=
if [ "$tolerated" -gt 0 ]; then
  blocked="check-packaging: BLOCKED: no license. The project states none (no LICENSE or COPYING file, no"
  blocked+=" debian/copyright), so the packages ship without a copyright file (lintian: no-copyright-file,"
  blocked+=" $tolerated errors, tolerated). Needed: the team chooses a license; then LICENSE (its text) and"
  blocked+=" debian/copyright (DEP-5) are added, and from then on this error fails the stage like any other."
  echo "lintian: and $tolerated no-copyright-file errors, tolerated (see BLOCKED)"
  echo "$blocked"
fi
[ "$errors" -eq 0 ] || fail "lintian reported errors"

# ---- 3. unpack ----
step "dpkg -x into a scratch root"
root=$scratch/root
for d in "${debs[@]}"; do dpkg -x "$d" "$root"; done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$multiarch
owner() {
  dpkg -c "$scratch/${1}_"*.deb >"$scratch/contents.txt"
  grep -qE " \./${2#/}( |$)" "$scratch/contents.txt" || fail "$1 does not ship $2"
}
owner liblog4c-otel0 "$libdir/liblog4c-otel.so.0"
owner liblog4c-otel-dev /usr/include/log4c-otel.h
owner liblog4c-otel-dev "$libdir/liblog4c-otel.so"
owner liblog4c-otel-dev "$libdir/pkgconfig/log4c-otel.pc"
owner liblog4c-otel-dev "$libdir/cmake/log4c-otel/log4c-otel-config.cmake"
owner liblog4c-otel-dev "$libdir/cmake/log4c-otel/log4c-otel-config-version.cmake"
owner liblog4c-otel-dev /usr/share/man/man3/log4c-otel.3.gz
owner liblog4c-otel-dev /usr/share/man/man7/log4c-otel.7.gz
owner log4c-otel-tools /usr/bin/log4c-otel-check
owner log4c-otel-tools /usr/bin/log4c-otel-run
owner log4c-otel-tools /usr/share/man/man1/log4c-otel-check.1.gz
owner log4c-otel-tools /usr/share/man/man1/log4c-otel-run.1.gz
depends=$(dpkg-deb -f "$scratch"/liblog4c-otel0_*.deb Depends)
echo "liblog4c-otel0 Depends: $depends"
for lib in liblog4c3 libcurl4 libjansson4 libpcre2-8-0 libprotobuf-c1 zlib1g; do
  case ", $depends" in *", $lib "* | *", $lib,"* | *", $lib") ;; *) fail "liblog4c-otel0 does not depend on $lib";; esac
done
out=$(env -u LOG4C_OTEL_CONFIG -u LOG4C_RCPATH HOME="$scratch" LD_LIBRARY_PATH="$root$libdir" \
  "$root/usr/bin/log4c-otel-check" "$top/etc/log4c-otel.json") || fail "packaged log4c-otel-check rejects etc/log4c-otel.json"
tail -n 1 <<<"$out"

# ---- 4. consumers ----
step "the quick start against the packages, with pkg-config and CMake"
"$top/tests/packaging/build-quickstart.sh" "$root" /usr "$libdir" /usr/include \
  "$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)"
step "done"
# said again last, where a reader of the CI log looks
[ -z "$blocked" ] || echo "$blocked"
