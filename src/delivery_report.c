/*
 * delivery_report.c - the delivery diagnostics of delivery_report.h: the
 * state of each endpoint (failing since when, attempts), the drops not yet
 * reported by reason, and the exit line.
 */
#include "delivery_report.h"
#include "clock.h"
#include "diag.h"
#include "endpoint_text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define MAX_ENDPOINTS 8
/* a line built here whole (an endpoint of up to 1 KiB, a reason): otel_diag
 * masks it, then cuts it to its own length */
#define DIAG_LINE_MAX 2048

static const char *const reason_name[OTEL_OUT_N] = {
    [OTEL_OUT_QUEUE_FULL] = "queue_full",       [OTEL_OUT_EXPORT_FAILED] = "export_failed",
    [OTEL_OUT_REJECTED] = "rejected",           [OTEL_OUT_HTTP_ERROR] = "http_error",
    [OTEL_OUT_SHUTDOWN] = "shutdown",           [OTEL_OUT_SPOOL_FULL] = "spool_full",
};

static const char *const reason_text[OTEL_OUT_N] = {
    [OTEL_OUT_QUEUE_FULL] = "the queue is full (records logged faster than they are exported)",
    [OTEL_OUT_EXPORT_FAILED] = "export failed (retries ran out or the export timeout passed)",
    [OTEL_OUT_REJECTED] = "the collector rejected them",
    [OTEL_OUT_HTTP_ERROR] = "the collector answered with an error that is not retried",
    [OTEL_OUT_SHUTDOWN] = "still queued at the shutdown deadline, or logged after shutdown",
    [OTEL_OUT_SPOOL_FULL] = "the spool cannot take them",
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct endpoint_state {
    char name[1024]; /* a URL as endpoint_text.h prints it, whole: lines are masked before they are cut */
    int failing;
    unsigned attempts;   /* failed attempts since failing */
    uint64_t since_ns, last_line_ns;
} endpoints[MAX_ENDPOINTS];

static int said_first[OTEL_OUT_N];
static uint64_t pending[OTEL_OUT_N];
static uint64_t drops_line_ns;
static atomic_int exit_said;

/* The state of endpoint (a free slot, or the last one when all are taken);
 * caller holds lock. */
static struct endpoint_state *state_of(const char *endpoint)
{
    char name[sizeof endpoints[0].name];
    otel_endpoint_text(endpoint, name, sizeof name);
    for (int i = 0; i < MAX_ENDPOINTS; i++) {
        if (endpoints[i].name[0] == '\0') {
            snprintf(endpoints[i].name, sizeof endpoints[i].name, "%s", name);
            return &endpoints[i];
        }
        if (strcmp(endpoints[i].name, name) == 0)
            return &endpoints[i];
    }
    return &endpoints[MAX_ENDPOINTS - 1];
}

/* A failed attempt; then says what happens to its records. */
static void attempt_failed(const char *endpoint, const char *why, const char *then)
{
    if (otel_diag_quiet() || !endpoint)
        return;
    char line[DIAG_LINE_MAX];
    line[0] = '\0';
    uint64_t now = otel_now_ns();
    pthread_mutex_lock(&lock);
    struct endpoint_state *s = state_of(endpoint);
    if (!s->failing) {
        s->failing = 1;
        s->attempts = 1;
        s->since_ns = s->last_line_ns = now;
        snprintf(line, sizeof line, "log4c-otel: export to %s failed: %s; %s", s->name, why, then);
    } else {
        s->attempts++;
        if (now - s->last_line_ns >= OTEL_REPORT_INTERVAL_S * NS_PER_S) {
            s->last_line_ns = now;
            snprintf(line, sizeof line, "log4c-otel: export to %s still failing: %u failed attempts in %llu s; last: %s",
                     s->name, s->attempts, (unsigned long long)((now - s->since_ns) / NS_PER_S), why);
        }
    }
    pthread_mutex_unlock(&lock);
    if (line[0])
        otel_diag("%s", line);
}

void otel_report_attempt_failed(const char *endpoint, const char *why)
{
    attempt_failed(endpoint, why, "retrying, records wait in the queue");
}

void otel_report_attempt_refused(const char *endpoint, const char *why)
{
    attempt_failed(endpoint, why, "that request's records are dropped");
}

void otel_report_attempt_ok(const char *endpoint)
{
    if (otel_diag_quiet() || !endpoint)
        return;
    char line[DIAG_LINE_MAX];
    line[0] = '\0';
    pthread_mutex_lock(&lock);
    struct endpoint_state *s = state_of(endpoint);
    if (s->failing) {
        s->failing = 0;
        snprintf(line, sizeof line, "log4c-otel: export to %s recovered after %u failed attempts in %llu s", s->name,
                 s->attempts, (unsigned long long)((otel_now_ns() - s->since_ns) / NS_PER_S));
    }
    pthread_mutex_unlock(&lock);
    if (line[0])
        otel_diag_always("%s", line);
}

void otel_report_outcome(otel_outcome why, uint64_t n)
{
    if (n == 0 || why <= OTEL_OUT_EXPORTED || why >= OTEL_OUT_N || !reason_name[why] || otel_diag_quiet())
        return;
    char line[DIAG_LINE_MAX];
    line[0] = '\0';
    uint64_t now = otel_now_ns();
    pthread_mutex_lock(&lock);
    if (!said_first[why]) {
        said_first[why] = 1;
        if (drops_line_ns == 0)
            drops_line_ns = now;
        snprintf(line, sizeof line, "log4c-otel: dropping records (%s): %s; counts follow at most every %d s",
                 reason_name[why], reason_text[why], OTEL_REPORT_INTERVAL_S);
    }
    pending[why] += n;
    if (!line[0] && now - drops_line_ns >= OTEL_REPORT_INTERVAL_S * NS_PER_S) {
        size_t len = (size_t)snprintf(line, sizeof line, "log4c-otel: dropped in the last %llu s:",
                                      (unsigned long long)((now - drops_line_ns) / NS_PER_S));
        int any = 0;
        for (int i = 0; i < OTEL_OUT_N; i++)
            if (pending[i] && len < sizeof line) {
                len += (size_t)snprintf(line + len, sizeof line - len, "%s %s %llu", any ? "," : "", reason_name[i],
                                        (unsigned long long)pending[i]);
                pending[i] = 0;
                any = 1;
            }
        drops_line_ns = now;
        if (!any)
            line[0] = '\0';
    }
    pthread_mutex_unlock(&lock);
    if (line[0])
        otel_diag("%s", line);
}

void otel_report_exit(const log4c_otel_stats_t *s, const char *spool_dir)
{
    const struct {
        const char *name;
        uint64_t n;
    } by_reason[] = {
        {"queue_full", s->dropped_queue_full}, {"export_failed", s->dropped_export_failed},
        {"rejected", s->dropped_rejected},     {"http_error", s->dropped_http_error},
        {"shutdown", s->dropped_shutdown},     {"config", s->dropped_config},
        {"preinit", s->dropped_preinit},       {"reentrant", s->dropped_reentrant},
        {"spool_full", s->dropped_spool_full},
    };
    uint64_t dropped = 0;
    for (size_t i = 0; i < sizeof by_reason / sizeof by_reason[0]; i++)
        dropped += by_reason[i].n;
    if ((dropped == 0 && s->spooled == 0) || otel_diag_quiet() || atomic_exchange(&exit_said, 1))
        return;
    char line[DIAG_LINE_MAX];
    size_t len = (size_t)snprintf(line, sizeof line, "log4c-otel: at exit, %llu of %llu records accepted were not delivered",
                                  (unsigned long long)(dropped + s->spooled), (unsigned long long)s->accepted);
    const char *sep = ": dropped";
    for (size_t i = 0; i < sizeof by_reason / sizeof by_reason[0]; i++)
        if (by_reason[i].n && len < sizeof line) {
            len += (size_t)snprintf(line + len, sizeof line - len, "%s %s %llu", sep, by_reason[i].name,
                                    (unsigned long long)by_reason[i].n);
            sep = ",";
        }
    if (s->spooled && len < sizeof line)
        snprintf(line + len, sizeof line - len, "%s%llu spooled in %s (sent by the next process that uses it)",
                 dropped ? "; " : ": ", (unsigned long long)s->spooled, spool_dir ? spool_dir : "the spool");
    otel_diag_always("%s", line);
}
