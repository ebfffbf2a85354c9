/*
 * fixed_clock.c - an LD_PRELOAD shim that makes log4c's event time known:
 * gettimeofday() (which log4c uses to stamp each event, and nothing of the
 * library's own clock does) returns FIXED_CLOCK_USEC microseconds since the
 * epoch on its first call, then one microsecond more on each call after.
 * A test can then compare each record's timeUnixNano with an exact value.
 * Only the test build uses it (check_LTLIBRARIES).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>

static atomic_ullong calls;

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    const char *v = getenv("FIXED_CLOCK_USEC");
    unsigned long long base = v && *v ? strtoull(v, NULL, 10) : 1000000000000000ull;
    unsigned long long t = base + atomic_fetch_add(&calls, 1);
    tv->tv_sec = (time_t)(t / 1000000u); /* tv is never NULL (glibc declares it nonnull) */
    tv->tv_usec = (suseconds_t)(t % 1000000u);
    return 0;
}
