/*
 * bench_log.c - what log4c-otel costs, measured in the same process and the
 * same run against two baselines (these machines are noisy: compare ratios,
 * not absolutes):
 *   - the floor: log4c_category_log through a null appender (registered
 *     here, its append does nothing). log4c formats the message (sd_vsprintf
 *     and a malloc) before any appender runs, so nothing behind
 *     log4c_category_log can cost less; "ours" is the increment over it;
 *   - log4c's own stream appender writing the same records to /dev/null.
 *
 *   1. caller cost per log call (p50, p99, mean; clock overhead subtracted)
 *      with 1, 2 and 8 logging threads, through log4c_category_log and
 *      through the library's log4c_otel_log() macro (which adds the caller's
 *      real location and per-call attributes); and from one thread logging
 *      at a steady 100,000 records/s rather than as fast as it can;
 *   2. end to end: N records (default 1,000,000) from the first call to the
 *      last record counted by bench/otlp_sink (a C OTLP receiver in its own
 *      process), process CPU time per record, peak RSS during the row; from
 *      one logging thread, then in a process of their own from 8 logging
 *      threads and from one with gzip on (OTEL_EXPORTER_OTLP_COMPRESSION),
 *      each against log4c's /dev/null stream appender from as many threads;
 *   3. masking with a realistic secret-scanning set (about 25 patterns,
 *      bench/data/secret-patterns.json): process CPU per record end to end
 *      without masking and with the set, as one alternation and as one rule
 *      per pattern, for records without and with a secret.
 *
 * Each figure is the median of BENCH_REPEAT (default 3) repetitions, each
 * measuring otel and its baselines back to back, so a burst of noise on the
 * shared machine moves one repetition, not the figure.
 *
 * Workload: 100-byte bodies, category app.bench.module (otel) and
 * base.bench.module (the baseline); app.drop.* is dropped by a filter and
 * app.mask.* masked by one hideRegex (one match per body).
 *
 * The queue is sized for the burst (a 4 GiB byte cap and, as by default,
 * no record count) unless OTEL_BLRP_MAX_QUEUE_SIZE or
 * LOG4C_OTEL_MAX_QUEUE_BYTES are set; records a phase drops are reported on
 * stderr, and the end-to-end rate counts the records delivered.
 *
 *   bench_log [N]                 the whole benchmark (run it through `make bench`)
 *   bench_log --row ROW N         one end-to-end row in this process (ROW: threads8,
 *                                 gzip, which the whole benchmark runs itself; one:
 *                                 the 1-thread row alone), with a second line: its
 *                                 user/system split, page faults and context switches
 *   bench_log --profile MODE N    only N calls of one path, then flush and wait for
 *                                 the sink: for callgrind, whose instruction counts
 *                                 per record are (count(2N) - count(N)) / N;
 *                                 prints the process's CPU time per record on stderr.
 *                                 MODE: accepted, filtered, masked, otel_log,
 *                                 otel_log_filtered, null, devnull; the secret-
 *                                 scanning set: secrets, secrets_hit (one
 *                                 alternation; the record without, with a
 *                                 secret), secrets_each, secrets_each_hit (one
 *                                 rule per pattern), unmasked_hit
 */
#include <log4c.h>
#include <log4c-otel.h>

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

/* The process's user and system CPU seconds, minor page faults and context
 * switches (voluntary: a thread that blocked, in a wait or a wake-up's
 * reply; involuntary: preempted), all threads together. */
typedef struct usage {
    double user, sys;
    double minflt, nvcsw, nivcsw;
} usage;

static usage usage_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (usage){(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
                   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, (double)ru.ru_minflt,
                   (double)ru.ru_nvcsw, (double)ru.ru_nivcsw};
}

/* (b - a) per record: CPU in us, the counts per 1,000 records */
static usage usage_per_record(usage a, usage b, long n)
{
    double d = (double)n;
    return (usage){(b.user - a.user) * 1e6 / d, (b.sys - a.sys) * 1e6 / d, (b.minflt - a.minflt) * 1e3 / d,
                   (b.nvcsw - a.nvcsw) * 1e3 / d, (b.nivcsw - a.nivcsw) * 1e3 / d};
}

static double median(double *v, int n);

/* The median of each field over n usages (each field on its own) */
static usage median_usage(const usage *u, int n)
{
    double f[5][16];
    for (int i = 0; i < n; i++) {
        f[0][i] = u[i].user, f[1][i] = u[i].sys, f[2][i] = u[i].minflt;
        f[3][i] = u[i].nvcsw, f[4][i] = u[i].nivcsw;
    }
    return (usage){median(f[0], n), median(f[1], n), median(f[2], n), median(f[3], n), median(f[4], n)};
}

