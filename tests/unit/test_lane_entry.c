/*
 * test_lane_entry.c - the record built from a lane entry (lane_entry.c)
 * is the record the pipeline builds from the same event by the general
 * path: the library's attributes gathered into a list whose keys are
 * measured and copied, filtered, masked and cut by pipeline.c. The usual
 * entry (no per-call or context attributes, nothing added, masked or
 * left out) is built without the pipeline's input and keeps the
 * library's key names as constants; both must give the same bytes on the
 * wire (protobuf and JSON) and the same sizes, for every attribute type,
 * empty and missing strings, non-UTF-8 bytes, the length and count
 * limits, masking, allow-lists and added attributes.
 */
#include <check.h>
#include "run_suite.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attributes.h"
#include "buf.h"
#include "encode.h"
#include "event_attrs.h"
#include "lane_entry.h"
#include "load_pipeline.h"
#include "span.h"
#include "thread_id.h"

static atomic_uint_fast64_t filtered, dropped_config;

/* The record of ev as the general path builds it: otel_pipeline_build_record
 * over the library's attributes, keys neither measured nor constant. */
static otel_record *reference(const otel_pipeline *p, otel_sources *src, size_t body_limit, const otel_log_event *ev,
                              uint64_t now, int *why)
{
    static otel_attr own[OTEL_APPEND_MAX_ATTRS];
    size_t n = otel_event_own_attrs(own, otel_thread_id(), ev->file, ev->file ? ev->line : 0,
                                    ev->file ? ev->function : NULL);
    n = otel_event_source_attrs(src, ev->category, ev->ld, own, n);
    for (size_t i = 0; i < n; i++)
        own[i].key_len = 9999; /* not to be trusted: keys_measured 0 */
    static uint8_t tid[16], sid[8];
    uint8_t flags = 0;
    int traced = otel_context_current_ids(tid, sid, &flags);
    size_t nctx;
    const otel_attr *ctx = otel_thread_attrs(&nctx);
    otel_pipeline_input in = {
        .rec = {.time_unix_nano = ev->time_ns,
                .observed_time_unix_nano = now > ev->time_ns ? now : ev->time_ns,
                .log4c_priority = ev->priority,
                .category = ev->category,
                .body = ev->message,
                .body_len = strlen(ev->message),
                .body_limit = body_limit,
                .trace_id = traced ? tid : NULL,
                .span_id = traced ? sid : NULL,
                .flags = flags,
                .attrs = own,
                .nattrs = n},
        .call_attrs = ev->call ? ev->call->attrs : NULL,
        .ncall_attrs = ev->call ? ev->call->nattrs : 0,
        .ctx_attrs = ctx,
        .nctx_attrs = nctx,
        .ctx_given = 1,
    };
    return otel_pipeline_build_record(p, &in, why);
}

static otel_record *from_entry(const otel_pipeline *p, otel_sources *src, size_t body_limit, const otel_log_event *ev,
                               uint64_t now, int *why)
{
    size_t size = otel_lane_entry_pack(NULL, 0, ev);
    void *e = aligned_alloc(8, (size + 7) & ~(size_t)7);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(otel_lane_entry_pack(e, size, ev), size);
    otel_record_builder b = {.pipeline = p,
                             .sources = src,
                             .body_limit = body_limit,
                             .filtered = &filtered,
                             .dropped_config = &dropped_config};
    otel_record *r = otel_lane_entry_record(&b, e, size, now, why);
    memset(e, 0x5a, size); /* the lane's chunk is reused: the record must not point into it */
    free(e);
    return r;
}

static void encoded(otel_record *r, int json, otel_buf *out)
{
    otel_buf_reset(out);
    otel_record *recs[1] = {r};
    ck_assert_int_eq(json ? otel_encode_json(NULL, recs, 1, out) : otel_encode_protobuf(NULL, recs, 1, out), 0);
}

