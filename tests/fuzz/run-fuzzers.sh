#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz/ with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer against the core sources (src/*.c plus the
# protobuf-c code generated from proto/, as Makefile.am does, into a temporary
# directory), then runs each for a bounded time on a copy of its seed corpus.
#
#     tests/fuzz/run-fuzzers.sh [TARGET...]      # e.g. utf8 settings; default: all
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 30; 0 = only replay the corpus)
#   FUZZ_CC       compiler (default clang; needs libclang-rt-*-dev)
#   FUZZ_WORKDIR  where to build and run (default: a new mktemp -d, removed on
#                 success, kept when something failed)
#   FUZZ_JOBS     libFuzzer -jobs/-workers per target (default 1)
#   FUZZ_PARALLEL targets built and run at once, and compilations of the
#                 core at once (default: the number of processors)
#
# Exits non-zero when a target fails to build or a fuzzer finds a crash, a
# leak, undefined behaviour, a timeout or an invariant violation; the
# reproducers are left in $FUZZ_WORKDIR/artifacts/<target>/ (their path and
# hex dump are printed). Nothing in the source tree is modified.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-30}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}
parallel=${FUZZ_PARALLEL:-$(nproc)}
protoc_c=${PROTOC_C:-protoc-c}

if [ -n "${FUZZ_WORKDIR:-}" ]; then
  work=$FUZZ_WORKDIR
  mkdir -p "$work"
  own_work=0
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/log4c-otel-fuzz.XXXXXX")
  own_work=1
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in "$here"/fuzz_*.c; do
    n=${f##*/fuzz_}
    targets+=("${n%.c}")
  done
fi

command -v "$cc" >/dev/null || { echo "run-fuzzers: $cc not found" >&2; exit 2; }
command -v "$protoc_c" >/dev/null || { echo "run-fuzzers: protoc-c not found (protobuf-c-compiler)" >&2; exit 2; }
pkgs="libprotobuf-c jansson libcurl zlib libpcre2-8"
dep_cflags=$(pkg-config --cflags $pkgs)
dep_libs=$(pkg-config --libs $pkgs)

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -fno-omit-frame-pointer $san -D_GNU_SOURCE -pthread
        -I$top/include -I$top/src -I$work/gen $dep_cflags"

# ---- the core, as libotelcore.la: src/*.c + generated protobuf-c code ----
echo "run-fuzzers: building the core in $work"
rm -rf "$work/gen" "$work/obj"
mkdir -p "$work/gen" "$work/obj"
mapfile -t protos < <(cd "$top/proto" && find . -name '*.proto' | sed 's|^\./||' | sort)
(cd "$top/proto" && "$protoc_c" --c_out="$work/gen" --proto_path=. "${protos[@]}")
mapfile -t core_srcs < <(ls "$top"/src/*.c; find "$work/gen" -name '*.pb-c.c' | sort)
# compiled FUZZ_PARALLEL at a time; objects in source order for the archive
objs=()
for src in "${core_srcs[@]}"; do
  objs+=("$work/obj/$(echo "${src#"$top"/}" | tr '/' '_').o")
done
compile_one() { # SRC OBJ
  # shellcheck disable=SC2086
  "$cc" $cflags -fsanitize=fuzzer-no-link -c "$1" -o "$2"
}
export -f compile_one
export cc cflags
for i in "${!core_srcs[@]}"; do
  printf '%s\0%s\0' "${core_srcs[$i]}" "${objs[$i]}"
done | xargs -0 -n 2 -P "$parallel" bash -c 'compile_one "$1" "$2"' compile_one
rm -f "$work/libcore.a"
ar rcs "$work/libcore.a" "${objs[@]}"

# ---- each target ----
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Builds and runs one target; its outcome goes to $work/status_<t> (0, or
# why it failed) and its output to $work/run_<t>.log, printed in target
# order once every target is done.
run_target() { # TARGET
  local t=$1 src="$here/fuzz_$1.c" bin="$work/fuzz_$1" corpus="$work/corpus/$1" artifacts="$work/artifacts/$1"
  local status=0 args
  if [ ! -f "$src" ]; then
    echo "run-fuzzers: no such target: $t" >&2
    echo missing >"$work/status_$t"
    return
  fi
  echo "run-fuzzers: building fuzz_$t"
  # shellcheck disable=SC2086
  if ! "$cc" $cflags -fsanitize=fuzzer "$src" "$work/libcore.a" $dep_libs -o "$bin"; then
    echo build >"$work/status_$t"
    return
  fi
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "$here/corpus/$t" ]; then
    cp -R "$here/corpus/$t/." "$corpus/"
  fi
  args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "-artifact_prefix=$artifacts/")
  [ -f "$here/fuzz_$t.dict" ] && args+=("-dict=$here/fuzz_$t.dict")
  if [ "$seconds" -gt 0 ]; then
    args+=("-max_total_time=$seconds")
  else
    args+=(-runs=0)
  fi
  [ "$jobs" -gt 1 ] && args+=("-jobs=$jobs" "-workers=$jobs")

  echo "run-fuzzers: running fuzz_$t for ${seconds}s"
  (cd "$artifacts" && "$bin" "${args[@]}" "$corpus") >"$work/fuzz_$t.log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|Done [0-9]+ runs)' "$work/fuzz_$t.log" | tail -n 2 || true
  if [ "$status" -ne 0 ]; then
    echo "run-fuzzers: fuzz_$t FAILED (exit $status); log: $work/fuzz_$t.log" >&2
    grep -E 'ERROR: |runtime error|invariant violated|SUMMARY' "$work/fuzz_$t.log" | head -n 10 >&2 || true
    for a in "$artifacts"/*; do
      [ -f "$a" ] || continue
      echo "  reproducer $a:" >&2
      od -An -tx1 -v "$a" | head -n 20 >&2
    done
    echo "exit $status" >"$work/status_$t"
  else
    echo "run-fuzzers: fuzz_$t ok ($(ls "$corpus" | wc -l) corpus entries)"
    echo 0 >"$work/status_$t"
  fi
}

# FUZZ_PARALLEL targets at a time (each fuzzer is one process on one core)
running=0
for t in "${targets[@]}"; do
  rm -f "$work/status_$t"
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$t" >"$work/run_$t.log" 2>&1 &
  running=$((running + 1))
done
wait || true

failed=()
for t in "${targets[@]}"; do
  cat "$work/run_$t.log"
  st=$(cat "$work/status_$t" 2>/dev/null || echo "no outcome")
  case $st in
    0) ;;
    missing | build) failed+=("$t($st)") ;;
    *) failed+=("$t") ;;
  esac
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzzers: FAILED: ${failed[*]} (work directory kept: $work)" >&2
  exit 1
fi
echo "run-fuzzers: all ${#targets[@]} targets ok"
[ "$own_work" -eq 1 ] && rm -rf "$work"
exit 0