static void print_usage(const char *what, usage u)
{
    printf("  %-10s %6.3f us user + %.3f us system per record; per 1,000 records: %.1f minor faults, "
           "%.1f voluntary and %.1f involuntary context switches\n",
           what, u.user, u.sys, u.minflt, u.nvcsw, u.nivcsw);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- peak RSS per row ---- */

/* Lets the process's peak RSS start again from what it holds now (Linux:
 * clear_refs 5), so that peak_rss_kib() says the peak of one row. */
static void peak_rss_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* The peak RSS in KiB since the last peak_rss_reset() (VmHWM), or since
 * the start where /proc cannot say (ru_maxrss). */
static long peak_rss_kib(void)
{
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
                break;
        fclose(f);
    }
    if (kib < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kib = ru.ru_maxrss;
    }
    return kib;
}

/* ---- the sink process ---- */

/* The sink prints "COUNT n" after each request it answered. Nobody reads
 * them while a phase runs: a thread that woke for each line (one a request)
 * was CPU of this process that an application does not have, and its
 * wake-ups preempted the export thread on the shared cores. wait_sink reads
 * what piled up when it needs the count; the pipe is enlarged so that the
 * sink never waits for it (1 MiB: some 70,000 lines, ~35 M records). */
static int sink_fd = -1;
static pid_t sink_pid;
static int sink_stdin;
static unsigned long long sink_count;
static char sink_line[256];
static size_t sink_len;

/* Reads what the sink printed, waiting at most timeout_ms for something
 * to come (0: only what is there); 1 when it read something, 0 when
 * nothing came, -1 at its end or on an error. */
static int sink_read(int timeout_ms)
{
    struct pollfd p = {sink_fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0)
        return r < 0 && errno != EINTR ? -1 : 0;
    char buf[65536];
    ssize_t n = read(sink_fd, buf, sizeof buf);
    if (n <= 0)
        return n < 0 && errno == EINTR ? 0 : -1;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] != '\n') {
            if (sink_len < sizeof sink_line - 1)
                sink_line[sink_len++] = buf[i];
            continue;
        }
        sink_line[sink_len] = '\0';
        unsigned long long c;
        if (sscanf(sink_line, "COUNT %llu", &c) == 1)
            sink_count = c;
        sink_len = 0;
    }
    return 1;
}

/* Empties the pipe without waiting, between measurements: where the pipe
 * could not be enlarged, the sink then never waits for it mid-phase. */
static void sink_drain(void)
{
    while (sink_read(0) > 0)
        ;
}

static int start_sink(const char *path)
{
    int out[2], in[2];
    if (pipe(out) != 0 || pipe(in) != 0)
        return -1;
#ifdef F_SETPIPE_SZ
    (void)fcntl(out[1], F_SETPIPE_SZ, 1 << 20); /* where it cannot, the sink waits for wait_sink */
#endif
    sink_pid = fork();
    if (sink_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(path, path, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    sink_stdin = in[1];
    sink_fd = out[0];
    /* its first line: "LISTENING port" */
    char line[128];
    size_t len = 0;
    while (len < sizeof line - 1) {
        ssize_t n = read(sink_fd, line + len, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    int port = 0;
    if (sscanf(line, "LISTENING %d", &port) != 1)
        return -1;
    return port;
}

/* What the library delivered so far: after log4c_otel_flush() every
 * record it accepted is exported or dropped, so the sink will count
 * exactly `exported` records; waiting for what was logged would wait out
 * the timeout whenever the caller phase dropped some (queue full). */
static uint64_t wait_sink(unsigned long long target);

static unsigned long long delivered(unsigned long long *dropped)
{
    log4c_otel_stats_t st;
    log4c_otel_stats(&st);
    if (dropped)
        *dropped = st.dropped_queue_full + st.dropped_export_failed + st.dropped_rejected + st.dropped_http_error +
                   st.dropped_shutdown + st.dropped_config + st.dropped_preinit + st.dropped_reentrant +
                   st.dropped_spool_full;
    return st.exported;
}

/* Flushes, then waits for the sink to count what the library delivered;
 * says how many records the phase `what` dropped. Returns when. */
static uint64_t settle(const char *what, unsigned long long *dropped_before)
{
    unsigned long long dropped;
    log4c_otel_flush(30000);
    unsigned long long target = delivered(&dropped);
    if (dropped > *dropped_before)
        fprintf(stderr, "bench: %s: %llu records dropped (log4c_otel_stats counts them by reason)\n", what, dropped - *dropped_before);
    *dropped_before = dropped;
    return wait_sink(target);
}

/* Waits (at most 60 s) until the sink counted target records; returns when. */
static uint64_t wait_sink(unsigned long long target)
{
    uint64_t deadline = now_ns() + 60 * 1000000000ull;
    while (sink_count < target) {
        uint64_t now = now_ns();
        if (now >= deadline || sink_read((int)((deadline - now) / 1000000u) + 1) < 0)
            break;
    }
    if (sink_count < target)
        fprintf(stderr, "bench: the sink counted %llu of %llu records\n", sink_count, target);
    return now_ns();
}

/* ---- caller cost ---- */

static char body[101];
static uint64_t clock_overhead;

/* How a job logs: through log4c, or through the library's macro. */
enum { VIA_LOG4C, VIA_OTEL_LOG };

typedef struct job {
    log4c_category_t *cat;
    int via;
    size_t n;
    uint64_t *lat;
} job;

static void log_once(log4c_category_t *cat, int via)
{
    if (via == VIA_OTEL_LOG)
        log4c_otel_log(cat, LOG4C_PRIORITY_INFO, NULL, 0, "%s", body);
    else
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", body);
}

static void *logger(void *arg)
{
    job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        uint64_t t0 = now_ns();
        log_once(j->cat, j->via);
        j->lat[i] = now_ns() - t0;
    }
    return NULL;
}

/* log4c's floor: an appender whose append does nothing */
static int null_append(log4c_appender_t *app, const log4c_logging_event_t *ev)
{
    (void)app;
    (void)ev;
    return 0;
}
static const log4c_appender_type_t null_appender_type = {"bench_null", NULL, null_append, NULL};

typedef struct result {
    double p50, p99, mean;
} result;

/* n latencies (ns) with the clock's overhead subtracted, sorted. */
static void latencies_sort(uint64_t *lat, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lat[i] = lat[i] > clock_overhead ? lat[i] - clock_overhead : 0;
    qsort(lat, n, sizeof *lat, cmp_u64);
}

/* p50, p99 and mean of n latencies (ns), the clock's overhead subtracted;
 * frees lat. */
static result latency_result(uint64_t *lat, size_t n)
{
    latencies_sort(lat, n);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)lat[i];
    result r = {(double)lat[n / 2], (double)lat[n * 99 / 100], sum / (double)n};
    free(lat);
    return r;
}

static result caller_cost_via(log4c_category_t *cat, int via, int threads, size_t per_thread)
{
    pthread_t th[8];
    job jobs[8];
    uint64_t *all = malloc(sizeof *all * per_thread * (size_t)threads);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job){cat, via, per_thread, all + (size_t)t * per_thread};
        pthread_create(&th[t], NULL, logger, &jobs[t]);
    }
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    return latency_result(all, per_thread * (size_t)threads);
}

