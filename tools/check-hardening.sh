#!/usr/bin/env bash
# The hardening half of CI (the sibling of tools/check.sh, which it does not
# replace): the test suite again under tools that find what plain tests miss.
# Each stage is a separate out-of-tree (VPATH) build in build-<stage>/ and
# fails on any finding; all stages run, then the script exits non-zero if one
# failed. Each stage prints its duration.
#
#     tools/check-hardening.sh [STAGE...]     # default: asan tsan valgrind fuzz
#
#   asan      the whole `make check` (unit, integration, fuzz replays) built
#             with gcc -fsanitize=address,undefined -fno-sanitize-recover=all:
#             memory errors, leaks at exit (LeakSanitizer) and undefined
#             behaviour all fail. The LD_PRELOAD test puts the ASan runtime
#             first (harness.mjs: LOG4C_OTEL_TEST_PRELOAD). Skipped: the fork
#             test. gcc 12's libasan.so.8 has no fork interceptor and no
#             pthread_atfork handler (LLVM added one in December 2023:
#             llvm-project PR 75290), so the child inherits, held, the
#             allocator locks the parent's other threads held at the fork.
#             Verified (gcc 12.2.0, glibc 2.36, machine loaded): of 30 runs,
#             18 children hung for ever in __sanitizer::Mutex::Lock, from
#             SizeClassAllocator64::GetFromAllocator (malloc; free's
#             quarantine) or from LSan's LockAllocator at exit, no thread of
#             the child holding the lock; the other 12 exited 1: LSan reported
#             as leaks what only the parent's threads referenced. A program of
#             4 threads doing malloc/free and a fork, without log4c, hangs the
#             same. glibc's malloc is locked around fork: plain runs pass.
#   tsan      the whole `make check` built with -fsanitize=thread: every
#             program the integration tests start runs the export worker next
#             to the logging threads, so the whole suite is the threaded suite
#             (queue/spans/http/line_file/sources unit tests, logdemo threads,
#             spandemo writers, capturedemo readers). Skipped: the fork test
#             (TSan does not support threads started after a multi-threaded
#             fork). Runs under `setarch -R` when the kernel's
#             ASLR is too wide for this TSan (probed first).
#   valgrind  integration tests that together start every C program (logdemo,
#             plain_log4c with LD_PRELOAD, spandemo, capturedemo, leakdemo,
#             js_regex_table, log4c-otel-run, log4c-otel-check, platform_demo,
#             initdemo; logdemo over gRPC), each program under memcheck
#             (harness.mjs: LOG4C_OTEL_TEST_WRAPPER): any error, and any
#             definite or indirect leak at exit, fails. Left out: test_tracing
#             (60 SIGKILLs at random moments and 8 writer threads: too slow under
#             valgrind to end spans before the kill; spandemo is covered by
#             test_sections). Skipped tests: fork (the child reports as leaks
#             what only the parent's other threads held) and spawn-error
#             (valgrind's posix_spawn reports exec failures late).
#             hideRegex runs without PCRE2's JIT (LOG4C_OTEL_PCRE2_JIT=0).
#   fuzz      every tests/fuzz/fuzz_*.c with clang libFuzzer + ASan/UBSan for
#             FUZZ_SECONDS each on a copy of its seed corpus (run-fuzzers.sh).
#
# Environment:
#   HARDENING_BUILD_ROOT  where build-<stage>/ go (default: the source tree)
#   FUZZ_SECONDS          seconds per fuzz target (default 20)
#   HARDENING_SOAK_SECONDS  soak tests under ASan run this long (default 10;
#                         harness.mjs soakSeconds()); TSan runs them 3 s (the
#                         spool's drainer and sender threads are exercised
#                         there); valgrind skips them
#   HARDENING_JOBS        make -j (default nproc)
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=${HARDENING_BUILD_ROOT:-$top}
jobs=${HARDENING_JOBS:-$(nproc)}
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}
soak=${HARDENING_SOAK_SECONDS:-10}
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(asan tsan valgrind fuzz)

