/*
 * test_spans.c - spans and the per-thread context: nesting, out-of-order
 * and cross-thread ends, attach/detach, the override while the line is
 * logged, ids, filters (matching filters merged first-wins per option, then
 * defaults; minDurationMs, log, enabled; `context` matched against the
 * span's filtering context, inherited from the parent span), the `traces`
 * JSON parser, and the traceparent parser table.
 */
#include <check.h>
#include "run_suite.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "span.h"
#include "trace_context.h"
#include "traces_config.h"

/* ---- a sink that records lines and the context current while logging ---- */
static char lines[16][8192];
static otel_span_context seen_ctx[16];
static int nlines;

static void capture(const char *line, size_t len, const otel_span_context *ctx, int status)
{
    (void)status;
    ck_assert_uint_eq(strlen(line), len);
    ck_assert_int_lt(nlines, 16);
    snprintf(lines[nlines], sizeof lines[0], "%s", line);
    ck_assert_int_eq(otel_context_current(&seen_ctx[nlines]), 1);
    ck_assert_mem_eq(seen_ctx[nlines].span_id, ctx->span_id, 8);
    nlines++;
}

static uint64_t fake_now;
static uint64_t fake_clock(void) { return fake_now; }

static void setup(void)
{
    nlines = 0;
    fake_now = 1000000000ull;
    otel_span_set_sink(capture);
    otel_span_set_clock(fake_clock);
    otel_span_set_config(NULL);
    otel_context_set_current(NULL);
}