static result caller_cost(log4c_category_t *cat, int threads, size_t per_thread)
{
    return caller_cost_via(cat, VIA_LOG4C, threads, per_thread);
}

static int repeat = 3; /* BENCH_REPEAT */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Each statistic's median over the repetitions (r[0..n)). */
static result median_result(const result *r, int n)
{
    double p50[16], p99[16], mean[16];
    for (int i = 0; i < n; i++) {
        p50[i] = r[i].p50;
        p99[i] = r[i].p99;
        mean[i] = r[i].mean;
    }
    return (result){median(p50, n), median(p99, n), median(mean, n)};
}

/* One caller row: /dev/null, the floor and otel back to back, repeat times;
 * medians into *o, *f, *b. Returns the otel records logged. */
static size_t caller_row(log4c_category_t *cat, int via, log4c_category_t *base, log4c_category_t *floor_,
                         int threads, size_t per, result *o, result *f, result *b)
{
    result ro[16], rf[16], rb[16];
    for (int r = 0; r < repeat; r++) {
        rb[r] = caller_cost(base, threads, per);
        rf[r] = caller_cost(floor_, threads, per);
        ro[r] = caller_cost_via(cat, via, threads, per);
        log4c_otel_flush(30000);
    }
    *o = median_result(ro, repeat);
    *f = median_result(rf, repeat);
    *b = median_result(rb, repeat);
    return per * (size_t)threads * (size_t)repeat;
}

static void measure_clock_overhead(void)
{
    enum { N = 100000 };
    static uint64_t d[N];
    for (int i = 0; i < N; i++) {
        uint64_t t0 = now_ns();
        d[i] = now_ns() - t0;
    }
    qsort(d, N, sizeof d[0], cmp_u64);
    clock_overhead = d[N / 2];
}

/* ---- masking with a realistic secret-scanning set ----
 * bench/data/secret-patterns.json (BENCH_SECRETS): about 25 JavaScript
 * patterns and two 100-byte records, one without any secret and one with
 * one. Category app.secrets masks with all of them as one alternation in
 * its rule's hideRegex; app.each with one rule per pattern (masks add up);
 * app.bench is not masked. */
static struct {
    json_t *alternation, *each; /* the hideRegex values, as JSON strings */
    char clean[101], secret[101];
} secrets;

