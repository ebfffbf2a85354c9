#!/usr/bin/env bash
# instructions.sh - instructions per record on the logging thread and on the
# library's own threads (the export thread and what it starts), counted by
# valgrind's callgrind, which repeats to within a few instructions where
# wall-clock figures on these machines do not.
#
#   bench/instructions.sh [MODE...]    (default: accepted filtered masked secrets secrets_hit)
#
# secrets and secrets_hit mask with the secret-scanning set of
# bench/data/secret-patterns.json (BENCH_SECRETS) as one alternation, the
# record without and with a secret; secrets_each and secrets_each_hit with
# one rule per pattern; unmasked_hit is the record with a secret unmasked.
# Each MODE is one path of `bench_log --profile MODE N`; the figure is
# (count(2N) - count(N)) / N, so start-up and shutdown cancel out. N is
# BENCH_PROFILE_N (default 10000). Run after `make bench/bench_log
# bench/otlp_sink` in the build directory (make bench-instructions does both).
set -euo pipefail
top=${top_builddir:-.}
n=${BENCH_PROFILE_N:-10000}
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(accepted filtered masked secrets secrets_hit)
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Totals of one run: "caller library" (thread 1 is the logging thread; every
# other thread of the process belongs to the library).
count() {
  local mode=$1 records=$2 dir="$work/$1-$2"
  mkdir -p "$dir"
  BENCH_SINK="$top/bench/otlp_sink" LD_LIBRARY_PATH="$top/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/cg.out" \
    "$top/bench/.libs/bench_log" --profile "$mode" "$records" >/dev/null 2>"$dir/log" || {
    cat "$dir/log" >&2
    exit 1
  }
  local caller=0 library=0 f t s
  for f in "$dir"/cg.out*; do
    t=${f##*-}
    s=$(sed -n 's/^summary: *//p' "$f")
    s=${s%% *}
    [ -n "$s" ] || s=$(sed -n 's/^totals: *//p' "$f" | cut -d' ' -f1)
    if [ "$t" = "01" ] || [ "$t" = "1" ]; then caller=$((caller + s)); else library=$((library + s)); fi
  done
  echo "$caller $library"
}

printf '%-20s %12s %12s\n' mode caller library
for m in "${modes[@]}"; do
  read -r c1 l1 < <(count "$m" "$n")
  read -r c2 l2 < <(count "$m" $((2 * n)))
  printf '%-20s %12d %12d\n' "$m" $(((c2 - c1) / n)) $(((l2 - l1) / n))
done
