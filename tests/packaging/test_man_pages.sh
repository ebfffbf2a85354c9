#!/usr/bin/env bash
# Lints every man page the project installs, and checks that two of them
# still match the code:
#   - mandoc -T lint: man/*.1 *.3 *.7 fail on any warning or error,
#     tools/log4c-otel-run.1 on any error (its warnings are printed);
#     without mandoc, man --warnings (groff) must print nothing;
#   - log4c-otel(3) names every function include/log4c-otel.h declares;
#   - log4c-otel(7) names every OTEL_* and LOG4C_OTEL_* variable the library
#     and the tools read, and no other.
# Run by make check; SKIP (77) only when neither mandoc nor man is installed.
set -euo pipefail
: "${top_srcdir:?}"
cd "$top_srcdir"

status=0
fail() { echo "FAIL: $*" >&2; status=1; }

own_pages=(man/log4c-otel-check.1 man/log4c-otel.3 man/log4c-otel.7)
other_pages=(tools/log4c-otel-run.1)

# ---- lint ----
if command -v mandoc >/dev/null 2>&1; then
  for page in "${own_pages[@]}"; do
    if mandoc -T lint -W warning "$page"; then echo "PASS: mandoc -T lint -W warning $page"; else fail "mandoc -T lint: $page"; fi
  done
  for page in "${other_pages[@]}"; do
    mandoc -T lint "$page" || true # all messages, for the reader
    if mandoc -T lint -W error "$page" >/dev/null 2>&1; then echo "PASS: mandoc -T lint -W error $page"; else fail "mandoc -T lint: errors in $page"; fi
  done
elif command -v man >/dev/null 2>&1; then
  echo "mandoc not found (Debian package mandoc): linting with man --warnings"
  for page in "${own_pages[@]}" "${other_pages[@]}"; do
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -E UTF-8 -l "$page" 2>&1 >/dev/null)
    if [ -z "$out" ]; then echo "PASS: man --warnings $page"; else printf '%s\n' "$out" >&2; fail "man --warnings: $page"; fi
  done
else
  echo "SKIP: neither mandoc nor man is installed (tools/install-deps.sh installs mandoc)"
  exit 77
fi

# ---- log4c-otel(3) names every public function ----
# declarations: lines of code (not comments) with log4c_otel_NAME( , and the
# function-like macros #define log4c_otel_NAME(
functions=$(grep -vE '^[[:space:]]*(/?\*|//)' include/log4c-otel.h |
  grep -oE '(^|[[:space:]*])log4c_otel_[a-z0-9_]+\(' | grep -oE 'log4c_otel_[a-z0-9_]+' | sort -u)
[ -n "$functions" ] || fail "no function found in include/log4c-otel.h"
n=0
for f in $functions; do
  n=$((n + 1))
  grep -qw -- "$f" man/log4c-otel.3 || fail "log4c-otel(3) does not name $f (include/log4c-otel.h declares it)"
done
echo "checked: log4c-otel(3) names the $n functions of include/log4c-otel.h"

# ---- log4c-otel(7) names exactly the variables the code reads ----
code() { grep -r --include='*.c' --exclude-dir=tests --exclude-dir=bench --exclude-dir=examples \
  --exclude-dir='build*' --exclude-dir=_build --exclude-dir=gen --exclude-dir=node_modules "$@" .; }
read_vars=$(code -hoE '"(LOG4C_OTEL|OTEL)_[A-Z0-9_]+"' | tr -d '"' | sort -u)
page_vars=$(grep -oE '\b(LOG4C_OTEL|OTEL)_[A-Z0-9_]*[A-Z0-9]\b' man/log4c-otel.7 | sort -u)
for v in $read_vars; do
  grep -qx -- "$v" <<<"$page_vars" || fail "log4c-otel(7) does not document $v (read by $(code -lF -- "\"$v\"" | head -n1))"
done
for v in $page_vars; do
  grep -qx -- "$v" <<<"$read_vars" || fail "log4c-otel(7) documents $v, which no source file reads"
done
echo "checked: log4c-otel(7) documents the $(wc -w <<<"$read_vars") variables the code reads"

exit "$status"