/* Reads the set; 0 when it is there (the row is left out otherwise). */
static int load_secrets(void)
{
    const char *path = getenv("BENCH_SECRETS") ? getenv("BENCH_SECRETS") : "bench/data/secret-patterns.json";
    json_t *root = json_load_file(path, 0, NULL), *it;
    if (!root)
        return -1;
    const char *clean = json_string_value(json_object_get(json_object_get(root, "records"), "clean"));
    const char *secret = json_string_value(json_object_get(json_object_get(root, "records"), "secret"));
    if (!clean || !secret || strlen(clean) != 100 || strlen(secret) != 100) {
        json_decref(root);
        return -1;
    }
    memcpy(secrets.clean, clean, 101);
    memcpy(secrets.secret, secret, 101);
    size_t i, cap = 1;
    json_t *pats = json_object_get(root, "patterns");
    json_array_foreach(pats, i, it) cap += strlen(json_string_value(json_object_get(it, "pattern"))) + 8;
    char *alt = calloc(1, cap);
    secrets.each = json_array();
    json_array_foreach(pats, i, it) {
        const char *p = json_string_value(json_object_get(it, "pattern"));
        const char *fl = json_string_value(json_object_get(it, "flags")); /* only "i" here */
        char one[2048];
        snprintf(one, sizeof one, fl ? "/%s/%s" : "%s", p, fl ? fl : "");
        json_array_append_new(secrets.each, json_string(one));
        snprintf(alt + strlen(alt), cap - strlen(alt), "%s%s%s%s", i ? "|" : "", fl ? "(?i:" : "", p, fl ? ")" : "");
    }
    secrets.alternation = json_string(alt);
    free(alt);
    json_decref(root);
    return 0;
}

/* The rules of app.secrets and app.each, appended to the filters. */
static void write_secret_rules(FILE *f)
{
    if (!secrets.alternation)
        return;
    char *v = json_dumps(secrets.alternation, JSON_ENCODE_ANY);
    fprintf(f, ",{\"categoryName\": \"app.secrets\", \"hideRegex\": %s}", v);
    free(v);
    size_t i;
    json_t *it;
    json_array_foreach(secrets.each, i, it) {
        v = json_dumps(it, JSON_ENCODE_ANY);
        fprintf(f, ",{\"categoryName\": \"app.each\", \"hideRegex\": %s}", v);
        free(v);
    }
}

/* --profile modes of the set: the category and the record. 0: not one. */
static int secret_mode(const char *mode, log4c_category_t **cat)
{
    static const char *const modes[] = {"secrets", "secrets_hit", "secrets_each", "secrets_each_hit", "unmasked_hit"};
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
        if (strcmp(mode, modes[k]) == 0) {
            if (!secrets.alternation)
                return 0;
            *cat = log4c_category_get(k < 2 ? "app.secrets.module" : k < 4 ? "app.each.module" : "app.bench.module");
            memcpy(body, strstr(mode, "hit") ? secrets.secret : secrets.clean, 101);
            return 1;
        }
    return 0;
}

/* End to end, process CPU per record: no masking, the set as one
 * alternation, one rule per pattern; records without and with a secret. */
static void secret_masking_rows(long total)
{
    if (!secrets.alternation) {
        printf("\nmasking with the secret-scanning set: left out (bench/data/secret-patterns.json not found; BENCH_SECRETS)\n");
        return;
    }
    static const char *const cats[3] = {"app.bench.module", "app.secrets.module", "app.each.module"};
    static const char *const what[3] = {"no masking", "one alternation", "one rule per pattern"};
    const char *recs[2] = {secrets.clean, secrets.secret};
    long n = total / 4 > 1000 ? total / 4 : 1000;
    double cpu[3][2][16];
    unsigned long long lost = 0;
    for (int r = 0; r < repeat; r++)
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 2; k++) {
                log4c_category_t *cat = log4c_category_get(cats[c]);
                double cpu0 = cpu_seconds();
                for (long i = 0; i < n; i++)
                    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", recs[k]);
                settle("masking with the secret-scanning set", &lost);
                cpu[c][k][r] = (cpu_seconds() - cpu0) * 1e6 / (double)n;
            }
    size_t npat = json_array_size(secrets.each);
    printf("\nmasking with the secret-scanning set (%zu patterns, bench/data/secret-patterns.json), end to end,\n"
           "%ld records of 100 bytes each, 1 thread (medians of %d runs): us CPU per record (ratio to no masking)\n",
           npat, n, repeat);
    printf("  %-22s %18s %18s\n", "", "no secret", "one secret");
    double base[2] = {median(cpu[0][0], repeat), median(cpu[0][1], repeat)};
    for (int c = 0; c < 3; c++) {
        double m0 = median(cpu[c][0], repeat), m1 = median(cpu[c][1], repeat);
        printf("  %-22s %9.3f (%5.2fx) %9.3f (%5.2fx)\n", what[c], m0, base[0] > 0 ? m0 / base[0] : 0.0, m1,
               base[1] > 0 ? m1 / base[1] : 0.0);
    }
}

/* The filter and the mask the filtered/masked cases measure. */
static void write_config(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/log4c-otel.json", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"logs\": {\"filters\": ["
               "{\"categoryName\": \"app.drop\", \"enabled\": false},"
               "{\"categoryName\": \"app.mask\", \"hideRegex\": \"secret=\\\\S+\"}");
    write_secret_rules(f);
    fprintf(f, "]}}\n");
    fclose(f);
    setenv("LOG4C_OTEL_CONFIG", path, 1);
}

