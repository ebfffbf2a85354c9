/*
 * test_delivery_report.c - the delivery diagnostics (src/delivery_report.c)
 * over time: the first failure at once, a summary at most every
 * OTEL_REPORT_INTERVAL_S while an endpoint keeps failing, one line on
 * recovery; the first drop of each reason at once, then counts by reason
 * at most every interval; no credentials in an endpoint; nothing when
 * quiet. The monotonic clock is moved forward by the test (the program is
 * linked with --wrap=clock_gettime), so no test waits 30 s; stderr is read
 * back from a file. Check runs each test in a process of its own, so each
 * starts with the report's state fresh.
 */
#include <check.h>
#include "run_suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "delivery_report.h"
#include "diag_mask.h"
#include "endpoint_text.h"
#include "load_pipeline.h"

static long long offset_s; /* added to CLOCK_MONOTONIC */

int __real_clock_gettime(clockid_t clk, struct timespec *ts);
int __wrap_clock_gettime(clockid_t clk, struct timespec *ts);
int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
    int r = __real_clock_gettime(clk, ts);
    if (r == 0 && clk == CLOCK_MONOTONIC)
        ts->tv_sec += offset_s;
    return r;
}

static FILE *captured;

/* stderr goes to a file from here on */
static void capture(void)
{
    captured = tmpfile();
    ck_assert_ptr_nonnull(captured);
    fflush(stderr);
    ck_assert_int_ge(dup2(fileno(captured), STDERR_FILENO), 0);
}

/* Every line printed since the last call, into out (empty: none). */
static void lines_since(char *out, size_t size)
{
    static long done;
    fflush(stderr);
    fseek(captured, 0, SEEK_END);
    long end = ftell(captured);
    fseek(captured, done, SEEK_SET);
    size_t n = fread(out, 1, size - 1, captured);
    out[n] = '\0';
    done = end;
}

static void expect_line(const char *want)
{
    char got[4096];
    lines_since(got, sizeof got);
    ck_assert_msg(strstr(got, want) != NULL, "expected a line with \"%s\", got \"%s\"", want, got);
    ck_assert_msg(strchr(got, '\n') == got + strlen(got) - 1, "expected one line, got \"%s\"", got);
}

static void expect_nothing(void)
{
    char got[4096];
    lines_since(got, sizeof got);
    ck_assert_msg(got[0] == '\0', "expected nothing, got \"%s\"", got);
}

START_TEST(failing_endpoint_over_time)
{
    unsetenv("LOG4C_OTEL_QUIET");
    capture();
    const char *ep = "https://user:hunter2@collector.example:4318/v1/logs";
    otel_report_attempt_failed(ep, "HTTP 503");
    expect_line("log4c-otel: export to https://collector.example:4318/v1/logs failed: HTTP 503; retrying");
    offset_s += 10;
    otel_report_attempt_failed(ep, "HTTP 503");
    expect_nothing(); /* within the interval */
    offset_s += OTEL_REPORT_INTERVAL_S - 10;
    otel_report_attempt_failed(ep, "connection refused");
    expect_line("export to https://collector.example:4318/v1/logs still failing: 3 failed attempts in 30 s; "
                "last: connection refused");
    offset_s += 5;
    otel_report_attempt_failed(ep, "connection refused");
    expect_nothing(); /* the interval counts from the last summary */
    offset_s += OTEL_REPORT_INTERVAL_S;
    otel_report_attempt_failed(ep, "HTTP 502");
    expect_line("still failing: 5 failed attempts in 65 s; last: HTTP 502");
    offset_s += 1;
    otel_report_attempt_ok(ep);
    expect_line("export to https://collector.example:4318/v1/logs recovered after 5 failed attempts in 66 s");
    otel_report_attempt_ok(ep);
    expect_nothing(); /* not failing: nothing to say */
    /* failing again: a first line again, at once */
    otel_report_attempt_failed(ep, "HTTP 500");
    expect_line("export to https://collector.example:4318/v1/logs failed: HTTP 500");
    char all[4096];
    rewind(captured);
    size_t n = fread(all, 1, sizeof all - 1, captured);
    all[n] = '\0';
    ck_assert_msg(strstr(all, "hunter2") == NULL && strstr(all, "user:") == NULL, "credentials printed: %s", all);
}
END_TEST

