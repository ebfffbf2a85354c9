/*
 * spandemo.c - the program the tracing integration tests run: spans
 * through the public API with log4c configured by the test's log4crc.
 *
 *   spandemo nested        records inside nested spans, a remote parent, an
 *                          attached context; prints the ids as JSON
 *   spandemo crash T [P]   T threads start and end spans forever; after each
 *                          end returns, "E <trace>-<span>" on stdout (one
 *                          write) - the test SIGKILLs it at a random moment.
 *                          With P, the child span's "pad" attribute is 20 to
 *                          P bytes long (varying), else a fixed sentence
 *   spandemo spans T N     T threads end N spans each (attributes t, i)
 *   spandemo filtercontext spans with filtering contexts (own, inherited
 *                          from the parent span, numbers, service.name): ends
 *                          ws.other, ws.mine, request > ws.inherited,
 *                          ws.nocontext, num.seven, num.string, svc.op, in
 *                          that order; the test's filters decide which lines
 *                          are written
 *   spandemo stdin         for each number N read from stdin, ends N spans
 *                          (lines of about 100 B to 3 KB), "E <trace>-<span>"
 *                          after each end returns, then "ok"; at end of input
 *                          prints the counters
 */
#include <log4c.h>
#include <log4c-otel.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static log4c_category_t *cat;

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* "<trace>-<span>" of a span */
static void ids(log4c_otel_span_t *s, char out[50])
{
    log4c_otel_context_t c;
    log4c_otel_span_context(s, &c);
    hex(out, c.trace_id, 16);
    out[32] = '-';
    hex(out + 33, c.span_id, 8);
}

static void check(int rc, const char *what)
{
    if (rc != LOG4C_OTEL_OK) {
        fprintf(stderr, "%s: %s\n", what, log4c_otel_strerror(rc));
        exit(1);
    }
}

static void nested(void)
{
    log4c_otel_span_t *outer, *inner, *remote;
    char o[50], in[50], r[50], tp[LOG4C_OTEL_TRACEPARENT_SIZE], cur[LOG4C_OTEL_TRACEPARENT_SIZE];
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "before");
    check(log4c_otel_span_start("checkout", &outer), "start outer");
    log4c_otel_span_set_string(outer, "user", "alice");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "in outer");
    check(log4c_otel_span_start("db query", &inner), "start inner");
    log4c_otel_span_set_int(inner, "rows", 3);
    log4c_otel_span_set_double(inner, "ratio", 0.25);
    log4c_otel_span_set_bool(inner, "cached", 0);
    log4c_otel_span_set_string(inner, "sql", "select \"x\" from t\n");
    log4c_otel_span_set_status(inner, LOG4C_OTEL_STATUS_ERROR, "timeout");
    log4c_category_log(cat, LOG4C_PRIORITY_WARN, "in inner");
    check(log4c_otel_traceparent_current(cur, sizeof cur), "traceparent_current");
    ids(outer, o);
    ids(inner, in);
    check(log4c_otel_span_end(inner), "end inner");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "back in outer");
    log4c_otel_span_set_status(outer, LOG4C_OTEL_STATUS_OK, NULL);
    check(log4c_otel_span_end(outer), "end outer");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "after");
    int none = log4c_otel_traceparent_current(tp, sizeof tp);

    const char *incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    check(log4c_otel_span_start_from_traceparent("remote.child", incoming, &remote), "start remote");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "in remote child");
    ids(remote, r);
    check(log4c_otel_span_end(remote), "end remote");

    check(log4c_otel_context_attach_traceparent("00-11111111111111111111111111111111-2222222222222222-00"), "attach");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "attached");
    check(log4c_otel_context_detach(), "detach");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "detached");
    printf("{\"outer\":\"%s\",\"inner\":\"%s\",\"remote\":\"%s\",\"traceparent_in_inner\":\"%s\",\"none\":%d}\n", o,
           in, r, cur, none);
    fflush(stdout);
}

/* Starts and ends one span with the filtering context ctx[0..n). */
static void span_with(const char *name, const log4c_otel_attr_t *ctx, size_t n)
{
    log4c_otel_span_t *s;
    check(log4c_otel_span_start_with_filter_context(name, ctx, n, &s), name);
    check(log4c_otel_span_end(s), "end");
}

static void filter_context(void)
{
    span_with("ws.other", LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("app", "other")));
    span_with("ws.mine", LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("app", "mine")));
    log4c_otel_span_t *request, *child;
    check(log4c_otel_span_start_with_filter_context("request", LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("app", "other")),
                                                    &request),
          "request");
    check(log4c_otel_span_start("ws.inherited", &child), "ws.inherited"); /* app=other from its parent */
    check(log4c_otel_span_end(child), "end");
    check(log4c_otel_span_end(request), "end");
    span_with("ws.nocontext", NULL, 0);
    span_with("num.seven", LOG4C_OTEL_ATTRS(LOG4C_OTEL_INT("tenant", 7)));
    span_with("num.string", LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("tenant", "7")));
    span_with("svc.op", NULL, 0);
    /* argument checks */
    log4c_otel_span_t *bad;
    int e1 = log4c_otel_span_start_with_filter_context("x", NULL, 1, &bad);
    int e2 = log4c_otel_span_start_with_filter_context("x", LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("", "v")), &bad);
    printf("{\"einval\":[%d,%d]}\n", e1, e2);
    fflush(stdout);
}

