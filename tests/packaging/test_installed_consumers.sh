#!/usr/bin/env bash
# Installs the build into a scratch directory (make install DESTDIR=...),
# checks that every file a user needs is where the configured directories
# say, then builds examples/quickstart.c against that staged installation
# with pkg-config and with CMake and runs it (build-quickstart.sh).
#
# Run by make check (the LOG4C_OTEL_TEST_* variables come from the Makefile).
# Without cmake the CMake half is skipped with a message and the test reports
# SKIP (exit 77) once the pkg-config half has passed.
set -euo pipefail

: "${top_builddir:?}" "${top_srcdir:?}"
make=${LOG4C_OTEL_TEST_MAKE:-make}
prefix=${LOG4C_OTEL_TEST_PREFIX:?} libdir=${LOG4C_OTEL_TEST_LIBDIR:?}
includedir=${LOG4C_OTEL_TEST_INCLUDEDIR:?} mandir=${LOG4C_OTEL_TEST_MANDIR:?}
docdir=${LOG4C_OTEL_TEST_DOCDIR:?} version=${LOG4C_OTEL_TEST_VERSION:?}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/log4c-otel-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
stage=$scratch/root
fail() { echo "FAIL: $*" >&2; exit 1; }

# (a nested make: drop the jobserver of the make check that runs this test)
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $make -C "$top_builddir" install DESTDIR="$stage" \
     >"$scratch/install.log" 2>&1; then
  cat "$scratch/install.log" >&2
  fail "make install DESTDIR=$stage"
fi
for f in "$includedir/log4c-otel.h" "$libdir/liblog4c-otel.so" "$libdir/pkgconfig/log4c-otel.pc" \
         "$libdir/cmake/log4c-otel/log4c-otel-config.cmake" \
         "$libdir/cmake/log4c-otel/log4c-otel-config-version.cmake" \
         "$mandir/man1/log4c-otel-check.1" "$mandir/man1/log4c-otel-run.1" \
         "$mandir/man3/log4c-otel.3" "$mandir/man7/log4c-otel.7" "$docdir/README.md"; do
  [ -e "$stage$f" ] || fail "not installed: $f"
  echo "installed: $f"
done

# the compiler of this build (a sanitizer build's flags included)
CC=${LOG4C_OTEL_TEST_CC:-cc} CFLAGS=${LOG4C_OTEL_TEST_CFLAGS:-} \
  "$top_srcdir/tests/packaging/build-quickstart.sh" "$stage" "$prefix" "$libdir" "$includedir" "$version"
