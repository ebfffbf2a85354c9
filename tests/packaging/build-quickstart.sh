#!/usr/bin/env bash
# Builds examples/quickstart.c against an installation of log4c-otel that
# lies under ROOT (a DESTDIR staging or unpacked Debian packages) twice, with
# pkg-config and with CMake (find_package(log4c-otel CONFIG), the consumer in
# tests/packaging/consumer), and runs both programs: each must load ROOT's
# library and export every record it logged (to an OTLP/JSON file: no
# collector needed), and, run without log4crc, say so in one line at
# log4c_init(). Then log4c-otel(3)'s EXAMPLES program, built and run as the
# page says, and the README's zero-code line: a plain log4c program run with
# LD_PRELOAD of ROOT's library, found through pkg-config.
#
#   build-quickstart.sh ROOT PREFIX LIBDIR INCLUDEDIR VERSION
#
# PREFIX, LIBDIR and INCLUDEDIR are the configured directories (without
# ROOT). CC and CFLAGS are used when set. Exit 77 (skip) when cmake is not
# installed, after the pkg-config half has passed.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 ROOT PREFIX LIBDIR INCLUDEDIR VERSION" >&2; exit 2; }
root=$1 prefix=$2 libdir=$3 includedir=$4 version=$5
srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cc=${CC:-cc}
cflags=${CFLAGS:-}

# the programs below must see only what this script sets
while IFS='=' read -r name _; do
  case $name in OTEL_* | LOG4C_*) unset "$name" ;; esac
done < <(env)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/log4c-otel-quickstart.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The quick start logs 13 records (3 + 2 threads x 5); with no endpoint the
# library writes them to LOG4C_OTEL_FILE and counts them as exported.
run_quickstart() {
  local exe=$1 name=$2 dir=$scratch/run-$2 rc=0
  mkdir -p "$dir/rc" "$dir/home"
  cp "$srcdir/etc/log4crc" "$dir/rc/log4crc" # root -> otel; no log4c-otel.json beside it
  LD_LIBRARY_PATH="$root$libdir" ldd "$exe" | grep -F "liblog4c-otel.so" >"$dir/resolved.txt" || true
  grep -qF "$root$libdir/liblog4c-otel.so" "$dir/resolved.txt" ||
    fail "$name: does not load $root$libdir/liblog4c-otel.so: $(cat "$dir/resolved.txt")"
  (cd "$dir" && env HOME="$dir/home" XDG_STATE_HOME="$dir/state" LOG4C_RCPATH="$dir/rc" \
     LOG4C_OTEL_FILE="$dir/records.jsonl" OTEL_SERVICE_NAME="consumer-$name" \
     LD_LIBRARY_PATH="$root$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
     "$exe" >"$dir/stdout" 2>"$dir/stderr") || rc=$?
  [ "$rc" -eq 0 ] || { cat "$dir/stdout" "$dir/stderr" >&2; fail "$name: exit status $rc"; }
  cat "$dir/stdout"
  grep -q '^log4c-otel: 13 accepted, 13 exported, 0 dropped' "$dir/stdout" ||
    { cat "$dir/stderr" >&2; fail "$name: not every record was exported"; }
  grep -qF 'gateway listening on port 8385' "$dir/records.jsonl" || fail "$name: a record is missing from the OTLP/JSON file"
  grep -qF "\"consumer-$name\"" "$dir/records.jsonl" || fail "$name: service.name is missing from the records"
  echo "PASS: $name: built against $root, loaded $root$libdir/liblog4c-otel.so, 13 records exported"
  # the link order this way of building gives (-llog4c-otel before -llog4c)
  # lets the library check log4crc at log4c_init(): with none, one line says so
  mkdir -p "$dir/norc"
  (cd "$dir" && env HOME="$dir/home" XDG_STATE_HOME="$dir/state" LOG4C_RCPATH="$dir/norc" \
     LOG4C_OTEL_FILE="$dir/norc/records.jsonl" LD_LIBRARY_PATH="$root$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
     "$exe" >"$dir/norc/stdout" 2>"$dir/norc/stderr") || fail "$name: exit status $? without log4crc"
  [ "$(grep -c 'log4c-otel: no log4c category reaches the "otel" appender' "$dir/norc/stderr")" = 1 ] ||
    { cat "$dir/norc/stderr" >&2; fail "$name: without log4crc, not exactly one line saying that nothing is exported"; }
  echo "PASS: $name: without log4crc, one line at log4c_init() says what to add"
}

# ---- pkg-config: ROOT's .pc, its paths moved under ROOT ----
pc() { PKG_CONFIG_PATH="$root$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root" pkg-config "$@"; }
[ "$(pc --modversion log4c-otel)" = "$version" ] || fail "pkg-config --modversion log4c-otel: $(pc --modversion log4c-otel)"
pc_flags=$(pc --cflags --libs log4c-otel)
echo "pkg-config --cflags --libs log4c-otel: $pc_flags"
case " $pc_flags " in *" -I$root$includedir "*) ;; *) fail "pkg-config: no -I$root$includedir";; esac
case " $pc_flags " in *" -llog4c "*) ;; *) fail "pkg-config: log4c is not linked (Requires: log4c)";; esac
# shellcheck disable=SC2086 # word splitting of CC, CFLAGS and the flags is meant
$cc $cflags -o "$scratch/quickstart-pkgconfig" "$srcdir/examples/quickstart.c" $pc_flags ||
  fail "cc with pkg-config"
run_quickstart "$scratch/quickstart-pkgconfig" pkgconfig