/* the same record: every field, every string, and the same bytes encoded */
static void same(otel_record *got, otel_record *want, const char *what)
{
    ck_assert_msg((got == NULL) == (want == NULL), "%s: record %p, reference %p", what, (void *)got, (void *)want);
    if (!got)
        return;
    ck_assert_uint_eq(got->time_unix_nano, want->time_unix_nano);
    ck_assert_uint_eq(got->observed_time_unix_nano, want->observed_time_unix_nano);
    ck_assert_int_eq(got->severity_number, want->severity_number);
    ck_assert_str_eq(got->severity_text, want->severity_text);
    ck_assert_uint_eq(got->category_len, want->category_len);
    ck_assert_mem_eq(got->category, want->category, want->category_len + 1);
    ck_assert_uint_eq(got->body_len, want->body_len);
    ck_assert_mem_eq(got->body, want->body, want->body_len + 1);
    ck_assert_mem_eq(got->trace_id, want->trace_id, 16);
    ck_assert_mem_eq(got->span_id, want->span_id, 8);
    ck_assert_uint_eq(got->flags, want->flags);
    ck_assert_uint_eq(got->dropped_attrs, want->dropped_attrs);
    ck_assert_uint_eq(got->nattrs, want->nattrs);
    for (size_t i = 0; i < want->nattrs; i++) {
        const otel_attr *g = &got->attrs[i], *w = &want->attrs[i];
        ck_assert_msg(strcmp(g->key, w->key) == 0, "%s: key %zu %s, want %s", what, i, g->key, w->key);
        ck_assert_uint_eq(g->key_len, strlen(g->key));
        ck_assert_int_eq(g->type, w->type);
        if (w->type == OTEL_VALUE_STRING) {
            ck_assert_uint_eq(g->v.str.s_len, w->v.str.s_len);
            ck_assert_mem_eq(g->v.str.s, w->v.str.s, w->v.str.s_len + 1);
        } else if (w->type == OTEL_VALUE_INT) {
            ck_assert_int_eq(g->v.i, w->v.i);
        } else if (w->type == OTEL_VALUE_DOUBLE) {
            ck_assert_mem_eq(&g->v.d, &w->v.d, sizeof g->v.d);
        } else {
            ck_assert_int_eq(g->v.b, w->v.b);
        }
    }
    /* a size set while building is the size measured afterwards */
    size_t built = got->wire_size;
    got->wire_size = 0;
    size_t measured = otel_log_record_size(got);
    ck_assert_msg(built == 0 || built == measured, "%s: built %zu, measured %zu", what, built, measured);
    ck_assert_uint_eq(measured, otel_log_record_size(want));
    otel_buf a = {0}, b = {0};
    for (int json = 0; json < 2; json++) {
        encoded(got, json, &a);
        encoded(want, json, &b);
        ck_assert_msg(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "%s: %s encodings differ", what,
                      json ? "JSON" : "protobuf");
    }
    otel_buf_free(&a);
    otel_buf_free(&b);
}

static const char *const CONFIGS[] = {
    "{}",
    "{\"filters\":[{\"categoryName\":\"app.mask\",\"hideRegex\":\"secret=\\\\S+|\\u00e9\"}]}",
    "{\"providerSettings\":{\"logRecordLimits\":{\"attributeValueLengthLimit\":6}}}",
    "{\"providerSettings\":{\"logRecordLimits\":{\"attributeCountLimit\":2}}}",
    "{\"filters\":[{\"categoryName\":\"app\",\"allowedAttributes\":[\"thread.id\",\"k\",\"log.source\"]}]}",
    "{\"additionalAttributes\":{\"extra\":\"x\",\"n\":5}}",
    /* patterns that match the library's key names (never masked) and values */
    "{\"defaults\":{\"hideRegex\":\"thread|code|source|name|app|inst|\\\\d\"}}",
    "{\"filters\":[{\"categoryName\":\"app.mask\",\"hideRegex\":\"secret=\\\\S+\"}],"
    "\"providerSettings\":{\"logRecordLimits\":{\"attributeValueLengthLimit\":5,\"attributeCountLimit\":4}}}",
};