# automake refuses a VPATH build from a source tree configured in place (as
# tools/check.sh leaves it): then the builds use a copy of the tracked files
# (as they are in the working tree) in build-src/.
src=$top
if [ -f "$top/config.status" ]; then
  src="$root/build-src"
  rm -rf "$src" && mkdir -p "$src" || exit 1
  (cd "$top" && git ls-files -z | while IFS= read -r -d '' f; do
     [ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$src") || exit 1
  export LOG4C_OTEL_NODE_MODULES=${LOG4C_OTEL_NODE_MODULES:-$top/tests/receiver/node_modules}
fi
[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi >/dev/null) || exit 1

# configure + make in build-<name>/ with the given configure arguments.
# No --enable-werror here: the sanitizers change gcc's optimisation and bring
# spurious -Wformat-truncation warnings; tools/check.sh enforces warnings.
build() {
  local name=$1
  shift
  local dir="$root/build-$name"
  mkdir -p "$dir" || return 1
  (cd "$dir" && "$src/configure" "$@" >configure.out 2>&1) || {
    tail -n 30 "$dir/config.log" | tee "$dir/failures.txt"
    return 1
  }
  make -C "$dir" -j"$jobs" >"$dir/make.out" 2>&1 || {
    tail -n 50 "$dir/make.out"
    tail -n 20 "$dir/make.out" >"$dir/failures.txt"
    return 1
  }
}

# The failing subtests of a node:test log: each "not ok" line and its YAML
# block up to the stack (the assertion's message, expected and actual), at
# most 20 lines of 300 characters a subtest.
not_ok_blocks() {
  awk '/^ *not ok / { on = 1; n = 0; skip = 0 }
       on && /^ *stack: / { skip = 1 }
       on && /^ *\.\.\.$/ { on = 0; next }
       on && !skip && n++ < 20 { print substr($0, 1, 300) }' "$1"
}

# make check in build-<name>/ (extra make arguments after the name); prints the
# failing tests' logs and the summary line, and keeps their failing subtests
# (a log without any, a C unit test's: its last 10 lines) in
# build-<name>/failures.txt for the digest at the end.
check() {
  local name=$1
  shift
  local dir="$root/build-$name" status=0
  rm -f "$dir/failures.txt"
  "${run_prefix[@]}" make -C "$dir" -j"$jobs" check "$@" >"$dir/check.out" 2>&1 || status=$?
  grep -E '^(FAIL|ERROR|XPASS):' "$dir/check.out" | while read -r _ t; do
    local log="$dir/${t%.mjs}.log" # automake drops the .mjs extension (TEST_EXTENSIONS)
    echo "---- $log (tail)"
    tail -n 60 "$log"
    local blocks
    blocks=$(not_ok_blocks "$log")
    { echo "-- $name: $t"; if [ -n "$blocks" ]; then echo "$blocks"; else tail -n 10 "$log"; fi; } >>"$dir/failures.txt"
  done
  local skipped
  skipped=$(find "$dir/tests" -name '*.log' -exec grep -h '# SKIP LOG4C_OTEL_TEST_SKIP' {} + 2>/dev/null | wc -l)
  echo "$name: $(grep -cE '^PASS:' "$dir/check.out") passed, $(grep -cE '^(FAIL|ERROR|XPASS):' "$dir/check.out") failed, $skipped tests skipped by tag"
  return "$status"
}

stage_asan() {
  local san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  build asan CC="gcc $san" CFLAGS="-g -O1" || return 1
  ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LOG4C_OTEL_TEST_PRELOAD=$(gcc -print-file-name=libasan.so) \
  LOG4C_OTEL_TEST_SANITIZER=asan \
  LOG4C_OTEL_TEST_SOAK_SECONDS=$soak \
  LOG4C_OTEL_TEST_SKIP=fork \
    check asan
}

stage_tsan() {
  build tsan CC="gcc -fsanitize=thread" CFLAGS="-g -O1" || return 1
  # Some kernels map with more ASLR entropy than gcc 12's TSan handles
  # ("FATAL: ThreadSanitizer: unexpected memory mapping"): probe, then
  # fall back to running without randomisation.
  local probe="$root/build-tsan/tsan-probe"
  run_prefix=()
  printf '#include <pthread.h>\nstatic int x;\nstatic void *f(void *a){(void)a;__atomic_add_fetch(&x,1,__ATOMIC_SEQ_CST);return 0;}\nint main(void){pthread_t t;pthread_create(&t,0,f,0);pthread_join(t,0);return 0;}\n' >"$probe.c"
  gcc -fsanitize=thread -pthread "$probe.c" -o "$probe" || return 1
  if ! "$probe" >/dev/null 2>&1; then
    echo "tsan: the probe failed with ASLR on; running under setarch -R"
    run_prefix=(setarch "$(uname -m)" -R)
    "${run_prefix[@]}" "$probe" || return 1
  fi
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  LOG4C_OTEL_TEST_SOAK_SECONDS=3 \
  LOG4C_OTEL_TEST_SANITIZER=tsan \
  LOG4C_OTEL_TEST_SKIP=fork \
    check tsan
  local status=$?
  run_prefix=()
  return "$status"
}

VALGRIND_TESTS="tests/integration/test_wire.mjs tests/integration/test_delivery.mjs \
tests/integration/test_config.mjs tests/integration/test_sections.mjs tests/integration/test_sources.mjs \
tests/integration/test_run.mjs tests/integration/test_demo.mjs tests/integration/test_file.mjs \
tests/integration/test_tls.mjs tests/integration/test_leaks.mjs tests/integration/test_js_regex.mjs \
tests/integration/test_grpc.mjs tests/integration/test_check.mjs tests/integration/test_init_check.mjs"

stage_valgrind() {
  build valgrind CFLAGS="-g -O1" || return 1
  local logs="$root/build-valgrind/valgrind-logs" status=0
  rm -rf "$logs" && mkdir -p "$logs"
  # -q: a log then holds only findings ("==pid== ..."); valgrind's own
  # warnings ("--pid-- WARNING: unhandled syscall 434", pidfd_open, which
  # our code falls back from) are not findings.
  LOG4C_OTEL_TEST_WRAPPER="env LOG4C_OTEL_PCRE2_JIT=0 valgrind -q --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
--error-exitcode=99 --log-file=$logs/vg.%p.log" \
  LOG4C_OTEL_TEST_SKIP=fork,spawn-error,soak \
    check valgrind TESTS="$VALGRIND_TESTS" || status=1
  local found
  found=$(grep -lE '^==[0-9]+== ' "$logs"/*.log 2>/dev/null || true)
  echo "valgrind: $(ls "$logs" | wc -l) program runs checked, $(echo -n "$found" | grep -c .) with findings"
  for f in $found; do
    echo "---- $f"
    head -n 80 "$f"
    { echo "-- valgrind: $f"; head -n 20 "$f"; } >>"$root/build-valgrind/failures.txt"
    status=1
  done
  return "$status"
}

stage_fuzz() {
  FUZZ_WORKDIR="$root/build-fuzz" "$top/tests/fuzz/run-fuzzers.sh"
}

run_prefix=() # what runs make check (setarch -R for TSan, when needed)
failed=()
summary=()
for s in "${stages[@]}"; do
  if ! declare -F "stage_$s" >/dev/null; then
    echo "check-hardening: unknown stage $s" >&2
    exit 2
  fi
  echo "==== hardening: $s"
  t0=$SECONDS
  if "stage_$s"; then r=ok; else r=FAILED; failed+=("$s"); fi
  summary+=("$s $r $((SECONDS - t0)) s")
  echo "==== hardening: $s $r in $((SECONDS - t0)) s"
done
# The failing subtests (and valgrind's findings) again, last, where a
# reader of the output's end sees them (the stages after a failing one
# print a lot).
for s in "${failed[@]}"; do
  [ -s "$root/build-$s/failures.txt" ] || continue
  echo "==== hardening: what failed in $s"
  head -n 60 "$root/build-$s/failures.txt"
done
printf 'check-hardening: %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "check-hardening: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "check-hardening: all stages ok"
