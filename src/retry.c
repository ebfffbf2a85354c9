/*
 * retry.c - the retry policy of the OTLP/HTTP exporter (docs/OPERATIONS.md,
 * "Retries"): which
 * statuses may be retried, how long a server's Retry-After asks us to wait,
 * and the jittered exponential backoff used when it does not say.
 *
 * Kept apart from http_exporter.c so that it is pure (no I/O, no clock, no
 * global state) and can be tested exhaustively.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http_exporter.h"

/* A server may not park us for longer than this, whatever it says: the
 * export deadline bounds the wait anyway, and a bigger number only risks
 * arithmetic overflow. */
#define RETRY_AFTER_MAX_S 3600L

int otel_http_status_retryable(long status)
{
    /* OTLP/HTTP spec: only these mean "try again later"; every other 4xx/5xx
     * would fail the same way again. */
    return status == 429 || status == 502 || status == 503 || status == 504;
}

/* ---- Retry-After ------------------------------------------------------ */

/* Names are compared by hand, ASCII only, so that the result never depends on
 * the process locale (strptime %a/%b would follow LC_TIME). */
static const char *const wkday_short[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const wkday_long[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_ows(int c)
{
    return c == ' ' || c == '\t';
}

/* Consumes word w at *p (case-insensitively: recipients should be lenient). */
static int eat_word(const char **p, const char *w)
{
    const char *s = *p;
    while (*w) {
        if (ascii_lower((unsigned char)*s) != ascii_lower((unsigned char)*w))
            return 0;
        s++;
        w++;
    }
    *p = s;
    return 1;
}

static int eat_char(const char **p, char c)
{
    if (**p != c)
        return 0;
    (*p)++;
    return 1;
}

/* Exactly n digits. */
static int eat_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit((unsigned char)(*p)[i]))
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

/* Index of the name in names[0..n) found at *p, or -1. Longest names are
 * tried by the caller first where one is a prefix of another. */
static int eat_name(const char **p, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (eat_word(p, names[i]))
            return i;
    return -1;
}

/* "HH:MM:SS" (a leap second 60 is tolerated, as the RFCs allow). */
static int eat_time(const char **p, int *h, int *m, int *s)
{
    return eat_digits(p, 2, h) && eat_char(p, ':') && eat_digits(p, 2, m) && eat_char(p, ':') &&
           eat_digits(p, 2, s) && *h <= 23 && *m <= 59 && *s <= 60;
}

static int is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm): avoids timegm(), which is neither C nor POSIX. */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int valid_date(long long year, int mon, int day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || mon < 0 || mon > 11 || day < 1)
        return 0;
    return day <= mdays[mon] + (mon == 1 && is_leap(year));
}

/* RFC 7231 §7.1.1.1: a two-digit year more than 50 years in the future is
 * the most recent past year with those digits. */
static long long widen_rfc850_year(int yy, long long now_unix_s)
{
    time_t now = (time_t)now_unix_s;
    struct tm tm;
    long long cur = 1970;
    if (gmtime_r(&now, &tm))
        cur = (long long)tm.tm_year + 1900;
    long long y = cur - cur % 100 + yy;
    if (y > cur + 50)
        y -= 100;
    return y;
}