static void write_log4crc(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/log4crc", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE log4c SYSTEM \"\">\n"
               "<log4c version=\"1.2.4\">\n"
               "  <config><bufsize>0</bufsize><debug level=\"0\"/><nocleanup>0</nocleanup></config>\n"
               "  <appender name=\"/dev/null\" type=\"stream\" layout=\"basic_r\"/>\n"
               "  <appender name=\"null\" type=\"bench_null\"/>\n"
               "  <category name=\"app\" priority=\"info\" appender=\"otel\" additivity=\"false\"/>\n"
               "  <category name=\"base\" priority=\"info\" appender=\"/dev/null\" additivity=\"false\"/>\n"
               "  <category name=\"floor\" priority=\"info\" appender=\"null\" additivity=\"false\"/>\n"
               "</log4c>\n");
    fclose(f);
}

static void print_row(const char *what, int threads, result o, result f, result b)
{
    sink_drain(); /* between rows, measured or not */
    printf("  %-29s %d thread%s %7.0f %5.0f %5.0f | %9.0f | %4.0f | %13.0f | %9.2fx %9.2fx\n", what, threads,
           threads > 1 ? "s" : " ", o.p50, o.p99, o.mean, f.p50, o.p50 - f.p50, b.p50, f.p50 > 0 ? o.p50 / f.p50 : 0.0,
           b.p50 > 0 ? o.p50 / b.p50 : 0.0);
}

/* ---- caller cost at a steady rate ---- */

/* n calls into cat, one every 1e9/rate ns (spinning on the clock between
 * them, so nothing sleeps or wakes), each call's time in lat[] */
static void paced(log4c_category_t *cat, size_t n, uint64_t rate, uint64_t *lat)
{
    uint64_t period = 1000000000u / rate, next = now_ns();
    for (size_t i = 0; i < n; i++) {
        next += period;
        uint64_t t0 = now_ns();
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", body);
        lat[i] = now_ns() - t0;
        while (now_ns() < next)
            ;
    }
}

/* The paced rows' steady rate, records per second. */
enum { PACED_RATE = 100000 };

static result paced_cost(log4c_category_t *cat, size_t n, uint64_t rate)
{
    uint64_t *lat = malloc(sizeof *lat * n);
    paced(cat, n, rate, lat);
    return latency_result(lat, n);
}

/* One thread at 100,000 records/s for a second: /dev/null, the floor and
 * otel back to back, repeat times; medians printed as a caller row. */
static void paced_row(log4c_category_t *otel, log4c_category_t *base, log4c_category_t *floor_)
{
    enum { N = 100000 };
    result ro[16], rf[16], rb[16];
    for (int r = 0; r < repeat; r++) {
        rb[r] = paced_cost(base, N, PACED_RATE);
        rf[r] = paced_cost(floor_, N, PACED_RATE);
        ro[r] = paced_cost(otel, N, PACED_RATE);
        log4c_otel_flush(30000);
    }
    print_row("accepted, at 100k records/s", 1, median_result(ro, repeat), median_result(rf, repeat),
              median_result(rb, repeat));
}

static int cleanup(const char *dir);

/* --row paced: the paced row alone, in a process of its own, `n` calls a
 * phase (floor, then otel, repeat times), with the tail of each: p50, p90,
 * p99, p99.9, the share of calls over 400 ns, and the otel phase's faults
 * and context switches (this thread only: RUSAGE_THREAD) and export
 * requests. For finding what the slow calls of the paced row do. */
static void paced_tail(const char *what, uint64_t *lat, size_t n, const struct rusage *r0, const struct rusage *r1,
                       unsigned long long requests)
{
    latencies_sort(lat, n);
    size_t over = 0;
    for (size_t i = 0; i < n; i++)
        over += lat[i] > 400;
    printf("  %-6s p50 %5llu  p90 %5llu  p99 %5llu  p99.9 %6llu ns; over 400 ns %.2f%%", what,
           (unsigned long long)lat[n / 2], (unsigned long long)lat[n * 90 / 100], (unsigned long long)lat[n * 99 / 100],
           (unsigned long long)lat[n * 999 / 1000], 100.0 * (double)over / (double)n);
    if (r0)
        printf("; caller thread: %ld minor faults, %ld voluntary, %ld involuntary context switches; %llu requests",
               r1->ru_minflt - r0->ru_minflt, r1->ru_nvcsw - r0->ru_nvcsw, r1->ru_nivcsw - r0->ru_nivcsw, requests);
    printf("\n");
}

