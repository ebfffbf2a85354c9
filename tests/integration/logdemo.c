/*
 * logdemo.c - the program the integration tests run: it initialises
 * log4c-otel and log4c the documented way, logs what the scenario named on
 * the command line asks for, and prints the counters as one JSON line.
 *
 *   logdemo priorities | bodies | locinfo | count N | sized N BYTES | threads T N | api N | fork N
 *           | mixed [REPEAT] | merged [REPEAT] | secrets | attrs | lengths | census T N
 *           | burst N WARN_EVERY ERRORS
 *
 * Environment: LOGDEMO_NO_FINI=1 exits without log4c_fini() (the atexit
 * path); LOGDEMO_CATEGORY overrides the category (default "test.demo");
 * LOGDEMO_CONFIG_PATH / LOGDEMO_CONFIG_JSON: initialise with
 * log4c_otel_init_with_config(path, json); LOGDEMO_SECRETS: the secrets the
 * "secrets" scenario logs, one per line.
 */
#include <log4c.h>
#include <log4c-otel.h>
#include "stats_json.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/wait.h>

static const char *category_name(void)
{
    const char *c = getenv("LOGDEMO_CATEGORY");
    return c && *c ? c : "test.demo";
}

static void priorities(void)
{
    static const int prio[] = {LOG4C_PRIORITY_FATAL, LOG4C_PRIORITY_ALERT, LOG4C_PRIORITY_CRIT,
                               LOG4C_PRIORITY_ERROR, LOG4C_PRIORITY_WARN,  LOG4C_PRIORITY_NOTICE,
                               LOG4C_PRIORITY_INFO,  LOG4C_PRIORITY_DEBUG, LOG4C_PRIORITY_TRACE};
    log4c_category_t *cat = log4c_category_get(category_name());
    for (size_t i = 0; i < sizeof prio / sizeof prio[0]; i++)
        log4c_category_log(cat, prio[i], "priority %s", log4c_priority_to_string(prio[i]));
}

static void bodies(void)
{
    log4c_category_t *cat = log4c_category_get(category_name());
    size_t big = 1u << 20;
    char *m = malloc(big + 1);
    if (!m)
        exit(3);
    for (size_t i = 0; i < big; i++)
        m[i] = (char)('a' + i % 26);
    m[big] = '\0';
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", m);
    free(m);
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "line one\nline two\r\nline three");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "bad \xff\xfe utf8 \xc3\x28 end \xe2\x82\xac");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", "");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "quote \" backslash \\ tab \t ctrl \x01 done");
    /* other categories: one scope each */
    log4c_category_log(log4c_category_get("other.cat"), LOG4C_PRIORITY_WARN, "from other");
}

/* one message of each length, all 'x', from 1 byte to 1 MiB (the
 * otel_redact layout's lines through log4c's stream appender) */
static void lengths(void)
{
    static const size_t len[] = {1, 100, 500, 510, 511, 512, 1000, 1022, 1023, 1024, 1025, 3000, 4096, 65536, 1u << 20};
    log4c_category_t *cat = log4c_category_get(category_name());
    char *m = malloc((1u << 20) + 1);
    if (!m)
        exit(3);
    memset(m, 'x', 1u << 20);
    for (size_t i = 0; i < sizeof len / sizeof len[0]; i++) {
        m[len[i]] = '\0';
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", m);
        m[len[i]] = 'x';
    }
    free(m);
}

static void locinfo(void)
{
    log4c_category_t *cat = log4c_category_get(category_name());
    const log4c_location_info_t loc = LOG4C_LOCATION_INFO_INITIALIZER(NULL);
    log4c_category_log_locinfo(cat, &loc, LOG4C_PRIORITY_INFO, "with location");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "without location");
}

static void count(long n)
{
    log4c_category_t *cat = log4c_category_get(category_name());
    for (long i = 0; i < n; i++)
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "record %ld", i);
}