# ---- log4c-otel(3)'s EXAMPLES: its program, built and run as the page says ----
awk '/^\.SH EXAMPLES/ { ex = 1 } ex && /^\.fi/ { exit } ex && on { print } ex && /^\.nf/ { on = 1 }' \
  "$srcdir/man/log4c-otel.3" >"$scratch/app.c"
grep -q 'log4c_otel_init' "$scratch/app.c" || fail "log4c-otel(3): no program found in EXAMPLES"
# shellcheck disable=SC2086 # word splitting of CC, CFLAGS and the flags is meant
$cc $cflags -o "$scratch/app" "$scratch/app.c" $pc_flags || fail "log4c-otel(3) EXAMPLES: cc app.c \$(pkg-config --cflags --libs log4c-otel)"
dir=$scratch/run-man3
mkdir -p "$dir/rc" "$dir/home"
(cd "$dir" && env HOME="$dir/home" XDG_STATE_HOME="$dir/state" LOG4C_RCPATH="$dir/rc" LOG4C_APPENDER=otel \
   LOG4C_OTEL_FILE="$dir/records.jsonl" LD_LIBRARY_PATH="$root$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
   "$scratch/app" >"$dir/stdout" 2>"$dir/stderr") || { cat "$dir/stderr" >&2; fail "log4c-otel(3) EXAMPLES: the program failed"; }
grep -qF '"order 42 paid"' "$dir/records.jsonl" 2>/dev/null ||
  { cat "$dir/stderr" >&2; fail "log4c-otel(3) EXAMPLES: its record was not exported"; }
echo "PASS: log4c-otel(3) EXAMPLES: built with pkg-config, run with LOG4C_APPENDER=otel, its record exported"

# ---- zero-code: the README's LD_PRELOAD line, the library found through pkg-config ----
# A log4c program that never heard of log4c-otel (tests/integration/plain_log4c.c),
# built against log4c alone. Not under a sanitizer: its runtime must come first in
# LD_PRELOAD, which the README's line does not do.
case " $cc $cflags " in
*-fsanitize=*) echo "SKIP: zero-code: not tried with a sanitizer build ($cc $cflags)" ;;
*)
  # shellcheck disable=SC2086,SC2046 # word splitting of CC, CFLAGS and the flags is meant
  $cc $cflags -o "$scratch/plain_log4c" "$srcdir/tests/integration/plain_log4c.c" $(pkg-config --cflags --libs log4c) ||
    fail "cc plain_log4c.c with pkg-config log4c"
  preload=$(pc --variable=libdir log4c-otel)/liblog4c-otel.so # under ROOT: pc sets the sysroot
  [ -f "$preload" ] || fail "pkg-config --variable=libdir log4c-otel: no $preload"
  dir=$scratch/run-preload
  mkdir -p "$dir/rc" "$dir/home"
  (cd "$dir" && env HOME="$dir/home" XDG_STATE_HOME="$dir/state" LOG4C_RCPATH="$dir/rc" \
     LOG4C_OTEL_FILE="$dir/records.jsonl" LD_PRELOAD="$preload" LOG4C_APPENDER=otel \
     LD_LIBRARY_PATH="$root$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
     "$scratch/plain_log4c" 3 >"$dir/stdout" 2>"$dir/stderr") ||
    { cat "$dir/stderr" >&2; fail "zero-code: plain_log4c failed under LD_PRELOAD=$preload"; }
  for i in 0 1 2; do
    grep -qF "\"plain $i\"" "$dir/records.jsonl" 2>/dev/null ||
      { cat "$dir/stderr" >&2; fail "zero-code: record 'plain $i' was not exported"; }
  done
  echo "PASS: zero-code: LD_PRELOAD=\$(pkg-config --variable=libdir log4c-otel)/liblog4c-otel.so LOG4C_APPENDER=otel: 3 records exported"
  ;;
esac

# ---- CMake: find_package(log4c-otel CONFIG) ----
if ! command -v cmake >/dev/null 2>&1; then
  echo "SKIP: cmake not found (Debian package cmake; tools/install-deps.sh installs it): the CMake package configuration was not tried"
  exit 77
fi
# CC may carry flags (the sanitizer builds): CMake takes them from CC
if ! env CC="$cc" CFLAGS="$cflags" cmake -S "$srcdir/tests/packaging/consumer" -B "$scratch/cmake-build" \
       -DCMAKE_PREFIX_PATH="$root$prefix" -DQUICKSTART_SOURCE="$srcdir/examples/quickstart.c" \
       -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$scratch/cmake.log" 2>&1; then
  cat "$scratch/cmake.log" >&2
  fail "cmake configure"
fi
grep -E 'log4c-otel (include|library|[0-9])' "$scratch/cmake.log"
grep -qF -- "-- log4c-otel $version from $root$libdir/cmake/log4c-otel" "$scratch/cmake.log" ||
  fail "cmake did not use $root$libdir/cmake/log4c-otel"
grep -qF -- "-- log4c-otel include directory: $root$includedir" "$scratch/cmake.log" ||
  fail "cmake: wrong include directory"
grep -qF -- "-- log4c-otel library: $root$libdir/liblog4c-otel.so" "$scratch/cmake.log" ||
  fail "cmake: wrong library"
cmake --build "$scratch/cmake-build" >"$scratch/cmake-build.log" 2>&1 ||
  { cat "$scratch/cmake-build.log" >&2; fail "cmake --build"; }
run_quickstart "$scratch/cmake-build/quickstart" cmake