static int run_paced(long n, log4c_category_t *otel, log4c_category_t *floor_, const char *dir)
{
    uint64_t *lat = malloc(sizeof *lat * (size_t)n);
    measure_clock_overhead();
    paced(otel, 10000, PACED_RATE, lat); /* warm: the lane, the caches, the connection */
    log4c_otel_flush(30000);
    for (int r = 0; r < repeat; r++) {
        paced(floor_, (size_t)n, PACED_RATE, lat);
        paced_tail("floor", lat, (size_t)n, NULL, NULL, 0);
        log4c_otel_stats_t s0, s1;
        struct rusage r0, r1;
        log4c_otel_stats(&s0);
        getrusage(RUSAGE_THREAD, &r0);
        paced(otel, (size_t)n, PACED_RATE, lat);
        getrusage(RUSAGE_THREAD, &r1);
        log4c_otel_flush(30000);
        log4c_otel_stats(&s1);
        paced_tail("otel", lat, (size_t)n, &r0, &r1,
                   (unsigned long long)(s1.export_requests - s0.export_requests));
    }
    free(lat);
    log4c_fini();
    close(sink_stdin);
    waitpid(sink_pid, NULL, 0);
    return cleanup(dir);
}

static int cleanup(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir); /* log4crc and log4c-otel.json */
    return system(cmd) == 0 ? 0 : 1;
}

/* ---- end-to-end rows in a process of their own ---- */

typedef struct burst_job {
    log4c_category_t *cat;
    long n;
} burst_job;

static void *burst_logger(void *arg)
{
    burst_job *j = arg;
    for (long i = 0; i < j->n; i++)
        log4c_category_log(j->cat, LOG4C_PRIORITY_INFO, "%s", body);
    return NULL;
}

/* n records into cat, shared out over threads (1..8) logging at once */
static void burst(log4c_category_t *cat, long n, int threads)
{
    pthread_t th[8];
    burst_job jobs[8];
    for (int t = 0; t < threads; t++) {
        jobs[t] = (burst_job){cat, n / threads + (t < n % threads)};
        pthread_create(&th[t], NULL, burst_logger, &jobs[t]);
    }
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
}

/* --row: `total` records end to end, repeat times, then as many through
 * /dev/null from as many threads; a line of medians, and one of the otel
 * runs' user/system split, faults and context switches. ROW threads8: 8
 * logging threads; gzip: one, with OTEL_EXPORTER_OTLP_COMPRESSION=gzip (set
 * by main before the library reads its settings); one: one thread. */
static int run_row(const char *row, long total, log4c_category_t *otel, log4c_category_t *base, const char *dir)
{
    int threads = strcmp(row, "threads8") == 0 ? 8 : 1;
    double rate[16], cpu[16], bcpu[16];
    usage use[16];
    unsigned long long lost = 0;
    settle(row, &lost); /* nothing logged yet: the counters' starting point */
    peak_rss_reset();
    for (int r = 0; r < repeat; r++) {
        unsigned long long before = delivered(NULL);
        double cpu0 = cpu_seconds();
        usage u0 = usage_now();
        uint64_t t0 = now_ns();
        burst(otel, total, threads);
        uint64_t t1 = settle(row, &lost);
        cpu[r] = (cpu_seconds() - cpu0) * 1e6 / (double)total;
        use[r] = usage_per_record(u0, usage_now(), total);
        rate[r] = (double)(delivered(NULL) - before) / ((double)(t1 - t0) / 1e9);
        double bcpu0 = cpu_seconds();
        burst(base, total, threads);
        bcpu[r] = (cpu_seconds() - bcpu0) * 1e6 / (double)total;
    }
    double m_cpu = median(cpu, repeat), m_bcpu = median(bcpu, repeat);
    log4c_otel_stats_t st;
    log4c_otel_stats(&st);
    printf("  %-10s %9.0f records/s, %6.3f us CPU per record; /dev/null %6.3f us (%.2fx); peak RSS %ld KiB; "
           "%llu requests\n",
           threads > 1 ? "8 threads:" : strcmp(row, "gzip") == 0 ? "gzip:" : "1 thread:", median(rate, repeat), m_cpu,
           m_bcpu, m_bcpu > 0 ? m_cpu / m_bcpu : 0.0, peak_rss_kib(), (unsigned long long)st.export_requests);
    print_usage("", median_usage(use, repeat));
    log4c_fini();
    close(sink_stdin);
    waitpid(sink_pid, NULL, 0);
    return cleanup(dir);
}

/* Runs one --row in a child process (its own library, sink and peak RSS);
 * its line goes to our stdout. */
static void child_row(const char *row, long total)
{
    char n[32];
    snprintf(n, sizeof n, "%ld", total);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", "bench_log", "--row", row, n, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "bench: the %s row failed\n", row);
}