/* n records of size bytes each: "sized <i> xxxx…" */
static void sized(long n, long size)
{
    log4c_category_t *cat = log4c_category_get(category_name());
    char *m = malloc((size_t)size + 1);
    if (!m)
        exit(3);
    memset(m, 'x', (size_t)size);
    m[size] = '\0';
    for (long i = 0; i < n; i++)
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "sized %ld %s", i, m);
    free(m);
}

static void print_stats(void);

/* Waits (up to 30 s, polling every millisecond) until the export thread
 * holds records in flight; 0 when it does. */
static int wait_in_flight(void)
{
    for (int i = 0; i < 30000; i++) {
        log4c_otel_stats_t s;
        log4c_otel_stats(&s);
        if (s.in_flight > 0)
            return 0;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return -1;
}

/* A burst as fast as one thread can log: n records with 100-byte bodies
 * ("b<i> xxx…") and three context attributes, every warn_every-th at WARN
 * (0: none), the rest INFO, then `errors` more at ERROR ("e<i> xxx…").
 * With LOGDEMO_BURST_HOLD=K it pauses after the first K records until the
 * export thread holds records in flight (with the collector absent it
 * then keeps them while the rest is logged), so what waits when the burst
 * ends does not depend on when that thread ran. Then prints
 * {"burst":{counters}}: what the library held and shed. */
static void burst(long n, long warn_every, long errors)
{
    const char *hold_env = getenv("LOGDEMO_BURST_HOLD");
    long hold = hold_env ? atol(hold_env) : -1;
    log4c_category_t *cat = log4c_category_get(category_name());
    log4c_otel_context_put_string("service.tier", "web");
    log4c_otel_context_put_int("tenant", 7);
    log4c_otel_context_put_string("region", "eu-west-1");
    char body[101];
    for (long i = 0; i < n + errors; i++) {
        int error = i >= n;
        int len = snprintf(body, sizeof body, "%c%ld ", error ? 'e' : 'b', error ? i - n : i);
        memset(body + len, 'x', sizeof body - 1 - (size_t)len);
        body[sizeof body - 1] = '\0';
        int prio = error ? LOG4C_PRIORITY_ERROR
                   : warn_every > 0 && i % warn_every == warn_every - 1 ? LOG4C_PRIORITY_WARN
                                                                         : LOG4C_PRIORITY_INFO;
        log4c_category_log(cat, prio, "%s", body);
        if (i + 1 == hold && wait_in_flight() != 0) {
            fprintf(stderr, "logdemo: no records in flight 30 s after the first %ld\n", hold);
            exit(4);
        }
    }
    log4c_otel_context_clear();
    log4c_otel_stats_t s;
    log4c_otel_stats(&s);
    printf("{\"burst\":{");
    stats_json_fields(stdout, &s);
    printf("}}\n");
    fflush(stdout);
}

/* Categories, priorities and bodies for the filter tests, repeat times
 * over (a repeated category and priority is decided from the logging
 * thread's cache). */
static void mixed(long repeat)
{
    static const struct {
        const char *cat;
        int prio;
        const char *msg;
    } rows[] = {
        {"gw.conn", LOG4C_PRIORITY_DEBUG, "heartbeat 1"},  {"gw.conn", LOG4C_PRIORITY_INFO, "connected"},
        {"gw", LOG4C_PRIORITY_DEBUG, "gw debug"},          {"gwx", LOG4C_PRIORITY_DEBUG, "gwx debug"},
        {"app.orders", LOG4C_PRIORITY_ERROR, "order failed"}, {"app.orders", LOG4C_PRIORITY_CRIT, "crit failure"},
        {"app.orders", LOG4C_PRIORITY_INFO, "order paid"}, {"App.Audit", LOG4C_PRIORITY_INFO, "audit heartbeat"},
        {"other", LOG4C_PRIORITY_NOTICE, "notice with heartbeat"},
    };
    for (long n = 0; n < repeat; n++)
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            log4c_category_log(log4c_category_get(rows[i].cat), rows[i].prio, "%s", rows[i].msg);
}

/* Categories, priorities and bodies for the merged-filter tests, each with
 * the per-call attributes keep (the string "k") and drop (the row's
 * index), repeat times over. */
static void merged(long repeat)
{
    static const struct {
        const char *cat;
        int prio;
        const char *msg;
    } rows[] = {
        {"app", LOG4C_PRIORITY_INFO, "app info"},          {"app", LOG4C_PRIORITY_DEBUG, "app debug"},
        {"app", LOG4C_PRIORITY_DEBUG, "app debug urgent 42"}, {"app.sub", LOG4C_PRIORITY_INFO, "sub info 7"},
        {"other", LOG4C_PRIORITY_DEBUG, "other debug"},    {"other", LOG4C_PRIORITY_INFO, "other info"},
        {"other", LOG4C_PRIORITY_DEBUG, "other debug urgent 9"},
    };
    for (long n = 0; n < repeat; n++)
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            log4c_otel_log(log4c_category_get(rows[i].cat), rows[i].prio,
                           LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("keep", "k"), LOG4C_OTEL_INT("drop", (long)i)), "%s",
                           rows[i].msg);
}