static volatile int forever = 1;
static long per_thread;
static long max_pad; /* crash: 0 for the fixed pad */

/* A pad of 20..max-1 bytes that varies with t and i (and never repeats a
 * cycle of the page size), in buf (at least max bytes). */
static const char *pad_for(long t, long i, long max, char *buf)
{
    long n = 20 + (i * 7919 + t * 104729) % (max - 20);
    for (long k = 0; k < n; k++)
        buf[k] = (char)('a' + (k + i) % 26);
    buf[n] = '\0';
    return buf;
}

static void *crash_thread(void *arg)
{
    long t = (long)(intptr_t)arg;
    char line[64];
    char *pad = max_pad ? malloc((size_t)max_pad + 1) : NULL;
    for (long i = 0; forever; i++) {
        log4c_otel_span_t *s, *c;
        log4c_otel_span_start("crash.op", &s);
        log4c_otel_span_set_int(s, "t", t);
        log4c_otel_span_set_int(s, "i", i);
        log4c_otel_span_start("crash.child", &c);
        log4c_otel_span_set_string(c, "pad", pad ? pad_for(t, i, max_pad, pad)
                                              : "some text so that lines have a size worth tearing: \"quoted\" \\ done");
        ids(c, line + 2);
        log4c_otel_span_end(c);
        line[0] = 'E', line[1] = ' ', line[51] = '\n';
        if (write(1, line, 52) != 52)
            exit(3);
        ids(s, line + 2);
        log4c_otel_span_end(s);
        line[51] = '\n';
        if (write(1, line, 52) != 52)
            exit(3);
    }
    free(pad);
    return NULL;
}

/* stdin: batches of spans on request, so that a test can change the world
 * (fill the disk, free it) between batches */
static void from_stdin(void)
{
    char req[64], line[64], pad[3001];
    long i = 0;
    while (fgets(req, sizeof req, stdin)) {
        for (long n = atol(req); n > 0; n--, i++) {
            log4c_otel_span_t *s;
            log4c_otel_span_start("disk.op", &s);
            log4c_otel_span_set_int(s, "i", i);
            log4c_otel_span_set_string(s, "pad", pad_for(0, i, 2900, pad));
            ids(s, line + 2);
            log4c_otel_span_end(s);
            line[0] = 'E', line[1] = ' ', line[51] = '\n';
            fwrite(line, 1, 52, stdout);
        }
        fputs("ok\n", stdout);
        fflush(stdout);
    }
}

static void *spans_thread(void *arg)
{
    long t = (long)(intptr_t)arg;
    for (long i = 0; i < per_thread; i++) {
        log4c_otel_span_t *s;
        log4c_otel_span_start("bulk", &s);
        log4c_otel_span_set_int(s, "t", t);
        log4c_otel_span_set_int(s, "i", i);
        log4c_otel_span_end(s);
    }
    return NULL;
}

static void run_threads(long n, void *(*fn)(void *))
{
    pthread_t th[64];
    if (n > 64)
        n = 64;
    for (long t = 0; t < n; t++)
        pthread_create(&th[t], NULL, fn, (void *)(intptr_t)t);
    for (long t = 0; t < n; t++)
        pthread_join(th[t], NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: spandemo nested | filtercontext | crash T [P] | spans T N | stdin\n");
        return 2;
    }
    int rc = log4c_otel_init();
    printf("{\"init\":%d}\n", rc);
    fflush(stdout);
    if (log4c_init() != 0) {
        fprintf(stderr, "log4c_init failed\n");
        return 1;
    }
    cat = log4c_category_get("test.spans");
    if (strcmp(argv[1], "nested") == 0) {
        nested();
    } else if (strcmp(argv[1], "filtercontext") == 0) {
        filter_context();
    } else if (strcmp(argv[1], "crash") == 0 && argc > 2) {
        max_pad = argc > 3 ? atol(argv[3]) : 0;
        if (max_pad != 0 && max_pad < 40)
            max_pad = 40;
        run_threads(atol(argv[2]), crash_thread); /* until killed */
    } else if (strcmp(argv[1], "spans") == 0 && argc > 3) {
        per_thread = atol(argv[3]);
        run_threads(atol(argv[2]), spans_thread);
    } else if (strcmp(argv[1], "stdin") == 0) {
        from_stdin();
    } else {
        fprintf(stderr, "unknown scenario %s\n", argv[1]);
        return 2;
    }
    log4c_fini();
    log4c_otel_stats_t s;
    log4c_otel_stats(&s);
    printf("{\"accepted\":%llu,\"exported\":%llu,\"line_file_errors\":%llu}\n", (unsigned long long)s.accepted,
           (unsigned long long)s.exported, (unsigned long long)s.line_file_errors);
    return 0;
}