static const char *const CATEGORIES[] = {"app.shop.cart", "app.mask", "platform.x", "app.caf\xe9", "", "app"};

static const char *const BODIES[] = {
    "",
    "hello",
    "a body of some length, well over the limits the configurations set, with secret=hunter2 inside it",
    "bad \xff byte and \xc3 cut",
    "caf\xc3\xa9 \xe2\x82\xac two- and three-byte sequences",
};

START_TEST(record_from_entry_is_the_pipelines_record)
{
    otel_sources_config sc;
    ck_assert_int_eq(otel_sources_config_default(&sc), 0);
    otel_sources *src = otel_sources_new(&sc);
    ck_assert_ptr_nonnull(src);
    char what[256];
    int cases = 0;
    for (size_t c = 0; c < sizeof CONFIGS / sizeof CONFIGS[0]; c++) {
        otel_pipeline p;
        load(&p, CONFIGS[c]);
        for (int v = 0; v < 64; v++) {
            /* v: bit 0 a code location, bit 1 loc_data, bit 2 per-call
             * attributes, bit 3 a thread context attribute, bit 4 a
             * classifier, bit 5 a builder body limit */
            otel_attr ld_attrs[4] = {
                {.key = "k", .type = OTEL_VALUE_STRING, .v.str = {"v\xff", 2}},
                {.key = "d", .type = OTEL_VALUE_DOUBLE, .v.d = -0.5},
                {.key = "b", .type = OTEL_VALUE_BOOL, .v.b = 1},
                {.key = "", .type = OTEL_VALUE_STRING, .v.str = {"", 0}}, /* an empty key: left out */
            };
            otel_loc_data ld = {.magic = OTEL_LOC_DATA_MAGIC,
                                .app_name = v & 16 ? "named" : NULL,
                                .app_instance = v & 32 ? "inst-1" : NULL,
                                .attrs = ld_attrs,
                                .nattrs = 4};
            otel_attr call_attrs[3] = {
                {.key = "call", .type = OTEL_VALUE_INT, .v.i = -7},
                {.key = "thread.id", .type = OTEL_VALUE_STRING, .v.str = {"mine", 4}}, /* wins over the own */
                {.key = "empty", .type = OTEL_VALUE_STRING, .v.str = {NULL, 0}},
            };
            otel_call_attrs call = {call_attrs, 3};
            if (v & 8) {
                otel_attr t = {.key = "ctx", .type = OTEL_VALUE_STRING, .v.str = {"secret=ctx", 10}};
                ck_assert_int_eq(otel_thread_attrs_put(&t), 0);
            }
            for (size_t k = 0; k < sizeof CATEGORIES / sizeof CATEGORIES[0]; k++)
                for (size_t m = 0; m < sizeof BODIES / sizeof BODIES[0]; m++)
                    for (int fn = 0; fn < 3; fn++) {
                        otel_log_event ev = {.category = CATEGORIES[k],
                                             .priority = (int)(100 * (m + k) % 1100),
                                             .message = BODIES[m],
                                             .time_ns = 1700000000000000000ull + (uint64_t)v,
                                             .file = v & 1 ? "src/some/file.c" : NULL,
                                             .line = 42 + v,
                                             .function = fn == 0 ? "fn" : fn == 1 ? "(nil)" : NULL,
                                             .ld = v & 2 ? &ld : NULL,
                                             .call = v & 4 ? &call : NULL};
                        otel_sources *s = v & 16 ? src : NULL;
                        size_t limit = v & 32 ? 9 : 0;
                        uint64_t now = m & 1 ? 1700000000000000100ull : 0;
                        int why_got = 0, why_want = 0;
                        otel_record *got = from_entry(&p, s, limit, &ev, now, &why_got);
                        otel_record *want = reference(&p, s, limit, &ev, now, &why_want);
                        snprintf(what, sizeof what, "config %zu variant %d category %zu body %zu function %d", c,
                                 v, k, m, fn);
                        same(got, want, what);
                        if (!got)
                            ck_assert_int_eq(why_got, why_want);
                        otel_record_free(got);
                        otel_record_free(want);
                        cases++;
                    }
            otel_thread_attrs_clear();
        }
        otel_pipeline_free(&p);
    }
    ck_assert_int_gt(cases, 1000);
    otel_sources_free(src);
    otel_sources_config_free(&sc);
}
END_TEST

