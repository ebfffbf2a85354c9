/*
 * fuzz_retry_after.c - otel_parse_retry_after (a Retry-After header value
 * from the collector: untrusted). Checks, for several "now" values:
 *  - the result is -1 or a whole number of seconds in [0, 3600] s;
 *  - delta-seconds agree with a reference (saturating at 3600 s);
 *  - an accepted HTTP-date agrees with glibc's strptime + timegm (an
 *    independent oracle), names a real calendar date, and gives exactly
 *    when - now when that is in range, 0 when it is past;
 *  - acceptance of IMF-fixdate / asctime dates does not depend on now.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strptime, timegm */
#endif
#include "fuzz_common.h"

#include <string.h>
#include <time.h>

#include "http_exporter.h"

#define MAX_MS 3600000L

static const long long nows[] = {0LL, 784111777LL /* Sun, 06 Nov 1994 08:49:37 GMT */, 1700000000LL,
                                 4102444800LL /* 2100-01-01 */, -1000000000LL};
#define NNOWS (sizeof nows / sizeof nows[0])

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static long expected_ms(long long when, long long now)
{
    if (when <= now)
        return 0;
    return when - now >= 3600 ? MAX_MS : (long)(when - now) * 1000;
}

/* Reference for 1*DIGIT *OWS: -1, or seconds saturated at 3600. */
static long ref_delta(const char *v)
{
    const char *p = v;
    while (*p == '0')
        p++;
    const char *sig = p;
    while (*p >= '0' && *p <= '9')
        p++;
    size_t ndig = (size_t)(p - sig);
    while (is_ows(*p))
        p++;
    if (*p != '\0')
        return -1;
    if (ndig > 4)
        return MAX_MS;
    long s = 0;
    for (const char *q = sig; q < sig + ndig; q++)
        s = s * 10 + (*q - '0');
    return (s > 3600 ? 3600 : s) * 1000;
}

static int letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The date that an accepted value names, by strptime/timegm. For RFC 850
 * dates the two-digit year is widened relative to now (RFC 7231 7.1.1.1). */
static long long oracle_when(const char *v, long long now)
{
    struct tm tm;
    const char *rest;
    int rfc850 = 0;

    memset(&tm, 0, sizeof tm);
    if (strlen(v) > 3 && letter(v[3])) {
        rest = strptime(v, "%A, %d-%b-%y %H:%M:%S", &tm);
        rfc850 = 1;
    } else if (strlen(v) > 3 && v[3] == ',') {
        rest = strptime(v, "%a, %d %b %Y %H:%M:%S", &tm);
    } else {
        rest = strptime(v, "%a %b %e %H:%M:%S %Y", &tm);
    }
    FUZZ_CHECK(rest != NULL); /* accepted by the parser => a date strptime can read */
    if (rfc850) {
        time_t t = (time_t)now;
        struct tm nt;
        long long cur = gmtime_r(&t, &nt) ? nt.tm_year + 1900LL : 1970;
        long long y = cur - cur % 100 + tm.tm_year % 100;
        if (y > cur + 50)
            y -= 100;
        tm.tm_year = (int)(y - 1900);
    }
    struct tm before = tm;
    time_t when = timegm(&tm);
    if (before.tm_sec < 60) { /* a real calendar date: timegm did not normalise it */
        FUZZ_CHECK(tm.tm_mday == before.tm_mday);
        FUZZ_CHECK(tm.tm_mon == before.tm_mon);
        FUZZ_CHECK(tm.tm_year == before.tm_year);
    }
    FUZZ_CHECK(before.tm_year + 1900 >= 1 && before.tm_year + 1900 <= 9999);
    return (long long)when;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = fuzz_strndup(data, size);
    const char *v = value;
    while (is_ows(*v))
        v++;
    int digits = *v >= '0' && *v <= '9';
    int rfc850 = strlen(v) > 3 && letter(v[3]);

    long first = 0;
    for (size_t i = 0; i < NNOWS; i++) {
        long r = otel_parse_retry_after(value, nows[i]);
        FUZZ_CHECK(r == -1 || (r >= 0 && r <= MAX_MS && r % 1000 == 0));
        if (digits) {
            FUZZ_CHECK(r == ref_delta(v));
        } else if (r != -1) {
            FUZZ_CHECK(r == expected_ms(oracle_when(v, nows[i]), nows[i]));
        }
        if (i == 0)
            first = r;
        else if (!rfc850) /* only an RFC 850 year depends on now */
            FUZZ_CHECK((r == -1) == (first == -1));
    }

    /* Around the date itself, where the answer is not saturated. */
    if (!digits && !rfc850 && first != -1) {
        long long when = oracle_when(v, 0);
        FUZZ_CHECK(otel_parse_retry_after(value, when - 1234) == 1234000);
        FUZZ_CHECK(otel_parse_retry_after(value, when - 1) == 1000);
        FUZZ_CHECK(otel_parse_retry_after(value, when) == 0);
        FUZZ_CHECK(otel_parse_retry_after(value, when + 7) == 0);
        FUZZ_CHECK(otel_parse_retry_after(value, when - 4000) == MAX_MS);
    }

    FUZZ_CHECK(otel_parse_retry_after(NULL, 0) == -1);
    free(value);
    return 0;
}
