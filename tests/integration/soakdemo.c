/*
 * soakdemo.c - the outage soak's program: logs "soak <id>" at a paced rate
 * for a fixed time (the collector is down meanwhile), measures what each
 * log call cost the caller and how much the process grew, checks that the
 * counters add up in every snapshot it takes, then prints one JSON line,
 * shuts down (flushing to the collector that is back by then) and prints
 * the final counters.
 *
 *   soakdemo RATE SECONDS [FIRST_ID]
 *
 * Output lines: {"outage":...} after the logging phase (the test starts the
 * collector when it reads it), then the counters ({"accepted":...}).
 * SOAK_KILL_AFTER=N: after N records, print {"kill_me":...} and keep
 * logging paced until killed (SIGKILL tests; the loop is still bounded).
 * Every 10,000 records it prints the counters with "tick" (flushed), so a
 * test that kills it knows what had been spooled by then.
 */
#include <log4c.h>
#include "stats_json.h"
#include <log4c-otel.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A /proc/self/status field in kB (VmRSS, VmHWM); 0 when unreadable. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = atol(line + n + 1);
    if (f)
        fclose(f);
    return kb;
}

/* Latency histogram: 100 ns buckets below 100 us, then powers of two.
 * Fixed size and allocated before the baseline, so it does not count as
 * growth. */
#define LINEAR 1000
#define NBUCKETS (LINEAR + 40)
static uint64_t hist[NBUCKETS];

static void hist_add(uint64_t ns)
{
    size_t b;
    if (ns < 100000)
        b = ns / 100;
    else {
        b = LINEAR;
        for (uint64_t v = ns / 100000; v > 1 && b < NBUCKETS - 1; v >>= 1)
            b++;
    }
    hist[b]++;
}

/* The upper bound of the bucket holding the q-quantile (ns). */
static uint64_t hist_quantile(uint64_t total, double q)
{
    uint64_t want = (uint64_t)((double)total * q), seen = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        seen += hist[b];
        if (seen > want)
            return b < LINEAR ? (b + 1) * 100 : 100000ull << (b - LINEAR + 1);
    }
    return 0;
}

static void print_stats(uint64_t tick)
{
    log4c_otel_stats_t s;
    log4c_otel_stats(&s);
    if (tick)
        printf("{\"tick\":%llu,", (unsigned long long)tick);
    else
        printf("{");
    stats_json_fields(stdout, &s);
    printf("}\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: soakdemo RATE SECONDS [FIRST_ID]\n");
        return 2;
    }
    long rate = atol(argv[1]), seconds = atol(argv[2]);
    long first = argc > 3 ? atol(argv[3]) : 0;
    long kill_after = getenv("SOAK_KILL_AFTER") ? atol(getenv("SOAK_KILL_AFTER")) : -1;
    if (rate <= 0 || seconds <= 0 || first < 0) {
        fprintf(stderr, "soakdemo: RATE and SECONDS must be positive\n");
        return 2;
    }
    int rc = log4c_otel_init();
    printf("{\"init\":%d}\n", rc);
    fflush(stdout);
    if (rc != 0 || log4c_init() != 0)
        return 1;
    log4c_category_t *cat = log4c_category_get("soak");

    /* the first record starts the worker (and libcurl); measure after it */
    uint64_t total = (uint64_t)rate * (uint64_t)seconds;
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "soak %ld", first);
    struct timespec settle = {0, 100000000};
    nanosleep(&settle, NULL);
    long rss_base = status_kb("VmRSS");

    uint64_t period = 1000000000ull / (uint64_t)rate, t0 = now_ns(), max_ns = 0;
    uint64_t snapshots = 0, unbalanced = 0;
    for (uint64_t i = 1; i < total; i++) {
        uint64_t target = t0 + i * period, now = now_ns();
        if (target > now + 200000) { /* pace: sleep when more than 0.2 ms ahead */
            uint64_t d = target - now;
            struct timespec ts = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
            nanosleep(&ts, NULL);
        }
        uint64_t a = now_ns();
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "soak %llu", (unsigned long long)(first + (long)i));
        uint64_t lat = now_ns() - a;
        hist_add(lat);
        if (lat > max_ns)
            max_ns = lat;
        if (i % 1000 == 0) { /* the counters add up while records move */
            log4c_otel_stats_t s;
            log4c_otel_stats(&s);
            snapshots++;
            unbalanced += !stats_balanced(&s);
        }
        if (i % 10000 == 0)
            print_stats(i);
        if ((long)i + 1 == kill_after) {
            printf("{\"kill_me\":%llu}\n", (unsigned long long)(i + 1));
            fflush(stdout);
        }
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    long hwm = status_kb("VmHWM"), rss = status_kb("VmRSS");
    printf("{\"outage\":1,\"logged\":%llu,\"seconds\":%.2f,\"p50_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu,"
           "\"rss_base_kb\":%ld,\"rss_kb\":%ld,\"hwm_kb\":%ld,\"snapshots\":%llu,\"unbalanced\":%llu}\n",
           (unsigned long long)total, secs, (unsigned long long)hist_quantile(total - 1, 0.50),
           (unsigned long long)hist_quantile(total - 1, 0.99), (unsigned long long)max_ns, rss_base, rss, hwm,
           (unsigned long long)snapshots, (unsigned long long)unbalanced);
    print_stats(0); /* the counters at the end of the outage */
    log4c_fini();   /* flushes to the collector, back by now, within the shutdown deadline */
    print_stats(0);
    return 0;
}