/* How an endpoint is printed: never a user:password@ (however the
 * password is written) nor a query's or fragment's text. */
START_TEST(endpoint_text_hides_credentials_and_query)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"http://collector:4318/v1/logs", "http://collector:4318/v1/logs"},
        {"https://user:hunter2@collector:4318/v1/logs", "https://collector:4318/v1/logs"},
        {"http://user@collector", "http://collector"},
        /* an unencoded '/' or '@' in the password */
        {"http://user:pa/ss@collector:4318/v1/logs", "http://collector:4318/v1/logs"},
        {"http://user:p@ss@collector/v1/logs", "http://collector/v1/logs"},
        {"http://collector/v1/logs?api_key=K3y", "http://collector/v1/logs?****"},
        {"http://u:p@collector/x#tok=K3y", "http://collector/x#****"},
        /* no scheme */
        {"user:pw@collector:4318", "collector:4318"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[160];
        otel_endpoint_text(rows[i].in, out, sizeof out);
        ck_assert_msg(strcmp(out, rows[i].want) == 0, "row %zu: \"%s\" printed as \"%s\", want \"%s\"", i, rows[i].in,
                      out, rows[i].want);
    }
}
END_TEST

/* An answer that is not retried: the first line says the records are
 * dropped, not that they wait; the endpoint then fails as any other. */
START_TEST(refused_attempt_says_records_dropped)
{
    unsetenv("LOG4C_OTEL_QUIET");
    capture();
    const char *ep = "http://refusing.example:4318/v1/logs";
    otel_report_attempt_refused(ep, "HTTP 400, not retried");
    expect_line("log4c-otel: export to http://refusing.example:4318/v1/logs failed: HTTP 400, not retried; "
                "that request's records are dropped\n");
    offset_s += OTEL_REPORT_INTERVAL_S;
    otel_report_attempt_refused(ep, "HTTP 400, not retried");
    expect_line("still failing: 2 failed attempts in 30 s; last: HTTP 400, not retried");
    otel_report_attempt_ok(ep);
    expect_line("recovered after 2 failed attempts");
}
END_TEST

/* A long endpoint is printed whole into its line, which is masked before
 * any cut: a secret in its path is masked however far in it lies. */
START_TEST(long_endpoint_masked_whole)
{
    unsetenv("LOG4C_OTEL_QUIET");
    otel_pipeline p;
    load(&p, "{\"defaults\":{\"hideRegex\":\"\\\\b\\\\d{16}\\\\b\"}}");
    otel_diag_mask_set_rules(&p.filters);
    capture();
    char ep[512] = "http://long.example:4318/";
    for (int i = 0; i < 70; i++)
        strcat(ep, "p/");
    strcat(ep, "tok-4929123456781234/v1/logs"); /* across byte 160 and beyond */
    otel_report_attempt_failed(ep, "HTTP 503");
    char got[4096];
    lines_since(got, sizeof got);
    ck_assert_msg(strstr(got, "tok-****************/v1/logs failed: HTTP 503") != NULL, "%s", got);
    ck_assert_msg(strstr(got, "92912345") == NULL, "%s", got);
    otel_diag_mask_set_rules(NULL);
    otel_pipeline_free(&p);
}
END_TEST