static void teardown(void)
{
    otel_span_set_sink(NULL);
    otel_span_set_clock(NULL);
    otel_span_set_config(NULL);
    otel_context_set_current(NULL);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* "<trace>-<span>-" of a context */
static void ids_prefix(char out[64], const otel_span_context *c)
{
    hex(out, c->trace_id, 16);
    out[32] = '-';
    hex(out + 33, c->span_id, 8);
    out[49] = '-';
    out[50] = '\0';
}

START_TEST(nested_spans_restore_parents)
{
    otel_span_context cur, oc, ic;
    ck_assert_int_eq(otel_context_current(&cur), 0);
    otel_span *outer, *inner;
    ck_assert_int_eq(otel_span_start("outer", NULL, 1, &outer), 0);
    otel_span_get_context(outer, &oc);
    ck_assert(!otel_bytes_all_zero(oc.trace_id, 16) && !otel_bytes_all_zero(oc.span_id, 8));
    ck_assert_int_eq(oc.flags, 1);
    ck_assert_int_eq(otel_context_current(&cur), 1);
    ck_assert_mem_eq(cur.span_id, oc.span_id, 8);
    uint8_t tid[16], sid[8], fl = 0; /* the appender's read: ids only, same context */
    ck_assert_int_eq(otel_context_current_ids(tid, sid, &fl), 1);
    ck_assert_mem_eq(tid, oc.trace_id, 16);
    ck_assert_mem_eq(sid, oc.span_id, 8);
    ck_assert_int_eq(fl, oc.flags);

    ck_assert_int_eq(otel_span_start("inner", NULL, 1, &inner), 0);
    otel_span_get_context(inner, &ic);
    ck_assert_mem_eq(ic.trace_id, oc.trace_id, 16); /* same trace */
    ck_assert(memcmp(ic.span_id, oc.span_id, 8) != 0);
    otel_attr v = {.type = OTEL_VALUE_INT, .v.i = 7};
    ck_assert_int_eq(otel_span_set_attr(inner, "n", &v), 0);
    fake_now += 2999999; /* 2.999999 ms: whole ms, rounded down */
    otel_span_end(inner);
    ck_assert_int_eq(otel_context_current(&cur), 1);
    ck_assert_mem_eq(cur.span_id, oc.span_id, 8); /* the parent again */

    char want[256], p[64], parent[17];
    ids_prefix(p, &ic);
    hex(parent, oc.span_id, 8);
    snprintf(want, sizeof want, "%s%s inner 0 2 {\"n\":7}", p, parent);
    ck_assert_int_eq(nlines, 1);
    ck_assert_str_eq(lines[0], want);
    ck_assert_mem_eq(seen_ctx[0].span_id, ic.span_id, 8); /* correlated with the ended span */

    fake_now += 5000000;
    otel_span_end(outer);
    ck_assert_int_eq(otel_context_current(&cur), 0);
    ck_assert_int_eq(otel_context_current_ids(tid, sid, &fl), 0);
    ids_prefix(p, &oc);
    snprintf(want, sizeof want, "%s0000000000000000 outer 0 7 {}", p);
    ck_assert_str_eq(lines[1], want);
    ck_assert_uint_eq(otel_context_depth(), 0);
}
END_TEST

START_TEST(root_spans_get_new_trace_ids)
{
    otel_span *a, *b;
    otel_span_context ac, bc;
    ck_assert_int_eq(otel_span_start("a", NULL, 1, &a), 0);
    ck_assert_int_eq(otel_span_start("b", NULL, 0, &b), 0); /* explicit root despite an active span */
    otel_span_get_context(a, &ac);
    otel_span_get_context(b, &bc);
    ck_assert(memcmp(ac.trace_id, bc.trace_id, 16) != 0);
    otel_span_end(b);
    otel_span_end(a);
    ck_assert(strstr(lines[0], "-0000000000000000 b ") != NULL);
    ck_assert(strstr(lines[1], "-0000000000000000 a ") != NULL);
}
END_TEST

START_TEST(out_of_order_end_keeps_inner_active)
{
    otel_span *outer, *inner;
    otel_span_context oc, ic, cur;
    otel_span_start("outer", NULL, 1, &outer);
    otel_span_start("inner", NULL, 1, &inner);
    otel_span_get_context(outer, &oc);
    otel_span_get_context(inner, &ic);
    otel_span_end(outer); /* out of order */
    ck_assert_int_eq(otel_context_current(&cur), 1);
    ck_assert_mem_eq(cur.span_id, ic.span_id, 8);
    otel_span_end(inner);
    ck_assert_int_eq(otel_context_current(&cur), 0);
    ck_assert_uint_eq(otel_context_depth(), 0);
    ck_assert_int_eq(nlines, 2);
}
END_TEST

static void *end_it(void *arg)
{
    otel_span_end(arg);
    return NULL;
}

START_TEST(end_on_another_thread)
{
    otel_span *outer, *inner;
    otel_span_context oc, ic, cur;
    otel_span_start("outer", NULL, 1, &outer);
    otel_span_start("inner", NULL, 1, &inner);
    otel_span_get_context(outer, &oc);
    otel_span_get_context(inner, &ic);
    pthread_t t;
    pthread_create(&t, NULL, end_it, inner);
    pthread_join(t, NULL);
    ck_assert_int_eq(nlines, 1); /* written by the other thread, at once */
    ck_assert(strstr(lines[0], " inner ") != NULL);
    ck_assert_mem_eq(seen_ctx[0].span_id, ic.span_id, 8);
    /* this thread falls back to the parent */
    ck_assert_int_eq(otel_context_current(&cur), 1);
    ck_assert_mem_eq(cur.span_id, oc.span_id, 8);
    ck_assert_uint_eq(otel_context_depth(), 1);
    otel_span_end(outer);
    ck_assert_uint_eq(otel_context_depth(), 0);
}
END_TEST

static void *start_and_exit(void *arg)
{
    otel_span **out = arg;
    otel_span_start("orphan", NULL, 1, out); /* the thread exits with it active */
    return NULL;
}

START_TEST(span_outlives_its_thread)
{
    otel_span *s = NULL;
    pthread_t t;
    pthread_create(&t, NULL, start_and_exit, &s);
    pthread_join(t, NULL);
    ck_assert_ptr_nonnull(s);
    otel_span_end(s); /* the thread's frame was released at exit: no leak, no use after free */
    ck_assert_int_eq(nlines, 1);
    ck_assert(strstr(lines[0], " orphan ") != NULL);
}
END_TEST

START_TEST(attach_and_detach)
{
    otel_span_context remote, cur, sc;
    ck_assert_int_eq(otel_traceparent_parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", &remote), 0);
    ck_assert_int_eq(otel_context_detach(), -1);
    ck_assert_int_eq(otel_context_attach(&remote), 0);
    ck_assert_int_eq(otel_context_current(&cur), 1);
    ck_assert_mem_eq(cur.span_id, remote.span_id, 8);
    otel_span *s;
    otel_span_start("child", NULL, 1, &s);
    otel_span_get_context(s, &sc);
    ck_assert_mem_eq(sc.trace_id, remote.trace_id, 16);
    ck_assert_int_eq(otel_context_detach(), 0); /* the span stays active */
    ck_assert_int_eq(otel_context_current(&cur), 1);
    ck_assert_mem_eq(cur.span_id, sc.span_id, 8);
    otel_span_end(s);
    ck_assert_int_eq(otel_context_current(&cur), 0);
    ck_assert(strstr(lines[0], "0af7651916cd43dd8448eb211c80319c-") == lines[0]);
    ck_assert(strstr(lines[0], "-b7ad6b7169203331 child 0 ") != NULL);
    ck_assert_int_eq(otel_context_detach(), -1);
}
END_TEST

START_TEST(status_and_attribute_rules)
{
    otel_span *s;
    otel_span_start("st", NULL, 1, &s);
    otel_attr str = {.type = OTEL_VALUE_STRING, .v.str = {"one", 3}};
    otel_attr i = {.type = OTEL_VALUE_INT, .v.i = 2};
    ck_assert_int_eq(otel_span_set_attr(s, "k", &str), 0);
    ck_assert_int_eq(otel_span_set_attr(s, "z", &i), 0);
    ck_assert_int_eq(otel_span_set_attr(s, "k", &i), 0); /* replaced, keeps its place */
    ck_assert_int_eq(otel_span_set_attr(s, "", &i), -1);
    ck_assert_int_eq(otel_span_set_status(s, 3, NULL), -1);
    ck_assert_int_eq(otel_span_set_status(s, 2, "boom"), 0);
    char key[16];
    for (int n = 2; n < OTEL_SPAN_MAX_ATTRS; n++) {
        snprintf(key, sizeof key, "a%d", n);
        ck_assert_int_eq(otel_span_set_attr(s, key, &i), 0);
    }
    ck_assert_int_eq(otel_span_set_attr(s, "one.too.many", &i), -2);
    otel_span_end(s);
    ck_assert(strstr(lines[0], " st 2 0 {\"k\":2,\"z\":2,\"a2\":2,") != NULL);
    ck_assert(strstr(lines[0], ",\"otel.status_description\":\"boom\"}") != NULL);
    ck_assert(strstr(lines[0], "one.too.many") == NULL);
}
END_TEST

START_TEST(ok_status_drops_message)
{
    otel_span *s;
    otel_span_start("ok", NULL, 1, &s);
    otel_span_set_status(s, 1, "ignored");
    otel_span_end(s);
    ck_assert(strstr(lines[0], " ok 1 0 {}") != NULL);
}
END_TEST

static otel_traces_config *parse(const char *text, int want_rc, char *err, size_t errlen)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    ck_assert_msg(j != NULL, "bad test JSON: %s", je.text);
    otel_traces_config *c = malloc(sizeof *c);
    err[0] = '\0';
    otel_config_error e;
    memset(&e, 0, sizeof e);
    int rc = otel_traces_config_from_json(j, "logs.traces", c, &e);
    if (rc != 0)
        otel_config_error_format(&e, err, errlen);
    json_decref(j);
    ck_assert_msg(rc == want_rc, "rc %d (%s)", rc, err);
    return c;
}

START_TEST(filters_merged_and_defaults)
{
    char err[256];
    otel_traces_config *c = parse("{\"category\":\"spans\",\"defaults\":{\"minDurationMs\":5},"
                                  "\"filters\":[{\"source\":\"db\",\"log\":false},"
                                  "{\"source\":\"db.query\",\"minDurationMs\":0},"
                                  "{\"source\":\"noisy\",\"enabled\":false},"
                                  "{\"source\":\"http\",\"log\":{\"enabled\":true},\"minDurationMs\":0},"
                                  "{\"source\":\"x\",\"unknownKey\":[1,2]}]}",
                                  0, err, sizeof err);
    ck_assert_str_eq(c->category, "spans");
    otel_span_decision d;
    /* "db" sets log, "db.query" (also matching) sets minDurationMs: both apply */
    otel_traces_decide(c, "db.query", NULL, 0, &d);
    ck_assert(d.enabled && !d.log && d.min_duration_ms == 0);
    otel_traces_decide(c, "db.other", NULL, 0, &d); /* only "db": minDurationMs from defaults */
    ck_assert(d.enabled && !d.log && d.min_duration_ms == 5);
    otel_traces_decide(c, "dbx", NULL, 0, &d); /* not a dotted prefix: defaults */
    ck_assert(d.enabled && d.log && d.min_duration_ms == 5);
    otel_traces_decide(c, "noisy.thing", NULL, 0, &d);
    ck_assert(!d.enabled);
    otel_traces_decide(c, "http", NULL, 0, &d);
    ck_assert(d.enabled && d.log && d.min_duration_ms == 0);

    /* installed: disabled spans keep ids, clear the sampled flag, write nothing;
     * short spans write nothing; log false writes nothing */
    otel_span_set_config(c);
    otel_span *s;
    otel_span_context sc;
    otel_span_start("noisy.op", NULL, 1, &s);
    otel_span_get_context(s, &sc);
    ck_assert_int_eq(sc.flags, 0);
    ck_assert(!otel_bytes_all_zero(sc.span_id, 8));
    fake_now += 100000000;
    otel_span_end(s);
    otel_span_start("other", NULL, 1, &s);
    fake_now += 4999999; /* 4 ms < 5 */
    otel_span_end(s);
    otel_span_start("db.query", NULL, 1, &s);
    fake_now += 100000000;
    otel_span_end(s);
    ck_assert_int_eq(nlines, 0);
    otel_span_start("other", NULL, 1, &s);
    fake_now += 5000000;
    otel_span_end(s);
    otel_span_start("http.get", NULL, 1, &s);
    otel_span_end(s);
    ck_assert_int_eq(nlines, 2);
    ck_assert(strstr(lines[0], " other 0 5 {}") != NULL);
    ck_assert(strstr(lines[1], " http.get 0 0 {}") != NULL);
}
END_TEST

START_TEST(filters_first_wins_per_option)
{
    char err[256];
    otel_traces_config *c = parse("{\"defaults\":{\"minDurationMs\":7,\"log\":false},"
                                  "\"filters\":[{\"source\":\"a\",\"log\":true},"
                                  "{\"source\":\"a.b\",\"log\":false,\"minDurationMs\":1},"
                                  "{\"source\":\"a.b\",\"minDurationMs\":2,\"enabled\":false},"
                                  "{\"source\":\"z\"}]}",
                                  0, err, sizeof err);
    otel_span_decision d;
    otel_traces_decide(c, "a.b.c", NULL, 0, &d);
    /* log from the first filter (not the second's false), minDurationMs from
     * the second (not the third's 2), enabled from the third */
    ck_assert(!d.enabled && d.log && d.min_duration_ms == 1);
    otel_traces_decide(c, "a", NULL, 0, &d); /* only the first: the rest from defaults */
    ck_assert(d.enabled && d.log && d.min_duration_ms == 7);
    otel_traces_decide(c, "z", NULL, 0, &d); /* a filter that sets nothing: defaults */
    ck_assert(d.enabled && !d.log && d.min_duration_ms == 7);
    otel_traces_decide(c, "q", NULL, 0, &d); /* no filter: defaults, then built-ins */
    ck_assert(d.enabled && !d.log && d.min_duration_ms == 7);
    otel_traces_config_free(c);
    free(c);
}
END_TEST

#define STR(k, val) {.key = (k), .type = OTEL_VALUE_STRING, .v.str = {(val), sizeof(val) - 1}}
#define INT(k, val) {.key = (k), .type = OTEL_VALUE_INT, .v.i = (val)}
#define DBL(k, val) {.key = (k), .type = OTEL_VALUE_DOUBLE, .v.d = (val)}
#define BOOL(k, val) {.key = (k), .type = OTEL_VALUE_BOOL, .v.b = (val)}

START_TEST(filters_match_context)
{
    char err[256];
    otel_traces_config *c = parse("{\"filters\":[{\"source\":\"ws\",\"context\":{\"app\":\"other\"},\"log\":false},"
                                  "{\"context\":{\"app\":\"other\",\"tier\":\"gold\"},\"minDurationMs\":9},"
                                  "{\"source\":\"ws\",\"minDurationMs\":3}]}",
                                  0, err, sizeof err);
    ck_assert_uint_eq(c->filters[0].ncontext, 1);
    ck_assert_uint_eq(c->filters[1].ncontext, 2);
    otel_span_decision d;
    const otel_attr other[] = {STR("app", "other")};
    const otel_attr mine[] = {STR("app", "mine")};
    const otel_attr gold[] = {STR("tier", "gold"), STR("app", "other")};
    otel_traces_decide(c, "ws.send", other, 1, &d);
    ck_assert(d.enabled && !d.log && d.min_duration_ms == 3);
    otel_traces_decide(c, "ws.send", mine, 1, &d); /* context differs: the filter does not apply */
    ck_assert(d.enabled && d.log && d.min_duration_ms == 3);
    otel_traces_decide(c, "ws.send", NULL, 0, &d); /* no context: a key missing is a mismatch */
    ck_assert(d.enabled && d.log && d.min_duration_ms == 3);
    otel_traces_decide(c, "http", other, 1, &d); /* context matches, source does not */
    ck_assert(d.enabled && d.log && d.min_duration_ms == 0);
    otel_traces_decide(c, "http", gold, 2, &d); /* every key of the second filter's context */
    ck_assert(d.enabled && d.log && d.min_duration_ms == 9);
    otel_traces_decide(c, "ws", gold, 2, &d);
    ck_assert(d.enabled && !d.log && d.min_duration_ms == 9);
    /* a string value of other bytes (the same prefix) does not match */
    const otel_attr prefix[] = {{.key = "app", .type = OTEL_VALUE_STRING, .v.str = {"other", 3}}};
    otel_traces_decide(c, "ws", prefix, 1, &d);
    ck_assert(d.log);
    otel_traces_config_free(c);
    free(c);
}
END_TEST

START_TEST(context_values_json_equality)
{
    char err[256];
    otel_traces_config *c =
        parse("{\"filters\":[{\"context\":{\"n\":3,\"r\":2.5,\"ok\":true,\"s\":\"3\",\"big\":9007199254740993}}]}", 0,
              err, sizeof err);
    const otel_span_rule *f = &c->filters[0];
    const otel_attr yes[] = {INT("n", 3), DBL("r", 2.5), BOOL("ok", 1), STR("s", "3"), INT("big", 9007199254740993LL)};
    ck_assert(otel_span_context_matches(c, f->context, f->ncontext, yes, 5));
    /* 3 equals 3.0 */
    const otel_attr real3[] = {DBL("n", 3.0), DBL("r", 2.5), BOOL("ok", 1), STR("s", "3"), INT("big", 9007199254740993LL)};
    ck_assert(otel_span_context_matches(c, f->context, f->ncontext, real3, 5));
    static const otel_attr no[][5] = {
        {INT("n", 4), DBL("r", 2.5), BOOL("ok", 1), STR("s", "3"), INT("big", 9007199254740993LL)},
        {STR("n", "3"), DBL("r", 2.5), BOOL("ok", 1), STR("s", "3"), INT("big", 9007199254740993LL)},
        {INT("n", 3), INT("r", 2), BOOL("ok", 1), STR("s", "3"), INT("big", 9007199254740993LL)},
        {INT("n", 3), DBL("r", 2.5), BOOL("ok", 0), STR("s", "3"), INT("big", 9007199254740993LL)},
        {INT("n", 3), DBL("r", 2.5), INT("ok", 1), STR("s", "3"), INT("big", 9007199254740993LL)},
        {INT("n", 3), DBL("r", 2.5), BOOL("ok", 1), INT("s", 3), INT("big", 9007199254740993LL)},
        /* integers compare exactly, not through a double */
        {INT("n", 3), DBL("r", 2.5), BOOL("ok", 1), STR("s", "3"), INT("big", 9007199254740992LL)},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!otel_span_context_matches(c, f->context, f->ncontext, no[i], 5), "row %zu", i);
    ck_assert(!otel_span_context_matches(c, f->context, f->ncontext, yes, 4)); /* "big" missing */
    otel_traces_config_free(c);
    free(c);
}
END_TEST

START_TEST(context_service_name)
{
    char err[256];
    otel_traces_config *c =
        parse("{\"filters\":[{\"context\":{\"service.name\":\"svc\"},\"enabled\":false}]}", 0, err, sizeof err);
    otel_span_decision d;
    otel_traces_decide(c, "x", NULL, 0, &d); /* no service name configured: no match */
    ck_assert(d.enabled);
    ck_assert_int_eq(otel_traces_config_set_service_name(c, "svc"), 0);
    otel_traces_decide(c, "x", NULL, 0, &d); /* the library's service.name */
    ck_assert(!d.enabled);
    const otel_attr own[] = {STR("service.name", "else")};
    otel_traces_decide(c, "x", own, 1, &d); /* the span's own pair wins */
    ck_assert(d.enabled);
    ck_assert_int_eq(otel_traces_config_set_service_name(c, "other"), 0);
    otel_traces_decide(c, "x", NULL, 0, &d);
    ck_assert(d.enabled);

    /* installed: a span started with no context sees the configured name */
    ck_assert_int_eq(otel_traces_config_set_service_name(c, "svc"), 0);
    otel_span_set_config(c);
    otel_span *s;
    otel_span_context sc;
    ck_assert_int_eq(otel_span_start("x", NULL, 1, &s), 0);
    otel_span_get_context(s, &sc);
    ck_assert_int_eq(sc.flags, 0);
    otel_span_end(s);
}
END_TEST

START_TEST(filter_context_inherited_from_parent)
{
    char err[256];
    otel_traces_config *c = parse("{\"filters\":[{\"source\":\"ws\",\"context\":{\"app\":\"other\"},\"log\":false},"
                                  "{\"context\":{\"app\":\"other\",\"n\":1},\"enabled\":false}]}",
                                  0, err, sizeof err);
    otel_span_set_config(c);
    otel_span *outer, *child, *own, *grand, *remote;
    const otel_attr other[] = {STR("app", "other"), INT("n", 2)};
    ck_assert_int_eq(otel_span_start_with_filter_context("outer", NULL, 1, other, 2, &outer), 0);
    /* the child inherits app=other: suppressed */
    ck_assert_int_eq(otel_span_start("ws.child", NULL, 1, &child), 0);
    /* a grandchild sets n=1 over the inherited app=other: both keys of the second filter */
    const otel_attr n1[] = {INT("n", 1)};
    ck_assert_int_eq(otel_span_start_with_filter_context("g", NULL, 1, n1, 1, &grand), 0);
    otel_span_context gc;
    otel_span_get_context(grand, &gc);
    ck_assert_int_eq(gc.flags, 0);
    otel_span_end(grand);
    otel_span_end(child);
    /* its own pair wins over the parent's: logged */
    const otel_attr mine[] = {STR("app", "mine")};
    ck_assert_int_eq(otel_span_start_with_filter_context("ws.own", NULL, 1, mine, 1, &own), 0);
    otel_span_end(own);
    /* an explicit parent context carries no filtering context: logged */
    otel_span_context oc;
    otel_span_get_context(outer, &oc);
    ck_assert_int_eq(otel_span_start("ws.remote", &oc, 0, &remote), 0);
    otel_span_end(remote);
    otel_span_end(outer);
    ck_assert_int_eq(nlines, 3);
    ck_assert(strstr(lines[0], " ws.own ") != NULL);
    ck_assert(strstr(lines[1], " ws.remote ") != NULL);
    ck_assert(strstr(lines[2], " outer ") != NULL);
    /* the filtering context is not written as attributes */
    ck_assert(strstr(lines[2], "{}") != NULL);
}
END_TEST

START_TEST(traces_disabled_globally)
{
    char err[256];
    otel_traces_config *c = parse("{\"enabled\":false,\"filters\":[{\"source\":\"a\",\"enabled\":true}]}", 0, err,
                                  sizeof err);
    otel_span_decision d;
    otel_traces_decide(c, "a", NULL, 0, &d);
    ck_assert(!d.enabled);
    otel_traces_config_free(c);
    free(c);
    c = parse("{}", 0, err, sizeof err);
    ck_assert_str_eq(c->category, "traces");
    otel_traces_decide(c, "anything", NULL, 0, &d);
    ck_assert(d.enabled && d.log && d.min_duration_ms == 0);
    otel_traces_config_free(c);
    free(c);
}
END_TEST

START_TEST(traces_json_errors)
{
    static const struct {
        const char *json, *msg;
    } rows[] = {
        {"[]", "logs.traces: expected an object"},
        {"{\"enabled\":1}", "logs.traces.enabled: expected true or false"},
        {"{\"category\":\"\"}", "logs.traces.category: expected a non-empty string"},
        {"{\"defaults\":{\"source\":\"a\"}}", "logs.traces.defaults.source: not allowed in defaults"},
        {"{\"defaults\":{\"minDurationMs\":-1}}", "logs.traces.defaults.minDurationMs: expected a number of milliseconds >= 0"},
        {"{\"filters\":{}}", "logs.traces.filters: expected an array"},
        {"{\"filters\":[{\"source\":\"ok\"},3]}", "logs.traces.filters[1]: expected an object"},
        {"{\"filters\":[{\"source\":\"#^db\"}]}", "logs.traces.filters[0].source: regular expressions ('#...') are not supported for spans"},
        {"{\"filters\":[{\"source\":\"\"}]}", "logs.traces.filters[0].source: expected a non-empty string"},
        {"{\"filters\":[{\"log\":{\"enabled\":\"yes\"}}]}", "logs.traces.filters[0].log.enabled: expected true or false"},
        {"{\"filters\":[{\"log\":\"yes\"}]}", "logs.traces.filters[0].log: expected true or false"},
        {"{\"filters\":[{\"context\":[]}]}", "logs.traces.filters[0].context: expected an object"},
        {"{\"filters\":[{\"context\":{\"a\":\"x\",\"b\":null}}]}",
         "logs.traces.filters[0].context.b: expected a string, a number or true or false"},
        {"{\"filters\":[{\"context\":{\"a\":{}}}]}",
         "logs.traces.filters[0].context.a: expected a string, a number or true or false"},
        {"{\"filters\":[{\"context\":{\"a\":\"#^x\"}}]}",
         "logs.traces.filters[0].context.a: regular expressions ('#...') are not supported for spans"},
        {"{\"defaults\":{\"context\":{\"a\":1}}}", "logs.traces.defaults.context: not allowed in defaults"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char err[256];
        otel_traces_config *c = parse(rows[i].json, -1, err, sizeof err);
        ck_assert_str_eq(err, rows[i].msg);
        otel_traces_config_free(c); /* safe after an error */
        free(c);
    }
}
END_TEST

START_TEST(source_prefix)
{
    ck_assert(otel_span_source_matches("db", "db"));
    ck_assert(otel_span_source_matches("db", "db.query"));
    ck_assert(otel_span_source_matches("db.query", "db.query.x"));
    ck_assert(!otel_span_source_matches("db", "dbx"));
    ck_assert(!otel_span_source_matches("db.query", "db"));
    ck_assert(otel_span_source_matches(NULL, "anything"));
}
END_TEST

START_TEST(random_ids_never_zero)
{
    uint8_t a[16], b[16];
    ck_assert_int_eq(otel_random_id(a, 16), 0);
    ck_assert_int_eq(otel_random_id(b, 16), 0);
    ck_assert(memcmp(a, b, 16) != 0);
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(otel_random_id(a, 1), 0); /* even one byte: never zero */
        ck_assert_uint_ne(a[0], 0);
    }
}
END_TEST

/* ---- traceparent ---- */

START_TEST(traceparent_table)
{
    static const struct {
        const char *in;
        int ok;
    } rows[] = {
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 1},
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", 1},
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ff", 1},                /* unknown flags kept */
        {"01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 1},                /* future version */
        {"cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-ever", 1},      /* future: more fields */
        {"cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01.what", 0},           /* not after a '-' */
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-", 0},               /* 00: exactly 55 */
        {"ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 0},                /* version ff */
        {"0A-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 0},                /* uppercase version */
        {"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", 0},                /* uppercase id */
        {"00-0af7651916cd43dd8448eb211c80319c-B7AD6B7169203331-01", 0},
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0F", 0},
        {"00-00000000000000000000000000000000-b7ad6b7169203331-01", 0},                /* zero trace id */
        {"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", 0},                /* zero span id */
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1", 0},                 /* short */
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01", 0},
        {"00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 0},
        {"00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01", 0},
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331_01", 0},
        {" 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 0},               /* no whitespace */
        {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ", 0},
        {"00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01", 0},
        {"00--af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        otel_span_context c;
        memset(&c, 0x5a, sizeof c);
        int rc = otel_traceparent_parse(rows[i].in, &c);
        ck_assert_msg((rc == 0) == rows[i].ok, "%s: rc %d", rows[i].in, rc);
        if (rc != 0)
            ck_assert_uint_eq(c.trace_id[0], 0x5a); /* untouched */
    }
    ck_assert_int_eq(otel_traceparent_parse(NULL, NULL), -1);
    otel_span_context c;
    /* length-bounded: a NUL inside, or a cut, is invalid */
    ck_assert_int_eq(otel_traceparent_parse_n("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-\0x", 58, &c), -1);
    ck_assert_int_eq(otel_traceparent_parse_n("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01xyz", 55, &c), 0);
}
END_TEST

START_TEST(traceparent_round_trip)
{
    const char *tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    otel_span_context c;
    ck_assert_int_eq(otel_traceparent_parse(tp, &c), 0);
    ck_assert_int_eq(c.flags, 1);
    ck_assert_str_eq(c.tracestate, "");
    char out[OTEL_TRACEPARENT_LEN + 1];
    otel_traceparent_format(&c, out);
    ck_assert_str_eq(out, tp);
    /* a future version is re-emitted as 00 */
    ck_assert_int_eq(otel_traceparent_parse("41-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", &c), 0);
    otel_traceparent_format(&c, out);
    ck_assert_str_eq(out, tp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("spans");
    TCase *tc = tcase_create("spans");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, nested_spans_restore_parents);
    tcase_add_test(tc, root_spans_get_new_trace_ids);
    tcase_add_test(tc, out_of_order_end_keeps_inner_active);
    tcase_add_test(tc, end_on_another_thread);
    tcase_add_test(tc, span_outlives_its_thread);
    tcase_add_test(tc, attach_and_detach);
    tcase_add_test(tc, status_and_attribute_rules);
    tcase_add_test(tc, ok_status_drops_message);
    tcase_add_test(tc, filters_merged_and_defaults);
    tcase_add_test(tc, filters_first_wins_per_option);
    tcase_add_test(tc, filters_match_context);
    tcase_add_test(tc, context_values_json_equality);
    tcase_add_test(tc, context_service_name);
    tcase_add_test(tc, filter_context_inherited_from_parent);
    tcase_add_test(tc, traces_disabled_globally);
    tcase_add_test(tc, traces_json_errors);
    tcase_add_test(tc, source_prefix);
    tcase_add_test(tc, random_ids_never_zero);
    tcase_add_test(tc, traceparent_table);
    tcase_add_test(tc, traceparent_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()); }