/* Parses one of the three HTTP-date forms into Unix seconds. */
static int parse_http_date(const char *p, long long now_unix_s, long long *out)
{
    int mon, day, hh, mm, ss, y4;
    long long year;

    /* Try the long weekday names first: "Sun" is a prefix of "Sunday". */
    const char *q = p;
    int wd = eat_name(&q, wkday_long, 7);
    if (wd >= 0) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
        int yy;
        if (!(eat_char(&q, ',') && eat_char(&q, ' ') && eat_digits(&q, 2, &day) && eat_char(&q, '-') &&
              (mon = eat_name(&q, month_names, 12)) >= 0 && eat_char(&q, '-') && eat_digits(&q, 2, &yy) &&
              eat_char(&q, ' ') && eat_time(&q, &hh, &mm, &ss) && eat_char(&q, ' ') && eat_word(&q, "GMT")))
            return -1;
        year = widen_rfc850_year(yy, now_unix_s);
    } else {
        q = p;
        if (eat_name(&q, wkday_short, 7) < 0)
            return -1;
        if (eat_char(&q, ',')) {
            /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
            if (!(eat_char(&q, ' ') && eat_digits(&q, 2, &day) && eat_char(&q, ' ') &&
                  (mon = eat_name(&q, month_names, 12)) >= 0 && eat_char(&q, ' ') && eat_digits(&q, 4, &y4) &&
                  eat_char(&q, ' ') && eat_time(&q, &hh, &mm, &ss) && eat_char(&q, ' ') && eat_word(&q, "GMT")))
                return -1;
        } else {
            /* asctime: Sun Nov  6 08:49:37 1994 (day padded with a space) */
            if (!(eat_char(&q, ' ') && (mon = eat_name(&q, month_names, 12)) >= 0 && eat_char(&q, ' ')))
                return -1;
            if (*q == ' ') {
                q++;
                if (!eat_digits(&q, 1, &day))
                    return -1;
            } else if (!eat_digits(&q, 2, &day)) {
                return -1;
            }
            if (!(eat_char(&q, ' ') && eat_time(&q, &hh, &mm, &ss) && eat_char(&q, ' ') && eat_digits(&q, 4, &y4)))
                return -1;
        }
        year = y4;
    }
    while (is_ows((unsigned char)*q))
        q++;
    if (*q != '\0' || !valid_date(year, mon, day))
        return -1;
    *out = days_from_civil(year, mon + 1, day) * 86400 + hh * 3600L + mm * 60L + ss;
    return 0;
}

long otel_parse_retry_after(const char *value, long long now_unix_s)
{
    if (!value)
        return -1;
    while (is_ows((unsigned char)*value))
        value++;
    if (*value == '\0')
        return -1;

    if (is_digit((unsigned char)*value)) {
        /* delta-seconds = 1*DIGIT: no sign, no fraction; saturate rather
         * than overflow on absurd values. */
        long secs = 0;
        const char *p = value;
        for (; is_digit((unsigned char)*p); p++) {
            if (secs < RETRY_AFTER_MAX_S)
                secs = secs * 10 + (*p - '0');
        }
        while (is_ows((unsigned char)*p))
            p++;
        if (*p != '\0')
            return -1;
        if (secs > RETRY_AFTER_MAX_S)
            secs = RETRY_AFTER_MAX_S;
        return secs * 1000;
    }

    long long when;
    if (parse_http_date(value, now_unix_s, &when) != 0)
        return -1;
    if (when <= now_unix_s)
        return 0;
    long long secs = when - now_unix_s;
    if (secs > RETRY_AFTER_MAX_S)
        secs = RETRY_AFTER_MAX_S;
    return (long)secs * 1000;
}

/* ---- backoff ---------------------------------------------------------- */

long otel_backoff_ms(unsigned attempt, long base_ms, long max_ms, uint32_t rnd)
{
    if (base_ms <= 0 || max_ms <= 0)
        return 0;
    if (attempt == 0)
        attempt = 1;

    /* base * 2^(attempt-1), doubling only while below the cap: bounded
     * (at most ~63 steps) and never overflows, whatever attempt is. */
    uint64_t cap = (uint64_t)max_ms;
    uint64_t v = (uint64_t)base_ms;
    for (unsigned i = 1; i < attempt && v < cap; i++)
        v *= 2;
    if (v > cap)
        v = cap;

    /* Jitter into [ceil(v/2), v] so that many clients failing together do
     * not come back together, while the wait still grows. */
    uint64_t lo = v - v / 2;
    uint64_t span = v - lo;
    uint64_t off = (uint64_t)((double)span * ((double)rnd / (double)UINT32_MAX));
    if (off > span)
        off = span;
    return (long)(lo + off);
}