START_TEST(endpoints_are_reported_apart)
{
    unsetenv("LOG4C_OTEL_QUIET");
    capture();
    otel_report_attempt_failed("http://a.example:4318", "HTTP 503");
    expect_line("export to http://a.example:4318 failed");
    otel_report_attempt_failed("http://b.example:4318", "HTTP 503");
    expect_line("export to http://b.example:4318 failed");
    otel_report_attempt_ok("http://a.example:4318");
    expect_line("export to http://a.example:4318 recovered after 1 failed attempts");
    offset_s += OTEL_REPORT_INTERVAL_S;
    otel_report_attempt_failed("http://b.example:4318", "HTTP 503");
    expect_line("export to http://b.example:4318 still failing: 2 failed attempts in 30 s");
}
END_TEST

START_TEST(drops_first_at_once_then_counts_per_interval)
{
    unsetenv("LOG4C_OTEL_QUIET");
    capture();
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, 5);
    expect_line("log4c-otel: dropping records (queue_full): the queue is full");
    offset_s += 1;
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, 7);
    expect_nothing();
    offset_s += 1;
    otel_report_outcome(OTEL_OUT_SPOOL_FULL, 2); /* a new reason: its first line at once */
    expect_line("dropping records (spool_full): the spool cannot take them");
    otel_report_outcome(OTEL_OUT_EXPORTED, 100); /* delivered: never reported */
    expect_nothing();
    offset_s += OTEL_REPORT_INTERVAL_S - 2;
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, 1);
    expect_line("log4c-otel: dropped in the last 30 s: queue_full 13, spool_full 2");
    offset_s += 10;
    otel_report_outcome(OTEL_OUT_EXPORT_FAILED, 3);
    expect_line("dropping records (export_failed)");
    offset_s += OTEL_REPORT_INTERVAL_S - 10;
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, 4);
    /* counts since the last summary only */
    expect_line("log4c-otel: dropped in the last 30 s: queue_full 4, export_failed 3");
    offset_s += OTEL_REPORT_INTERVAL_S;
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, 0); /* nothing dropped: nothing to say */
    expect_nothing();
}
END_TEST

START_TEST(quiet_says_nothing)
{
    setenv("LOG4C_OTEL_QUIET", "yes", 1);
    capture();
    otel_report_attempt_failed("http://a.example:4318", "HTTP 503");
    offset_s += OTEL_REPORT_INTERVAL_S;
    otel_report_attempt_failed("http://a.example:4318", "HTTP 503");
    otel_report_attempt_ok("http://a.example:4318");
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, 5);
    offset_s += OTEL_REPORT_INTERVAL_S;
    otel_report_outcome(OTEL_OUT_QUEUE_FULL, 5);
    log4c_otel_stats_t s = {.accepted = 10, .dropped_queue_full = 10};
    otel_report_exit(&s, NULL);
    expect_nothing();
}
END_TEST

START_TEST(exit_line_once)
{
    unsetenv("LOG4C_OTEL_QUIET");
    capture();
    log4c_otel_stats_t none = {.accepted = 10, .exported = 10};
    otel_report_exit(&none, NULL);
    expect_nothing(); /* everything delivered */
    log4c_otel_stats_t s = {.accepted = 20, .exported = 10, .dropped_queue_full = 3, .dropped_shutdown = 2,
                            .spooled = 5};
    otel_report_exit(&s, "/var/spool/app");
    expect_line("log4c-otel: at exit, 10 of 20 records accepted were not delivered: dropped queue_full 3, "
                "shutdown 2; 5 spooled in /var/spool/app (sent by the next process that uses it)");
    otel_report_exit(&s, "/var/spool/app");
    expect_nothing();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("delivery_report");
    TCase *tc = tcase_create("over time");
    tcase_add_test(tc, failing_endpoint_over_time);
    tcase_add_test(tc, endpoint_text_hides_credentials_and_query);
    tcase_add_test(tc, refused_attempt_says_records_dropped);
    tcase_add_test(tc, long_endpoint_masked_whole);
    tcase_add_test(tc, endpoints_are_reported_apart);
    tcase_add_test(tc, drops_first_at_once_then_counts_per_interval);
    tcase_add_test(tc, quiet_says_nothing);
    tcase_add_test(tc, exit_line_once);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