/* inside a span: the trace context travels in the entry */
START_TEST(record_from_entry_in_a_span)
{
    otel_pipeline p;
    load(&p, "{}");
    otel_span_context sc = {.flags = 1};
    memset(sc.trace_id, 0xab, sizeof sc.trace_id);
    memset(sc.span_id, 0xcd, sizeof sc.span_id);
    ck_assert_int_eq(otel_context_attach(&sc), 0);
    otel_log_event ev = {.category = "app.x", .priority = 600, .message = "in a span", .time_ns = 5};
    int why = 0;
    otel_record *got = from_entry(&p, NULL, 0, &ev, 0, &why);
    otel_record *want = reference(&p, NULL, 0, &ev, 0, &why);
    ck_assert_int_eq(got->trace_id[0], 0xab);
    ck_assert_uint_eq(got->flags, 1);
    same(got, want, "span");
    otel_record_free(got);
    otel_record_free(want);
    ck_assert_int_eq(otel_context_detach(), 0);
    otel_pipeline_free(&p);
}
END_TEST

/* the library's own key names are kept as constants; every other string of
 * the record (values, the category, the body, a caller's keys) lies in the
 * record's own allocation */
START_TEST(only_library_keys_outside_the_record)
{
    otel_pipeline p;
    load(&p, "{}");
    otel_sources_config sc;
    ck_assert_int_eq(otel_sources_config_default(&sc), 0);
    otel_sources *src = otel_sources_new(&sc);
    otel_attr ld_attrs[1] = {{.key = "mine", .type = OTEL_VALUE_STRING, .v.str = {"x", 1}}};
    otel_loc_data ld = {.magic = OTEL_LOC_DATA_MAGIC, .app_instance = "i", .attrs = ld_attrs, .nattrs = 1};
    otel_log_event ev = {.category = "app.shop",
                         .priority = 600,
                         .message = "m",
                         .time_ns = 5,
                         .file = "f.c",
                         .line = 3,
                         .function = "fn",
                         .ld = &ld};
    int why = 0;
    otel_record *r = from_entry(&p, src, 0, &ev, 0, &why);
    ck_assert_ptr_nonnull(r);
    const char *lo = (const char *)r, *hi = lo + r->size;
#define INSIDE(s) ((const char *)(s) >= lo && (const char *)(s) < hi)
    ck_assert(INSIDE(r->category) && INSIDE(r->body));
    size_t library = 0;
    for (size_t i = 0; i < r->nattrs; i++) {
        const otel_attr *a = &r->attrs[i];
        if (a->type == OTEL_VALUE_STRING)
            ck_assert_msg(INSIDE(a->v.str.s), "value of %s", a->key);
        if (strcmp(a->key, "mine") == 0)
            ck_assert(INSIDE(a->key));
        else
            library += !INSIDE(a->key);
    }
#undef INSIDE
    /* thread.id, code.file.path, code.line.number, code.function.name,
     * log.source, app.name, app.instance */
    ck_assert_uint_eq(r->nattrs, 8);
    ck_assert_uint_eq(library, 7);
    otel_record_free(r);
    otel_sources_free(src);
    otel_sources_config_free(&sc);
    otel_pipeline_free(&p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lane_entry");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, record_from_entry_is_the_pipelines_record);
    tcase_add_test(tc, record_from_entry_in_a_span);
    tcase_add_test(tc, only_library_keys_outside_the_record);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