/* --profile: one path only, so that callgrind counts nothing else */
static int run_profile(const char *mode, long n, log4c_category_t *otel, log4c_category_t *base,
                       log4c_category_t *floor_, log4c_category_t *dropped, log4c_category_t *masked, const char *dir)
{
    log4c_category_t *cat = otel;
    int via = VIA_LOG4C, exported = 1;
    if (strcmp(mode, "filtered") == 0 || strcmp(mode, "otel_log_filtered") == 0)
        cat = dropped, exported = 0;
    else if (strcmp(mode, "masked") == 0) {
        cat = masked;
        memcpy(body + 40, "secret=hunter2", 14);
    } else if (secret_mode(mode, &cat))
        exported = 1;
    else if (strcmp(mode, "null") == 0)
        cat = floor_, exported = 0;
    else if (strcmp(mode, "devnull") == 0)
        cat = base, exported = 0;
    else if (strcmp(mode, "accepted") != 0 && strcmp(mode, "otel_log") != 0) {
        fprintf(stderr, "bench: unknown profile mode %s\n", mode);
        return 2;
    }
    if (strncmp(mode, "otel_log", 8) == 0)
        via = VIA_OTEL_LOG;
    double cpu0 = cpu_seconds();
    for (long i = 0; i < n; i++)
        log_once(cat, via);
    unsigned long long lost = 0;
    if (exported)
        settle(mode, &lost);
    else
        log4c_otel_flush(60000);
    /* this process only (the sink is a child, not counted): for A/B runs */
    fprintf(stderr, "bench: %s: %.3f us CPU per record\n", mode, (cpu_seconds() - cpu0) * 1e6 / (double)n);
    log4c_fini();
    close(sink_stdin);
    waitpid(sink_pid, NULL, 0);
    return cleanup(dir);
}

