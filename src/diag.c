/*
 * diag.c - rate-limited diagnostics on stderr, masked (diag_mask.h). A
 * collector that is down must not turn into a flood of identical lines on
 * the application's stderr.
 */
#include "diag.h"
#include "clock.h"
#include "diag_mask.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WINDOW_NS (10ull * 1000000000ull)
#define LINES_PER_WINDOW 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t window_start;
static unsigned lines_in_window;
static unsigned long suppressed, suppressed_total;

/* fmt with ap into line, masked: a line too long for it is masked whole
 * before it is cut, so the cut never ends inside a secret left unmasked
 * (a quoted answer may echo a record; an endpoint or a path may match a
 * hideRegex). */
static void masked_line(char *line, size_t cap, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int need = vsnprintf(line, cap, fmt, ap);
    if (need >= 0 && (size_t)need >= cap) {
        char *full = malloc((size_t)need + 1);
        if (full && vsnprintf(full, (size_t)need + 1, fmt, again) == need) {
            otel_diag_mask_cut(full, (size_t)need, line, cap);
            free(full);
            va_end(again);
            return;
        }
        free(full);
        snprintf(line, cap, "log4c-otel: [diagnostic withheld: out of memory]");
        va_end(again);
        return;
    }
    va_end(again);
    otel_diag_mask_line(line, cap);
}

void otel_diag(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    masked_line(line, sizeof line, fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&lock);
    uint64_t now = otel_now_ns();
    if (window_start == 0 || now - window_start >= WINDOW_NS) {
        window_start = now;
        lines_in_window = 0;
    }
    if (lines_in_window >= LINES_PER_WINDOW) {
        suppressed++;
        suppressed_total++;
        pthread_mutex_unlock(&lock);
        return;
    }
    lines_in_window++;
    unsigned long skipped = suppressed;
    suppressed = 0;
    pthread_mutex_unlock(&lock);

    if (skipped)
        fprintf(stderr, "log4c-otel: (%lu similar lines suppressed)\n", skipped);
    fprintf(stderr, "%s\n", line);
}

void otel_diag_always(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    masked_line(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&lock);
    unsigned long skipped = suppressed;
    suppressed = 0;
    pthread_mutex_unlock(&lock);
    if (skipped)
        fprintf(stderr, "log4c-otel: (%lu similar lines suppressed)\n", skipped);
    fprintf(stderr, "%s\n", line);
}

int otel_diag_quiet(void)
{
    const char *v = getenv("LOG4C_OTEL_QUIET");
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
                 strcasecmp(v, "on") == 0);
}

unsigned long otel_diag_suppressed(void)
{
    pthread_mutex_lock(&lock);
    unsigned long n = suppressed_total;
    pthread_mutex_unlock(&lock);
    return n;
}

int otel_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void otel_diag_atfork_prepare(void) { pthread_mutex_lock(&lock); }
void otel_diag_atfork_release(void) { pthread_mutex_unlock(&lock); }
