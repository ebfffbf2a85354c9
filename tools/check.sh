#!/usr/bin/env bash
# The test command of the README (and of CI): installs what is missing,
# builds with warnings as errors and runs the whole suite (make check).
# Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/install-deps.sh
autoreconf -fi
./configure --enable-werror
make -j"$(nproc)"
status=0
make -j"$(nproc)" check || status=$?

log=test-suite.log
if [ -f "$log" ]; then
  pass=$(sed -n 's/^# PASS: *//p' "$log" | head -n1)
  fail=$(( $(sed -n 's/^# FAIL: *//p' "$log" | head -n1) + $(sed -n 's/^# ERROR: *//p' "$log" | head -n1) ))
  [ "$status" -ne 0 ] && cat "$log"
  echo "${pass:-0} passed, ${fail:-0} failed"
fi
exit "$status"