int main(int argc, char **argv)
{
    const char *profile = argc > 3 && strcmp(argv[1], "--profile") == 0 ? argv[2] : NULL;
    const char *row = argc > 3 && strcmp(argv[1], "--row") == 0 ? argv[2] : NULL;
    long total = profile || row ? atol(argv[3]) : argc > 1 ? atol(argv[1]) : 1000000;
    if (row && strcmp(row, "gzip") == 0)
        setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip", 1);
    const char *sink = getenv("BENCH_SINK") ? getenv("BENCH_SINK") : "./bench/otlp_sink";
    if (getenv("BENCH_REPEAT")) {
        repeat = atoi(getenv("BENCH_REPEAT"));
        repeat = repeat < 1 ? 1 : repeat > 15 ? 15 : repeat;
    }
    memset(body, 'x', 100);
    memcpy(body, "bench record: ", 14);

    int port = start_sink(sink);
    if (port <= 0) {
        fprintf(stderr, "bench: cannot start %s\n", sink);
        return 1;
    }
    char dir[] = "/tmp/log4c-otel-bench-XXXXXX", url[64];
    if (!mkdtemp(dir))
        return 1;
    write_log4crc(dir);
    load_secrets();
    write_config(dir);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    setenv("LOG4C_RCPATH", dir, 1);
    setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url, 1);
    /* the queue is sized for the burst unless the environment says
     * otherwise: the benchmark measures cost; with a smaller queue it says
     * how many records each phase dropped and waits only for the rest */
    setenv("LOG4C_OTEL_MAX_QUEUE_BYTES", "4294967296", 0);

    log4c_appender_type_set(&null_appender_type);
    if (log4c_otel_init() != LOG4C_OTEL_OK || log4c_init() != 0)
        return 1;
    log4c_appender_set_layout(log4c_appender_get("null"), NULL); /* like otel's: no formatting */
    log4c_category_t *otel = log4c_category_get("app.bench.module");
    log4c_category_t *base = log4c_category_get("base.bench.module");
    log4c_category_t *floor_ = log4c_category_get("floor.bench.module");
    log4c_category_t *dropped = log4c_category_get("app.drop.module");
    log4c_category_t *masked = log4c_category_get("app.mask.module");
    if (profile)
        return run_profile(profile, total, otel, base, floor_, dropped, masked, dir);
    if (row && strcmp(row, "paced") == 0)
        return run_paced(total, otel, floor_, dir);
    if (row)
        return run_row(row, total, otel, base, dir);
    measure_clock_overhead();

    printf("log4c-otel %s benchmark: 100-byte bodies, %ld records end to end, clock overhead %llu ns "
           "(subtracted)\n",
           LOG4C_OTEL_VERSION, total, (unsigned long long)clock_overhead);
    printf("floor = log4c_category_log through a null appender (log4c's own cost: format + malloc);\n"
           "ours = otel - floor. All figures p50 ns unless said; same run, same process.\n\n");
    printf("caller cost per call (ns)                otel p50   p99  mean | floor p50 | ours | /dev/null p50 | otel/floor otel/devnull\n");
    static const int threads[] = {1, 2, 8};
    result o, f, b;
    for (size_t i = 0; i < 3; i++) {
        size_t per = (size_t)(200000 / threads[i]);
        caller_row(otel, VIA_LOG4C, base, floor_, threads[i], per, &o, &f, &b);
        print_row("accepted, log4c_category_log", threads[i], o, f, b);
    }
    for (size_t i = 0; i < 3; i += 2) {
        size_t per = (size_t)(200000 / threads[i]);
        caller_row(otel, VIA_OTEL_LOG, base, floor_, threads[i], per, &o, &f, &b);
        print_row("accepted, log4c_otel_log", threads[i], o, f, b);
    }
    /* one thread: a record a filter drops, and one a hideRegex masks */
    caller_row(dropped, VIA_LOG4C, base, floor_, 1, 200000, &o, &f, &b);
    print_row("filtered, log4c_category_log", 1, o, f, b);
    caller_row(dropped, VIA_OTEL_LOG, base, floor_, 1, 200000, &o, &f, &b);
    print_row("filtered, log4c_otel_log", 1, o, f, b);
    memcpy(body + 40, "secret=hunter2", 14); /* one match in the 100 bytes */
    caller_row(masked, VIA_LOG4C, base, floor_, 1, 200000, &o, &f, &b); /* exported */
    memset(body + 40, 'x', 14);
    print_row("masked, log4c_category_log", 1, o, f, b);
    paced_row(otel, base, floor_);
    unsigned long long lost = 0;
    settle("caller phase", &lost);

    /* end to end, repeat times: otel, then /dev/null and the floor */
    peak_rss_reset();
    double rate[16], at_logged[16], at_last[16], cpu[16], bcpu[16], brate[16], fcpu[16];
    usage use[16], buse[16];
    for (int r = 0; r < repeat; r++) {
        unsigned long long before = delivered(NULL);
        double cpu0 = cpu_seconds();
        usage u0 = usage_now();
        uint64_t t0 = now_ns();
        for (long i = 0; i < total; i++)
            log4c_category_log(otel, LOG4C_PRIORITY_INFO, "%s", body);
        uint64_t t_logged = now_ns();
        /* the last partial batch would otherwise wait out the schedule delay
         * (1 s by default): a fixed idle tail, not throughput */
        uint64_t t1 = settle("end to end", &lost);
        unsigned long long got = delivered(NULL) - before;
        cpu[r] = (cpu_seconds() - cpu0) * 1e6 / (double)total;
        use[r] = usage_per_record(u0, usage_now(), total);
        rate[r] = (double)got / ((double)(t1 - t0) / 1e9); /* delivered records per second */
        at_logged[r] = (double)(t_logged - t0) / 1e9;
        at_last[r] = (double)(t1 - t0) / 1e9;

        double bcpu0 = cpu_seconds();
        usage bu0 = usage_now();
        uint64_t b0 = now_ns();
        for (long i = 0; i < total; i++)
            log4c_category_log(base, LOG4C_PRIORITY_INFO, "%s", body);
        uint64_t b1 = now_ns();
        bcpu[r] = (cpu_seconds() - bcpu0) * 1e6 / (double)total;
        buse[r] = usage_per_record(bu0, usage_now(), total);
        brate[r] = (double)total / ((double)(b1 - b0) / 1e9);

        double fcpu0 = cpu_seconds();
        for (long i = 0; i < total; i++)
            log4c_category_log(floor_, LOG4C_PRIORITY_INFO, "%s", body);
        fcpu[r] = (cpu_seconds() - fcpu0) * 1e6 / (double)total;
    }
    double m_cpu = median(cpu, repeat), m_bcpu = median(bcpu, repeat), m_fcpu = median(fcpu, repeat);

    long rss = peak_rss_kib();
    log4c_otel_stats_t st;
    log4c_otel_stats(&st);
    printf("\nend to end, %ld records, 1 thread (medians of %d runs):\n", total, repeat);
    printf("  otel:      %9.0f records/s (calls done after %.3f s, last record received after %.3f s)\n",
           median(rate, repeat), median(at_logged, repeat), median(at_last, repeat));
    printf("             %9.3f us CPU per record (whole process: app, worker, curl)\n", m_cpu);
    printf("  /dev/null: %9.0f records/s, %.3f us CPU per record\n", median(brate, repeat), m_bcpu);
    printf("  floor:     %9.3f us CPU per record (null appender)\n", m_fcpu);
    printf("  ours:      %9.3f us CPU per record over the floor\n", m_cpu - m_fcpu);
    printf("  ratio:     %9.2fx CPU per record vs /dev/null, %.2fx vs the floor\n", m_bcpu > 0 ? m_cpu / m_bcpu : 0.0,
           m_fcpu > 0 ? m_cpu / m_fcpu : 0.0);
    print_usage("otel:", median_usage(use, repeat));
    print_usage("/dev/null:", median_usage(buse, repeat));
    printf("  peak RSS:  %ld KiB during these runs\n", rss);
    printf("  counters:  accepted %llu, exported %llu, dropped (queue full) %llu, requests %llu\n",
           (unsigned long long)st.accepted, (unsigned long long)st.exported,
           (unsigned long long)st.dropped_queue_full, (unsigned long long)st.export_requests);
    printf("\nend to end, %ld records, each row in a process of its own (medians of %d runs):\n", total, repeat);
    child_row("threads8", total);
    child_row("gzip", total);
    secret_masking_rows(total);

    log4c_fini();
    close(sink_stdin);
    waitpid(sink_pid, NULL, 0);
    return cleanup(dir);
}