/* Each secret in a body, in a per-call attribute, in the thread's context. */
static void secrets(void)
{
    log4c_category_t *cat = log4c_category_get(category_name());
    const char *env = getenv("LOGDEMO_SECRETS");
    char *all = strdup(env ? env : "");
    int i = 0;
    for (char *save = NULL, *s = strtok_r(all, "\n", &save); s; s = strtok_r(NULL, "\n", &save), i++) {
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "body %d: %s", i, s);
        log4c_otel_log(cat, LOG4C_PRIORITY_WARN,
                       LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("credential", s), LOG4C_OTEL_INT("case", i)), "attr %d", i);
        log4c_otel_context_put_string("ctx.secret", s);
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "context %d", i);
        log4c_otel_context_clear();
    }
    free(all);
}

/* Typed per-call attributes with the real location, and a thread context. */
static void attrs(void)
{
    log4c_category_t *cat = log4c_category_get(category_name());
    log4c_otel_context_put_string("request.id", "r-42");
    log4c_otel_context_put_int("tenant", 7);
    log4c_otel_log(cat, LOG4C_PRIORITY_INFO,
                   LOG4C_OTEL_ATTRS(LOG4C_OTEL_STRING("order.id", "o-1"), LOG4C_OTEL_INT("items", -3),
                                    LOG4C_OTEL_DOUBLE("amount", 12.5), LOG4C_OTEL_BOOL("paid", 1),
                                    LOG4C_OTEL_INT("tenant", 8)),
                   "order %s paid", "o-1");
    log4c_otel_context_remove("tenant");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "plain");
    log4c_otel_context_clear();
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "cleared");
    log4c_otel_attr bad = LOG4C_OTEL_STRING(NULL, "x");
    printf("{\"bad_attr\":%d,\"bad_put\":%d}\n", log4c_otel_log(cat, LOG4C_PRIORITY_INFO, &bad, 1, "never"),
           log4c_otel_context_put_string("", "x"));
}

/* The public flush/shutdown API: flush makes n records exported before
 * log4c_fini; after shutdown, records are dropped and counted. */
static void api(long n)
{
    log4c_category_t *cat = log4c_category_get(category_name());
    for (long i = 0; i < n; i++)
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "api %ld", i);
    int rc = log4c_otel_flush(10000);
    printf("{\"flush\":%d}\n", rc);
    print_stats();
    rc = log4c_otel_shutdown(2000);
    printf("{\"shutdown\":%d}\n", rc);
    for (long i = 0; i < 3; i++)
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "after shutdown %ld", i);
    printf("{\"flush_after_shutdown\":%d}\n", log4c_otel_flush(1000));
    printf("{\"stats_null\":%d,\"strerror\":\"%s\"}\n", log4c_otel_stats(NULL),
           log4c_otel_strerror(LOG4C_OTEL_ETIMEDOUT));
}

static long per_thread;
static void print_stats(void);

static void *thread_main(void *arg)
{
    long t = (long)(intptr_t)arg;
    log4c_category_t *cat = log4c_category_get(category_name());
    for (long i = 0; i < per_thread; i++)
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "t%ld r%ld", t, i);
    return NULL;
}

