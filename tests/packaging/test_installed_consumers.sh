#!/usr/bin/env bash
# Installs the build into a scratch directory (make install DESTDIR=...),
# checks that every file a user needs is where the configured directories
# say, then builds examples/quickstart.c against that staged installation
# twice, with pkg-config and with CMake (find_package(log4c-otel CONFIG)),
# and runs both programs: each must load the staged library and export every
# record it logged (to an OTLP/JSON file: no collector needed).
#
# Run by make check (the LOG4C_OTEL_TEST_* variables come from the Makefile).
# Without cmake the CMake half is skipped with a message and the test reports
# SKIP (exit 77) once the pkg-config half has passed.
set -euo pipefail

: "${top_builddir:?}" "${top_srcdir:?}"
make=${LOG4C_OTEL_TEST_MAKE:-make}
cc=${LOG4C_OTEL_TEST_CC:-cc}
cflags=${LOG4C_OTEL_TEST_CFLAGS:-}
prefix=${LOG4C_OTEL_TEST_PREFIX:?} libdir=${LOG4C_OTEL_TEST_LIBDIR:?}
includedir=${LOG4C_OTEL_TEST_INCLUDEDIR:?} mandir=${LOG4C_OTEL_TEST_MANDIR:?}
version=${LOG4C_OTEL_TEST_VERSION:?}

# the programs below must see only what this test sets
while IFS='=' read -r name _; do
  case $name in OTEL_* | LOG4C_*) unset "$name" ;; esac
done < <(env)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/log4c-otel-consumers.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
stage=$scratch/root
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- the staged installation ----
# (a nested make: drop the jobserver of the make check that runs this test)
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $make -C "$top_builddir" install DESTDIR="$stage" \
     >"$scratch/install.log" 2>&1; then
  cat "$scratch/install.log" >&2
  fail "make install DESTDIR=$stage"
fi
for f in "$includedir/log4c-otel.h" "$libdir/liblog4c-otel.so" "$libdir/pkgconfig/log4c-otel.pc" \
         "$libdir/cmake/log4c-otel/log4c-otel-config.cmake" \
         "$libdir/cmake/log4c-otel/log4c-otel-config-version.cmake"; do
  [ -e "$stage$f" ] || fail "not installed: $f"
  echo "installed: $f"
done

# ---- run one build of the quick start against the staged library ----
# The quick start logs 13 records (3 + 2 threads x 5); with no endpoint the
# library writes them to LOG4C_OTEL_FILE and counts them as exported.
run_quickstart() {
  local exe=$1 name=$2 dir=$scratch/run-$2
  mkdir -p "$dir/rc" "$dir/home"
  cp "$top_srcdir/etc/log4crc" "$dir/rc/log4crc" # root -> otel; no log4c-otel.json beside it
  ldd "$exe" >"$dir/ldd.txt" 2>&1 || true
  LD_LIBRARY_PATH="$stage$libdir" ldd "$exe" | grep -F "liblog4c-otel.so" >"$dir/resolved.txt" || true
  grep -qF "$stage$libdir/liblog4c-otel.so" "$dir/resolved.txt" ||
    fail "$name: does not load the staged library: $(cat "$dir/resolved.txt")"
  (cd "$dir" && env HOME="$dir/home" XDG_STATE_HOME="$dir/state" LOG4C_RCPATH="$dir/rc" \
     LOG4C_OTEL_FILE="$dir/records.jsonl" OTEL_SERVICE_NAME="consumer-$name" \
     LD_LIBRARY_PATH="$stage$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
     "$exe" >"$dir/stdout" 2>"$dir/stderr") || { cat "$dir/stdout" "$dir/stderr" >&2; fail "$name: exit status $?"; }
  cat "$dir/stdout"
  grep -q '^log4c-otel: 13 accepted, 13 exported, 0 dropped' "$dir/stdout" ||
    { cat "$dir/stderr" >&2; fail "$name: not every record was exported"; }
  grep -qF 'gateway listening on port 8385' "$dir/records.jsonl" || fail "$name: record missing from $dir/records.jsonl"
  grep -qF "\"consumer-$name\"" "$dir/records.jsonl" || fail "$name: service.name missing from the records"
  echo "PASS: $name: built against the staged installation, loaded $stage$libdir/liblog4c-otel.so, 13 records exported"
}

# ---- pkg-config: the staged .pc, its paths moved under the stage ----
pc() { PKG_CONFIG_PATH="$stage$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage" pkg-config "$@"; }
[ "$(pc --modversion log4c-otel)" = "$version" ] || fail "pkg-config --modversion log4c-otel: $(pc --modversion log4c-otel)"
pc_flags=$(pc --cflags --libs log4c-otel)
echo "pkg-config --cflags --libs log4c-otel: $pc_flags"
case " $pc_flags " in *" -I$stage$includedir "*) ;; *) fail "pkg-config: no -I$stage$includedir";; esac
case " $pc_flags " in *" -llog4c "*) ;; *) fail "pkg-config: log4c is not linked (Requires: log4c)";; esac
# shellcheck disable=SC2086 # word splitting of CC, CFLAGS and the flags is meant
$cc $cflags -o "$scratch/quickstart-pkgconfig" "$top_srcdir/examples/quickstart.c" $pc_flags ||
  fail "cc with pkg-config"
run_quickstart "$scratch/quickstart-pkgconfig" pkgconfig

# ---- CMake: find_package(log4c-otel CONFIG) ----
if ! command -v cmake >/dev/null 2>&1; then
  echo "SKIP: cmake not found (Debian package cmake; tools/install-deps.sh installs it): the CMake package configuration was not tried"
  exit 77
fi
# CC may carry flags (the sanitizer builds): CMake takes them from CC
if ! env CC="$cc" CFLAGS="$cflags" cmake -S "$top_srcdir/tests/packaging/consumer" -B "$scratch/cmake-build" \
       -DCMAKE_PREFIX_PATH="$stage$prefix" -DQUICKSTART_SOURCE="$top_srcdir/examples/quickstart.c" \
       -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$scratch/cmake.log" 2>&1; then
  cat "$scratch/cmake.log" >&2
  fail "cmake configure"
fi
grep -E 'log4c-otel (include|library|[0-9])' "$scratch/cmake.log"
grep -qF -- "-- log4c-otel $version from $stage$libdir/cmake/log4c-otel" "$scratch/cmake.log" ||
  fail "cmake did not use the staged configuration"
grep -qF -- "-- log4c-otel include directory: $stage$includedir" "$scratch/cmake.log" ||
  fail "cmake: wrong include directory"
grep -qF -- "-- log4c-otel library: $stage$libdir/liblog4c-otel.so" "$scratch/cmake.log" ||
  fail "cmake: wrong library"
cmake --build "$scratch/cmake-build" >"$scratch/cmake-build.log" 2>&1 ||
  { cat "$scratch/cmake-build.log" >&2; fail "cmake --build"; }
run_quickstart "$scratch/cmake-build/quickstart" cmake