/* fork while 4 threads log: the child logs at once (fresh worker) and exits
 * through the atexit flush; the parent's records are unaffected */
static void forked(long n)
{
    pthread_t th[4];
    per_thread = n;
    log4c_category_get(category_name());
    for (long t = 0; t < 4; t++)
        pthread_create(&th[t], NULL, thread_main, (void *)(intptr_t)t);
    usleep(2000); /* fork in the middle of the logging */
    pid_t pid = fork();
    if (pid == 0) {
        log4c_category_t *cat = log4c_category_get(category_name());
        for (int i = 0; i < 50; i++)
            log4c_category_log(cat, LOG4C_PRIORITY_INFO, "child %d", i);
        exit(0);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = -1;
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (long t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    printf("{\"child_pid\":%d,\"child_status\":%d,\"child_exit_ms\":%ld}\n", (int)pid,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1,
           (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
    fflush(stdout);
}

/* census: T threads log N records each while this thread polls
 * log4c_otel_stats() and checks the header's identities at every poll:
 * accepted equals the sum of where records are and how they ended (and
 * dropped_queue_full the sum of its severity bands, shed_*), and
 * accepted + filtered + staged lies between the log calls that had returned
 * before the poll and those that had started after it. */
static atomic_long census_started, census_returned;

static void *census_thread(void *arg)
{
    long t = (long)(intptr_t)arg;
    log4c_category_t *cat = log4c_category_get(category_name());
    for (long i = 0; i < per_thread; i++) {
        atomic_fetch_add(&census_started, 1);
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "t%ld r%ld", t, i);
        atomic_fetch_add(&census_returned, 1);
    }
    return NULL;
}

static uint64_t census_outcomes(const log4c_otel_stats_t *s)
{
    return s->exported + s->dropped_queue_full + s->dropped_export_failed + s->dropped_rejected +
           s->dropped_http_error + s->dropped_shutdown + s->dropped_config + s->dropped_preinit +
           s->dropped_reentrant + s->dropped_spool_full + s->queued + s->in_flight + s->spooled;
}

static void census(long nthreads, long n)
{
    pthread_t th[64];
    per_thread = n;
    if (nthreads > 64)
        nthreads = 64;
    log4c_category_get(category_name());
    for (long t = 0; t < nthreads; t++)
        pthread_create(&th[t], NULL, census_thread, (void *)(intptr_t)t);
    long polls = 0, bad_identity = 0, bad_low = 0, bad_high = 0;
    char first_bad[512] = "";
    while (atomic_load(&census_returned) < nthreads * n) {
        long returned = atomic_load(&census_returned);
        log4c_otel_stats_t s;
        log4c_otel_stats(&s);
        long started = atomic_load(&census_started);
        uint64_t seen = s.accepted + s.filtered + s.staged;
        int bad = 0;
        if (s.accepted != census_outcomes(&s) ||
            s.dropped_queue_full != s.shed_debug + s.shed_info + s.shed_warn + s.shed_error)
            bad_identity++, bad = 1;
        if (seen < (uint64_t)returned)
            bad_low++, bad = 1;
        if (seen > (uint64_t)started)
            bad_high++, bad = 1;
        if (bad && !first_bad[0])
            snprintf(first_bad, sizeof first_bad,
                     "returned %ld started %ld accepted %llu filtered %llu staged %llu outcomes %llu", returned,
                     started, (unsigned long long)s.accepted, (unsigned long long)s.filtered,
                     (unsigned long long)s.staged, (unsigned long long)census_outcomes(&s));
        polls++;
    }
    for (long t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
    printf("{\"census\":{\"polls\":%ld,\"bad_identity\":%ld,\"bad_low\":%ld,\"bad_high\":%ld,\"first_bad\":\"%s\"}}\n",
           polls, bad_identity, bad_low, bad_high, first_bad);
    fflush(stdout);
}

static void threads(long nthreads, long n)
{
    pthread_t th[64];
    per_thread = n;
    if (nthreads > 64)
        nthreads = 64;
    /* log4c is not MT-safe while it creates categories: create it first */
    log4c_category_get(category_name());
    for (long t = 0; t < nthreads; t++)
        pthread_create(&th[t], NULL, thread_main, (void *)(intptr_t)t);
    for (long t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
}

static void print_stats(void)
{
    log4c_otel_stats_t s;
    log4c_otel_stats(&s);
    printf("{");
    stats_json_fields(stdout, &s);
    printf("}\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: logdemo priorities|bodies|locinfo|count N|sized N BYTES|threads T N|api N|fork N\n");
        return 2;
    }
    /* LOGDEMO_EARLY=N logs N records ("early <i> token=<secret>")
     * through log4crc's otel appender before log4c_otel_init*() (the type is
     * registered by the library's constructor), LOGDEMO_EARLY_SLEEP_MS later
     * calls init */
    long early = getenv("LOGDEMO_EARLY") ? atol(getenv("LOGDEMO_EARLY")) : 0;
    if (early > 0) {
        if (log4c_init() != 0) {
            fprintf(stderr, "log4c_init failed\n");
            return 1;
        }
        log4c_category_t *cat = log4c_category_get(category_name());
        for (long i = 0; i < early; i++)
            log4c_category_log(cat, LOG4C_PRIORITY_INFO, "early %ld token=secret%ldXYZ", i, i);
        const char *ms = getenv("LOGDEMO_EARLY_SLEEP_MS");
        if (ms) {
            struct timespec ts = {atol(ms) / 1000, (atol(ms) % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (getenv("LOGDEMO_EARLY_TRIGGER")) /* one record after the sleep */
            log4c_category_log(cat, LOG4C_PRIORITY_INFO, "after sleep token=secretSXYZ");
        print_stats(); /* what is held, before init */
    }
    const char *cpath = getenv("LOGDEMO_CONFIG_PATH"), *cjson = getenv("LOGDEMO_CONFIG_JSON");
    int rc = cpath || cjson ? log4c_otel_init_with_config(cpath, cjson) : log4c_otel_init();
    printf("{\"init\":%d}\n", rc);
    fflush(stdout);
    if (early <= 0 && log4c_init() != 0) {
        fprintf(stderr, "log4c_init failed\n");
        return 1;
    }
    if (strcmp(argv[1], "priorities") == 0)
        priorities();
    else if (strcmp(argv[1], "bodies") == 0)
        bodies();
    else if (strcmp(argv[1], "locinfo") == 0)
        locinfo();
    else if (strcmp(argv[1], "mixed") == 0)
        mixed(argc > 2 ? atol(argv[2]) : 1);
    else if (strcmp(argv[1], "merged") == 0)
        merged(argc > 2 ? atol(argv[2]) : 1);
    else if (strcmp(argv[1], "secrets") == 0)
        secrets();
    else if (strcmp(argv[1], "attrs") == 0)
        attrs();
    else if (strcmp(argv[1], "lengths") == 0)
        lengths();
    else if (strcmp(argv[1], "count") == 0 && argc > 2)
        count(atol(argv[2]));
    else if (strcmp(argv[1], "fork") == 0 && argc > 2)
        forked(atol(argv[2]));
    else if (strcmp(argv[1], "api") == 0 && argc > 2)
        api(atol(argv[2]));
    else if (strcmp(argv[1], "sized") == 0 && argc > 3)
        sized(atol(argv[2]), atol(argv[3]));
    else if (strcmp(argv[1], "census") == 0 && argc > 3)
        census(atol(argv[2]), atol(argv[3]));
    else if (strcmp(argv[1], "burst") == 0 && argc > 4)
        burst(atol(argv[2]), atol(argv[3]), atol(argv[4]));
    else if (strcmp(argv[1], "threads") == 0 && argc > 3)
        threads(atol(argv[2]), atol(argv[3]));
    else {
        fprintf(stderr, "unknown scenario %s\n", argv[1]);
        return 2;
    }
    if (getenv("LOGDEMO_NO_FINI"))
        return 0; /* the library's atexit handler must flush within its deadline */
    log4c_fini();
    print_stats();
    return 0;
}
