/*
 * test_encode.c - unit tests of the OTLP encoders (protobuf and JSON), the
 * request splitting by size, the scope grouping and the decoding of the
 * collector's partial_success answer.
 *
 * Protobuf output is read back with the protobuf-c code generated from our
 * .proto files, JSON output with jansson: neither reader is the code under
 * test. (The wire against the official decoder is the integration tests'
 * job.) Records are built by hand here, not with otel_record_new, so these
 * tests depend on the encoders alone.
 */
#include <check.h>
#include "run_suite.h"
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "otlp_protobuf_ref.h"
#include "log4c-otel.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest pb_request;
typedef Opentelemetry__Proto__Logs__V1__ScopeLogs pb_scope_logs;
typedef Opentelemetry__Proto__Logs__V1__LogRecord pb_log_record;
typedef Opentelemetry__Proto__Common__V1__KeyValue pb_key_value;
typedef Opentelemetry__Proto__Common__V1__AnyValue pb_any_value;

#define ANY(x) OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_##x

/* ---- building records by hand ---- */

static otel_attr attr_str(const char *k, const char *s)
{
    otel_attr a;
    memset(&a, 0, sizeof a);
    a.key = k;
    a.key_len = (uint32_t)strlen(k); /* a record's attributes carry it (otel_record_new sets it) */
    a.type = OTEL_VALUE_STRING;
    a.v.str.s = s;
    a.v.str.s_len = strlen(s);
    return a;
}

static otel_attr attr_int(const char *k, int64_t i)
{
    otel_attr a;
    memset(&a, 0, sizeof a);
    a.key = k;
    a.key_len = (uint32_t)strlen(k);
    a.type = OTEL_VALUE_INT;
    a.v.i = i;
    return a;
}

static otel_attr attr_double(const char *k, double d)
{
    otel_attr a;
    memset(&a, 0, sizeof a);
    a.key = k;
    a.key_len = (uint32_t)strlen(k);
    a.type = OTEL_VALUE_DOUBLE;
    a.v.d = d;
    return a;
}

static otel_attr attr_bool(const char *k, int b)
{
    otel_attr a;
    memset(&a, 0, sizeof a);
    a.key = k;
    a.key_len = (uint32_t)strlen(k);
    a.type = OTEL_VALUE_BOOL;
    a.v.b = b;
    return a;
}

static otel_record make_record(const char *category, const char *body, int32_t sev, const char *sev_text)
{
    otel_record r;
    memset(&r, 0, sizeof r);
    r.category = category;
    r.category_len = strlen(category);
    r.body = body;
    r.body_len = strlen(body);
    r.severity_number = sev;
    r.severity_text = sev_text;
    return r;
}

static void set_ids(otel_record *r, uint8_t seed)
{
    size_t i;
    for (i = 0; i < sizeof r->trace_id; i++)
        r->trace_id[i] = (uint8_t)(seed + 0x11 * i);
    for (i = 0; i < sizeof r->span_id; i++)
        r->span_id[i] = (uint8_t)(0xa0 + seed + i);
}

static pb_request *unpack_request(const otel_buf *b, size_t from)
{
    pb_request *req = opentelemetry__proto__collector__logs__v1__export_logs_service_request__unpack(
        NULL, b->len - from, (const uint8_t *)b->data + from);
    ck_assert_ptr_nonnull(req);
    return req;
}

static void free_request(pb_request *req)
{
    opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
}

static const pb_key_value *find_kv(pb_key_value **kvs, size_t n, const char *key)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(kvs[i]->key, key) == 0)
            return kvs[i];
    return NULL;
}

/* ---- a fixture batch: 3 categories, interleaved ---- */

static const otel_attr res_attrs_fixture[] = {
    {.key = "service.name", .type = OTEL_VALUE_STRING, .v.str = {"svc", 3}},
    {.key = "process.pid", .type = OTEL_VALUE_INT, .v.i = 4242},
};
static const otel_resource fixture_res = {res_attrs_fixture, 2};

static otel_attr fx_attrs[4];
static otel_record fx[5];
static otel_record *fx_ptrs[5];
/* Categories per record and the expected scope layout. */
static const char *const fx_cat[5] = {"app.one", "gw", "app.one", "captured.x", "gw"};

static void fixture_setup(void)
{
    static char cat_copy[] = "app.one"; /* same content, other pointer: same scope */
    size_t i;

    fx_attrs[0] = attr_str("user", "alice");
    fx_attrs[1] = attr_int("count", -42);
    fx_attrs[2] = attr_double("ratio", 1.5);
    fx_attrs[3] = attr_bool("ok", 1);
    for (i = 0; i < 5; i++) {
        static const char *const bodies[5] = {"first", "second", "third", "fourth", "fifth"};
        fx[i] = make_record(fx_cat[i], bodies[i], (int32_t)(5 + 4 * i), "INFO");
        fx[i].time_unix_nano = 1700000000000000000ULL + i;
        fx[i].observed_time_unix_nano = 1700000000000000500ULL + i;
        fx_ptrs[i] = &fx[i];
    }
    fx[2].category = cat_copy;
    fx[0].attrs = fx_attrs;
    fx[0].nattrs = 4;
    fx[0].flags = 1;
    fx[0].dropped_attrs = 300; /* a two-byte varint */
    set_ids(&fx[0], 1);
    fx[1].time_unix_nano = UINT64_MAX;
    fx[1].severity_text = "ERROR";
}

/* ---- protobuf ---- */

START_TEST(test_protobuf_roundtrip)
{
    otel_buf b = OTEL_BUF_INIT;
    pb_request *req;
    const pb_scope_logs *sl;
    const pb_log_record *lr;
    const pb_key_value *kv;
    size_t i;

    fixture_setup();
    ck_assert_int_eq(otel_buf_append(&b, "XY", 2), 0); /* the encoder appends */
    ck_assert_int_eq(otel_encode_protobuf(&fixture_res, fx_ptrs, 5, &b), 0);
    ck_assert_mem_eq(b.data, "XY", 2);
    req = unpack_request(&b, 2);

    ck_assert_uint_eq(req->n_resource_logs, 1);
    ck_assert_ptr_nonnull(req->resource_logs[0]->resource);
    ck_assert_uint_eq(req->resource_logs[0]->resource->n_attributes, 2);
    kv = find_kv(req->resource_logs[0]->resource->attributes, 2, "service.name");
    ck_assert_ptr_nonnull(kv);
    ck_assert_str_eq(kv->value->string_value, "svc");
    kv = find_kv(req->resource_logs[0]->resource->attributes, 2, "process.pid");
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->value->value_case, ANY(INT_VALUE));
    ck_assert_int_eq(kv->value->int_value, 4242);

    /* scopes: first-seen order, records in input order within each */
    ck_assert_uint_eq(req->resource_logs[0]->n_scope_logs, 3);
    for (i = 0; i < 3; i++) {
        static const char *const names[3] = {"app.one", "gw", "captured.x"};
        sl = req->resource_logs[0]->scope_logs[i];
        ck_assert_ptr_nonnull(sl->scope);
        ck_assert_str_eq(sl->scope->name, names[i]);
        ck_assert_str_eq(sl->scope->version, LOG4C_OTEL_VERSION);
    }
    sl = req->resource_logs[0]->scope_logs[0];
    ck_assert_uint_eq(sl->n_log_records, 2);
    ck_assert_str_eq(sl->log_records[0]->body->string_value, "first");
    ck_assert_str_eq(sl->log_records[1]->body->string_value, "third");
    sl = req->resource_logs[0]->scope_logs[1];
    ck_assert_uint_eq(sl->n_log_records, 2);
    ck_assert_str_eq(sl->log_records[0]->body->string_value, "second");
    ck_assert_str_eq(sl->log_records[1]->body->string_value, "fifth");
    sl = req->resource_logs[0]->scope_logs[2];
    ck_assert_uint_eq(sl->n_log_records, 1);
    ck_assert_str_eq(sl->log_records[0]->body->string_value, "fourth");

    /* every field of record 0 */
    lr = req->resource_logs[0]->scope_logs[0]->log_records[0];
    ck_assert_uint_eq(lr->time_unix_nano, 1700000000000000000ULL);
    ck_assert_uint_eq(lr->observed_time_unix_nano, 1700000000000000500ULL);
    ck_assert_int_eq(lr->severity_number, 5);
    ck_assert_str_eq(lr->severity_text, "INFO");
    ck_assert_int_eq(lr->body->value_case, ANY(STRING_VALUE));
    ck_assert_uint_eq(lr->flags, 1);
    ck_assert_uint_eq(lr->dropped_attributes_count, 300);
    ck_assert_uint_eq(lr->trace_id.len, 16);
    ck_assert_mem_eq(lr->trace_id.data, fx[0].trace_id, 16);
    ck_assert_uint_eq(lr->span_id.len, 8);
    ck_assert_mem_eq(lr->span_id.data, fx[0].span_id, 8);
    ck_assert_uint_eq(lr->n_attributes, 4);
    ck_assert_str_eq(lr->attributes[0]->key, "user");
    ck_assert_int_eq(lr->attributes[0]->value->value_case, ANY(STRING_VALUE));
    ck_assert_str_eq(lr->attributes[0]->value->string_value, "alice");
    ck_assert_str_eq(lr->attributes[1]->key, "count");
    ck_assert_int_eq(lr->attributes[1]->value->value_case, ANY(INT_VALUE));
    ck_assert_int_eq(lr->attributes[1]->value->int_value, -42);
    ck_assert_str_eq(lr->attributes[2]->key, "ratio");
    ck_assert_int_eq(lr->attributes[2]->value->value_case, ANY(DOUBLE_VALUE));
    ck_assert_double_eq(lr->attributes[2]->value->double_value, 1.5);
    ck_assert_str_eq(lr->attributes[3]->key, "ok");
    ck_assert_int_eq(lr->attributes[3]->value->value_case, ANY(BOOL_VALUE));
    ck_assert_int_eq(lr->attributes[3]->value->bool_value, 1);

    /* record 1: no ids (absent, not zero-filled), max time, its own text */
    lr = req->resource_logs[0]->scope_logs[1]->log_records[0];
    ck_assert_uint_eq(lr->time_unix_nano, UINT64_MAX);
    ck_assert_int_eq(lr->severity_number, 9);
    ck_assert_str_eq(lr->severity_text, "ERROR");
    ck_assert_uint_eq(lr->trace_id.len, 0);
    ck_assert_uint_eq(lr->span_id.len, 0);
    ck_assert_uint_eq(lr->n_attributes, 0);
    ck_assert_uint_eq(lr->flags, 0);
    ck_assert_uint_eq(lr->dropped_attributes_count, 0);

    free_request(req);
    otel_buf_free(&b);
}
END_TEST

START_TEST(test_protobuf_empty_batch)
{
    otel_buf b = OTEL_BUF_INIT;
    pb_request *req;

    ck_assert_int_eq(otel_encode_protobuf(&fixture_res, NULL, 0, &b), 0);
    req = unpack_request(&b, 0);
    ck_assert_uint_eq(req->n_resource_logs, 1);
    ck_assert_uint_eq(req->resource_logs[0]->n_scope_logs, 0);
    ck_assert_uint_eq(req->resource_logs[0]->resource->n_attributes, 2);
    free_request(req);
    otel_buf_free(&b);
}
END_TEST

/* A batch where every scope check also has a naive O(n^2) reference. */
START_TEST(test_protobuf_many_categories)
{
    enum { N = 512, NCAT = 300 };
    static otel_record recs[N];
    static otel_record *ptrs[N];
    static char cats[NCAT][16], bodies[N][16];
    otel_buf b = OTEL_BUF_INIT;
    pb_request *req;
    size_t i, g, k, seen = 0;
    unsigned seed = 7;

    for (i = 0; i < NCAT; i++)
        snprintf(cats[i], sizeof cats[i], "cat.%zu", i * 7919 % 1000);
    for (i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        snprintf(bodies[i], sizeof bodies[i], "b%zu", i);
        recs[i] = make_record(cats[(seed >> 8) % NCAT], bodies[i], 9, "INFO");
        ptrs[i] = &recs[i];
    }
    ck_assert_int_eq(otel_encode_protobuf(NULL, ptrs, N, &b), 0);
    req = unpack_request(&b, 0);
    /* Walk the scopes: names in first-seen order, bodies in input order. */
    for (g = 0; g < req->resource_logs[0]->n_scope_logs; g++) {
        const pb_scope_logs *sl = req->resource_logs[0]->scope_logs[g];
        size_t first = N, j = 0;
        for (i = 0; i < N && first == N; i++)
            if (strcmp(recs[i].category, sl->scope->name) == 0)
                first = i;
        ck_assert_uint_lt(first, N);
        for (k = 0; k < first; k++) /* no earlier record opened a later scope */
            ck_assert_int_eq(strcmp(recs[k].category, sl->scope->name) == 0, 0);
        for (i = first; i < N; i++)
            if (strcmp(recs[i].category, sl->scope->name) == 0) {
                ck_assert_uint_lt(j, sl->n_log_records);
                ck_assert_str_eq(sl->log_records[j]->body->string_value, recs[i].body);
                j++;
            }
        ck_assert_uint_eq(j, sl->n_log_records);
        seen += j;
        if (g > 0) {
            /* first-seen order: this scope's first record comes after the previous one's */
            const char *prev = req->resource_logs[0]->scope_logs[g - 1]->scope->name;
            size_t pfirst = N;
            for (i = 0; i < N && pfirst == N; i++)
                if (strcmp(recs[i].category, prev) == 0)
                    pfirst = i;
            ck_assert_uint_lt(pfirst, first);
        }
    }
    ck_assert_uint_eq(seen, N);
    free_request(req);
    otel_buf_free(&b);
}
END_TEST

START_TEST(test_scope_groups)
{
    static char ab1[] = "ab", ab2[] = "ab";
    otel_record r[5];
    otel_record *p[5];
    otel_scope_groups g;
    size_t i;

    r[0] = make_record(ab1, "0", 0, NULL);
    r[1] = make_record("a", "1", 0, NULL); /* a prefix of "ab": a scope of its own */
    r[2] = make_record(ab2, "2", 0, NULL);
    r[3] = make_record("", "3", 0, NULL);
    r[4] = make_record("a", "4", 0, NULL);
    r[4].category = NULL; /* NULL groups with "" */
    r[4].category_len = 0;
    for (i = 0; i < 5; i++)
        p[i] = &r[i];
    ck_assert_int_eq(otel_scope_groups_build(&g, p, 5), 0);
    ck_assert_uint_eq(g.ngroups, 3);
    ck_assert_uint_eq(g.start[0], 0);
    ck_assert_uint_eq(g.start[1], 2);
    ck_assert_uint_eq(g.start[2], 3);
    ck_assert_uint_eq(g.start[3], 5);
    ck_assert_uint_eq(g.order[0], 0);
    ck_assert_uint_eq(g.order[1], 2);
    ck_assert_uint_eq(g.order[2], 1);
    ck_assert_uint_eq(g.order[3], 3);
    ck_assert_uint_eq(g.order[4], 4);
    otel_scope_groups_free(&g);

    ck_assert_int_eq(otel_scope_groups_build(&g, NULL, 0), 0);
    ck_assert_uint_eq(g.ngroups, 0);
    otel_scope_groups_free(&g);

    /* one category throughout (equal bytes, not one pointer; longer than a
     * word): one group in input order; a difference in the last byte, or a
     * NULL among "" categories, is seen */
    static char long1[] = "app.module.component", long2[] = "app.module.component", long3[] = "app.module.componenT";
    r[0] = make_record(long1, "0", 0, NULL);
    r[1] = make_record(long2, "1", 0, NULL);
    r[2] = make_record(long1, "2", 0, NULL);
    ck_assert_int_eq(otel_scope_groups_build(&g, p, 3), 0);
    ck_assert_uint_eq(g.ngroups, 1);
    ck_assert_uint_eq(g.start[0], 0);
    ck_assert_uint_eq(g.start[1], 3);
    for (i = 0; i < 3; i++)
        ck_assert_uint_eq(g.order[i], i);
    otel_scope_groups_free(&g);
    r[2] = make_record(long3, "2", 0, NULL);
    ck_assert_int_eq(otel_scope_groups_build(&g, p, 3), 0);
    ck_assert_uint_eq(g.ngroups, 2);
    ck_assert_uint_eq(g.start[1], 2);
    ck_assert_uint_eq(g.order[2], 2);
    otel_scope_groups_free(&g);
    r[0] = make_record("", "0", 0, NULL);
    r[1] = make_record("", "1", 0, NULL);
    r[1].category = NULL;
    r[1].category_len = 0;
    ck_assert_int_eq(otel_scope_groups_build(&g, p, 2), 0);
    ck_assert_uint_eq(g.ngroups, 1);
    ck_assert_uint_eq(g.start[1], 2);
    otel_scope_groups_free(&g);

    /* categories of every length up to 40 bytes: the same bytes make one
     * group, a difference at any position two */
    static char c1[41], c2[41];
    for (size_t len = 1; len <= 40; len++) {
        for (size_t k = 0; k < len; k++)
            c1[k] = c2[k] = (char)('a' + k % 26);
        c1[len] = c2[len] = '\0';
        r[0] = make_record(c1, "0", 0, NULL);
        r[1] = make_record(c2, "1", 0, NULL);
        ck_assert_int_eq(otel_scope_groups_build(&g, p, 2), 0);
        ck_assert_uint_eq(g.ngroups, 1);
        otel_scope_groups_free(&g);
        for (size_t k = 0; k < len; k++) {
            c2[k] = '#';
            ck_assert_int_eq(otel_scope_groups_build(&g, p, 2), 0);
            ck_assert_msg(g.ngroups == 2, "length %zu, differing at %zu", len, k);
            otel_scope_groups_free(&g);
            c2[k] = c1[k];
        }
    }
}
END_TEST

/* ---- JSON ---- */

static json_t *encode_json_parse(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *b)
{
    json_error_t err;
    json_t *root;

    ck_assert_int_eq(otel_encode_json(res, recs, n, b), 0);
    root = json_loadb(b->data, b->len, 0, &err);
    ck_assert_msg(root != NULL, "invalid JSON: %s at %d: %.*s", err.text, err.position, (int)b->len, b->data);
    return root;
}

static json_t *jpath(json_t *v, const char *key)
{
    json_t *x = json_object_get(v, key);
    ck_assert_msg(x != NULL, "missing key %s", key);
    return x;
}

static json_t *jidx(json_t *v, size_t i)
{
    json_t *x = json_array_get(v, i);
    ck_assert_msg(x != NULL, "missing index %zu", i);
    return x;
}

static const char *jstr(json_t *v, const char *key)
{
    json_t *x = jpath(v, key);
    ck_assert_msg(json_is_string(x), "%s is not a string", key);
    return json_string_value(x);
}

START_TEST(test_json_fields)
{
    otel_buf b = OTEL_BUF_INIT;
    json_t *root, *rl, *sls, *lr, *attrs, *res_attrs;

    fixture_setup();
    root = encode_json_parse(&fixture_res, fx_ptrs, 5, &b);
    ck_assert_uint_eq(json_array_size(jpath(root, "resourceLogs")), 1);
    rl = jidx(jpath(root, "resourceLogs"), 0);
    res_attrs = jpath(jpath(rl, "resource"), "attributes");
    ck_assert_uint_eq(json_array_size(res_attrs), 2);
    ck_assert_str_eq(jstr(jidx(res_attrs, 0), "key"), "service.name");
    ck_assert_str_eq(jstr(jpath(jidx(res_attrs, 0), "value"), "stringValue"), "svc");
    ck_assert_str_eq(jstr(jpath(jidx(res_attrs, 1), "value"), "intValue"), "4242");

    sls = jpath(rl, "scopeLogs");
    ck_assert_uint_eq(json_array_size(sls), 3);
    ck_assert_str_eq(jstr(jpath(jidx(sls, 0), "scope"), "name"), "app.one");
    ck_assert_str_eq(jstr(jpath(jidx(sls, 0), "scope"), "version"), LOG4C_OTEL_VERSION);
    ck_assert_str_eq(jstr(jpath(jidx(sls, 1), "scope"), "name"), "gw");
    ck_assert_str_eq(jstr(jpath(jidx(sls, 2), "scope"), "name"), "captured.x");
    ck_assert_uint_eq(json_array_size(jpath(jidx(sls, 0), "logRecords")), 2);
    ck_assert_str_eq(jstr(jpath(jidx(jpath(jidx(sls, 0), "logRecords"), 1), "body"), "stringValue"), "third");
    ck_assert_str_eq(jstr(jpath(jidx(jpath(jidx(sls, 1), "logRecords"), 1), "body"), "stringValue"), "fifth");

    lr = jidx(jpath(jidx(sls, 0), "logRecords"), 0);
    ck_assert_str_eq(jstr(lr, "timeUnixNano"), "1700000000000000000");
    ck_assert_str_eq(jstr(lr, "observedTimeUnixNano"), "1700000000000000500");
    ck_assert(json_is_integer(jpath(lr, "severityNumber")));
    ck_assert_int_eq(json_integer_value(jpath(lr, "severityNumber")), 5);
    ck_assert_str_eq(jstr(lr, "severityText"), "INFO");
    ck_assert_str_eq(jstr(jpath(lr, "body"), "stringValue"), "first");
    ck_assert_int_eq(json_integer_value(jpath(lr, "flags")), 1);
    ck_assert_int_eq(json_integer_value(jpath(lr, "droppedAttributesCount")), 300);
    ck_assert_str_eq(jstr(lr, "traceId"), "0112233445566778899aabbccddeef00");
    ck_assert_str_eq(jstr(lr, "spanId"), "a1a2a3a4a5a6a7a8");
    attrs = jpath(lr, "attributes");
    ck_assert_uint_eq(json_array_size(attrs), 4);
    ck_assert_str_eq(jstr(jidx(attrs, 0), "key"), "user");
    ck_assert_str_eq(jstr(jpath(jidx(attrs, 0), "value"), "stringValue"), "alice");
    ck_assert_str_eq(jstr(jpath(jidx(attrs, 1), "value"), "intValue"), "-42");
    ck_assert(json_is_real(jpath(jpath(jidx(attrs, 2), "value"), "doubleValue")));
    ck_assert_double_eq(json_real_value(jpath(jpath(jidx(attrs, 2), "value"), "doubleValue")), 1.5);
    ck_assert(json_is_true(jpath(jpath(jidx(attrs, 3), "value"), "boolValue")));

    lr = jidx(jpath(jidx(sls, 1), "logRecords"), 0);
    ck_assert_str_eq(jstr(lr, "timeUnixNano"), "18446744073709551615");
    ck_assert_ptr_null(json_object_get(lr, "traceId"));
    ck_assert_ptr_null(json_object_get(lr, "spanId"));
    ck_assert_ptr_null(json_object_get(lr, "attributes"));
    ck_assert_ptr_null(json_object_get(lr, "flags"));
    ck_assert_ptr_null(json_object_get(lr, "droppedAttributesCount"));
    json_decref(root);
    otel_buf_free(&b);
}
END_TEST

START_TEST(test_json_escaping)
{
    /* quote, backslash, newline, tab, a C0 control, DEL, 2/3/4-byte UTF-8,
     * and the line breaks of Unicode: U+0085, U+2028, U+2029 (and U+2027,
     * U+202A beside them, which stay raw) */
    static const char body[] = "q\"b\\s\nl\tt\x01" "c\x1f\x7f é€\xf0\x9f\x98\x80"
                               "\xc2\x85|\xe2\x80\xa8|\xe2\x80\xa9|\xe2\x80\xa7\xe2\x80\xaa\xc2\x84";
    static const char key[] = "k\"ey";
    static const char raw[] = "q\\\"b\\\\s\\nl\\tt\\u0001c\\u001f\\u007f é€\xf0\x9f\x98\x80"
                              "\\u0085|\\u2028|\\u2029|\xe2\x80\xa7\xe2\x80\xaa\xc2\x84";
    otel_buf b = OTEL_BUF_INIT;
    otel_attr a = attr_str(key, "v\\\"\n");
    otel_record r = make_record("c\"at", body, 9, "INFO");
    otel_record *p = &r;
    json_t *root, *lr, *kv;

    r.attrs = &a;
    r.nattrs = 1;
    root = encode_json_parse(NULL, &p, 1, &b);
    lr = jidx(jpath(jidx(jpath(jidx(jpath(root, "resourceLogs"), 0), "scopeLogs"), 0), "logRecords"), 0);
    ck_assert_str_eq(jstr(jpath(lr, "body"), "stringValue"), body);
    kv = jidx(jpath(lr, "attributes"), 0);
    ck_assert_str_eq(jstr(kv, "key"), key);
    ck_assert_str_eq(jstr(jpath(kv, "value"), "stringValue"), "v\\\"\n");
    ck_assert_str_eq(jstr(jpath(jidx(jpath(jidx(jpath(root, "resourceLogs"), 0), "scopeLogs"), 0), "scope"), "name"),
                     "c\"at");
    /* the raw text: short escapes, \uXXXX for other controls, DEL and the
     * line breaks, other UTF-8 left raw */
    ck_assert_ptr_nonnull(memmem(b.data, b.len, raw, sizeof raw - 1));
    json_decref(root);
    otel_buf_free(&b);
}
END_TEST

START_TEST(test_json_numbers)
{
    otel_attr a[8];
    otel_record r = make_record("c", "", 0, NULL);
    otel_record *p = &r;
    otel_buf b = OTEL_BUF_INIT;
    json_t *root, *attrs;

    a[0] = attr_double("nan", NAN);
    a[1] = attr_double("inf", INFINITY);
    a[2] = attr_double("ninf", -INFINITY);
    a[3] = attr_double("tenth", 0.1);
    a[4] = attr_double("third", 1.0 / 3.0);
    a[5] = attr_int("min", INT64_MIN);
    a[6] = attr_int("max", INT64_MAX);
    a[7] = attr_double("big", 1e300);
    r.attrs = a;
    r.nattrs = 8;
    /* A decimal-comma locale must not leak into JSON numbers (skipped when
     * the machine has no such locale). */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL)
        setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    root = encode_json_parse(NULL, &p, 1, &b);
    setlocale(LC_NUMERIC, "C");
    attrs = jpath(jidx(jpath(jidx(jpath(jidx(jpath(root, "resourceLogs"), 0), "scopeLogs"), 0), "logRecords"), 0),
                  "attributes");
    ck_assert_str_eq(jstr(jpath(jidx(attrs, 0), "value"), "doubleValue"), "NaN");
    ck_assert_str_eq(jstr(jpath(jidx(attrs, 1), "value"), "doubleValue"), "Infinity");
    ck_assert_str_eq(jstr(jpath(jidx(attrs, 2), "value"), "doubleValue"), "-Infinity");
    ck_assert_double_eq(json_real_value(jpath(jpath(jidx(attrs, 3), "value"), "doubleValue")), 0.1);
    ck_assert_ptr_nonnull(memmem(b.data, b.len, "\"doubleValue\":0.1}", 18)); /* shortest form */
    ck_assert_double_eq(json_real_value(jpath(jpath(jidx(attrs, 4), "value"), "doubleValue")), 1.0 / 3.0);
    ck_assert_str_eq(jstr(jpath(jidx(attrs, 5), "value"), "intValue"), "-9223372036854775808");
    ck_assert_str_eq(jstr(jpath(jidx(attrs, 6), "value"), "intValue"), "9223372036854775807");
    ck_assert_double_eq(json_real_value(jpath(jpath(jidx(attrs, 7), "value"), "doubleValue")), 1e300);
    /* time 0 is still written, as "0"; an empty body is an empty string */
    ck_assert_ptr_nonnull(memmem(b.data, b.len, "\"timeUnixNano\":\"0\"", 18));
    ck_assert_ptr_nonnull(memmem(b.data, b.len, "\"body\":{\"stringValue\":\"\"}", 25));
    json_decref(root);
    otel_buf_free(&b);
}
END_TEST

START_TEST(test_json_empty_batch)
{
    otel_buf b = OTEL_BUF_INIT;
    json_t *root;

    root = encode_json_parse(NULL, NULL, 0, &b);
    ck_assert_uint_eq(json_array_size(jpath(jidx(jpath(root, "resourceLogs"), 0), "scopeLogs")), 0);
    json_decref(root);
    otel_buf_free(&b);
}
END_TEST

/* ---- size bound and splitting ---- */

/* Random records whose memory is owned by the pool. */
typedef struct pool {
    void *ptrs[8192];
    size_t n;
} pool;

static void *pool_alloc(pool *p, size_t size)
{
    void *m = calloc(1, size ? size : 1);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_lt(p->n, sizeof p->ptrs / sizeof p->ptrs[0]);
    p->ptrs[p->n++] = m;
    return m;
}

static void pool_free(pool *p)
{
    while (p->n > 0)
        free(p->ptrs[--p->n]);
}

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

static uint64_t rnd64(unsigned *s)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 3; i++)
        v = (v << 24) ^ rnd(s);
    switch (rnd(s) % 4) { /* small values too: exercise every varint size */
    case 0: return 0;
    case 1: return v >> (rnd(s) % 64);
    default: return v;
    }
}

/* NUL-free text of random length, with some multi-byte UTF-8. */
static const char *rnd_text(pool *p, unsigned *s, size_t maxlen, size_t *len)
{
    size_t n = maxlen ? rnd(s) % (maxlen + 1) : 0, i = 0;
    char *t = pool_alloc(p, n + 1);
    while (i < n) {
        if (n - i >= 2 && rnd(s) % 8 == 0) {
            t[i++] = (char)0xc3;
            t[i++] = (char)0xa9;
        } else {
            t[i++] = (char)('a' + rnd(s) % 26);
        }
    }
    t[n] = '\0';
    *len = n;
    return t;
}

static otel_record *rnd_record(pool *p, unsigned *s, size_t maxbody)
{
    static const char *const cats[] = {"", "a", "gw", "app.some.long.category.name", "captured.x"};
    otel_record *r = pool_alloc(p, sizeof *r);
    size_t i, len;

    r->time_unix_nano = rnd64(s);
    r->observed_time_unix_nano = rnd64(s);
    r->severity_number = (int32_t)(rnd(s) % 26) - 1; /* -1: a 10-byte varint */
    r->severity_text = rnd(s) % 4 ? "WARN" : NULL;
    r->category = cats[rnd(s) % 5];
    r->category_len = strlen(r->category);
    r->body = rnd_text(p, s, maxbody, &r->body_len);
    if (rnd(s) % 2)
        set_ids(r, (uint8_t)rnd(s));
    r->flags = rnd(s) % 3 == 0 ? rnd(s) : 0;
    r->dropped_attrs = rnd(s) % 4 == 0 ? rnd(s) % 300 : 0; /* one- and two-byte varints */
    r->nattrs = rnd(s) % 6;
    r->attrs = pool_alloc(p, r->nattrs * sizeof *r->attrs + 1);
    for (i = 0; i < r->nattrs; i++) {
        otel_attr *a = &r->attrs[i];
        a->key = rnd_text(p, s, 20, &len);
        a->key_len = (uint32_t)len;
        a->type = (otel_value_type)(rnd(s) % 4);
        switch (a->type) {
        case OTEL_VALUE_STRING: a->v.str.s = rnd_text(p, s, 200, &a->v.str.s_len); break;
        case OTEL_VALUE_INT: a->v.i = (int64_t)rnd64(s); break;
        case OTEL_VALUE_DOUBLE: a->v.d = (double)rnd(s) / 7.0; break;
        case OTEL_VALUE_BOOL: a->v.b = (int)(rnd(s) % 2); break;
        }
    }
    return r;
}

static size_t packed_size(const otel_resource *res, otel_record *const *recs, size_t n)
{
    otel_buf b = OTEL_BUF_INIT;
    size_t len;
    ck_assert_int_eq(otel_encode_protobuf(res, recs, n, &b), 0);
    len = b.len;
    otel_buf_free(&b);
    return len;
}

START_TEST(test_size_bound_is_upper_bound)
{
    pool p = {{0}, 0};
    unsigned s = 12345;
    size_t i, empty = packed_size(&fixture_res, NULL, 0);

    ck_assert_uint_le(empty, otel_resource_overhead_bound(&fixture_res));
    for (i = 0; i < 300; i++) {
        otel_record *r = rnd_record(&p, &s, i % 3 == 0 ? 20000 : 300);
        size_t actual = packed_size(&fixture_res, &r, 1) - empty;
        size_t bound = otel_encoded_size_bound(r);
        ck_assert_msg(bound >= actual, "bound %zu < actual %zu", bound, actual);
        /* and not wildly loose: only the unknown ScopeLogs length is guessed */
        ck_assert_msg(bound - actual <= 10, "bound %zu loose vs %zu", bound, actual);
        if (p.n > 3500)
            pool_free(&p);
    }
    pool_free(&p);
}
END_TEST

/* otel_varint_size is what writing the varint takes, for every value at
 * and around each 7-bit boundary (the sizes and the writer must agree) */
START_TEST(test_varint_size_every_boundary)
{
    for (unsigned bits = 0; bits <= 64; bits++) {
        uint64_t edge = bits == 64 ? 0 : (uint64_t)1 << bits;
        uint64_t vals[] = {edge, edge - 1, edge + 1, edge - 2, edge * 3 / 2, ~(uint64_t)0 >> (64 - (bits ? bits : 1))};
        for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
            uint64_t v = vals[k], w = v;
            size_t want = 1;
            while (w >= 0x80) {
                w >>= 7;
                want++;
            }
            ck_assert_msg(otel_varint_size(v) == want, "%llu: %zu, want %zu", (unsigned long long)v,
                          otel_varint_size(v), want);
        }
    }
}
END_TEST

/* Packs each chunk otel_batch_split picks and checks it against the cap. */
static void check_split(otel_record *const *recs, size_t n, size_t cap, const otel_resource *res)
{
    size_t i = 0, overhead = otel_resource_overhead_bound(res);

    while (i < n) {
        size_t k = otel_batch_split(recs + i, n - i, cap), j, sum = 0;
        size_t len = packed_size(res, recs + i, k);

        ck_assert_uint_ge(k, 1);
        ck_assert_uint_le(k, n - i);
        for (j = 0; j < k; j++)
            sum += otel_encoded_size_bound(recs[i + j]);
        if (k == 1 && sum > cap) {
            ck_assert_uint_le(len, sum + overhead); /* the lone big record */
        } else {
            ck_assert_uint_le(sum, cap);
            ck_assert_msg(len <= cap + overhead, "chunk of %zu: %zu > cap %zu + %zu", k, len, cap, overhead);
        }
        if (i + k < n) /* greedy: one more record would have broken the cap */
            ck_assert_uint_gt(sum + otel_encoded_size_bound(recs[i + k]), cap);
        i += k;
    }
}

START_TEST(test_batch_split_cap)
{
    enum { N = 400 };
    static otel_record *recs[N];
    static const size_t caps[] = {1, 100, 500, 1000, 4096, 65536, 1 << 20};
    pool p = {{0}, 0};
    unsigned s = 99;
    size_t i;

    for (i = 0; i < N; i++)
        recs[i] = rnd_record(&p, &s, i % 50 == 0 ? 3000 : 200);
    for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        check_split(recs, N, caps[i], &fixture_res);
        check_split(recs, N, caps[i], NULL);
    }
    ck_assert_uint_eq(otel_batch_split(recs, 0, 1000), 0);
    ck_assert_uint_eq(otel_batch_split(recs, N, SIZE_MAX), N);
    pool_free(&p);
}
END_TEST

START_TEST(test_batch_split_big_record_alone)
{
    static char big[10001];
    otel_record r[3];
    otel_record *p[3];

    memset(big, 'x', sizeof big - 1);
    r[0] = make_record("c", big, 9, "INFO");
    r[1] = make_record("c", "small", 9, "INFO");
    r[2] = make_record("c", "small", 9, "INFO");
    p[0] = &r[0];
    p[1] = &r[1];
    p[2] = &r[2];
    ck_assert_uint_eq(otel_batch_split(p, 3, 1000), 1); /* alone, though over the cap */
    ck_assert_uint_eq(otel_batch_split(p + 1, 2, 1000), 2);
    p[0] = &r[1];
    p[1] = &r[0];
    ck_assert_uint_eq(otel_batch_split(p, 3, 1000), 1); /* the big one starts the next request */
    check_split(p, 3, 1000, &fixture_res);
}
END_TEST

/* ---- partial_success ---- */

static size_t pack_response(uint8_t *out, int64_t rejected, const char *msg, int with_ps)
{
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse resp =
        OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_SERVICE_RESPONSE__INIT;
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsPartialSuccess ps =
        OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_PARTIAL_SUCCESS__INIT;

    ps.rejected_log_records = rejected;
    ps.error_message = (char *)msg;
    if (with_ps)
        resp.partial_success = &ps;
    return opentelemetry__proto__collector__logs__v1__export_logs_service_response__pack(&resp, out);
}

START_TEST(test_decode_rejected_protobuf)
{
    uint8_t wire[256];
    char msg[64], tiny[4];
    size_t n;

    n = pack_response(wire, 3, "too old", 1);
    strcpy(msg, "junk");
    ck_assert_int_eq(otel_decode_rejected((const char *)wire, n, 0, msg, sizeof msg), 3);
    ck_assert_str_eq(msg, "too old");
    ck_assert_int_eq(otel_decode_rejected((const char *)wire, n, 0, tiny, sizeof tiny), 3);
    ck_assert_str_eq(tiny, "too"); /* cut to fit, NUL-terminated */
    ck_assert_int_eq(otel_decode_rejected((const char *)wire, n, 0, NULL, 0), 3);

    n = pack_response(wire, 0, "", 0); /* full success: empty message */
    strcpy(msg, "junk");
    ck_assert_int_eq(otel_decode_rejected((const char *)wire, n, 0, msg, sizeof msg), 0);
    ck_assert_str_eq(msg, "");
    n = pack_response(wire, 0, "a warning", 1);
    ck_assert_int_eq(otel_decode_rejected((const char *)wire, n, 0, msg, sizeof msg), 0);
    ck_assert_str_eq(msg, "a warning");
    ck_assert_int_eq(otel_decode_rejected("", 0, 0, msg, sizeof msg), 0);
    ck_assert_int_eq(otel_decode_rejected(NULL, 0, 0, msg, sizeof msg), 0);
    ck_assert_int_eq(otel_decode_rejected("\xff\xff\xff\xff", 4, 0, msg, sizeof msg), -1);
    ck_assert_int_eq(otel_decode_rejected("<html>bad gateway</html>", 24, 0, msg, sizeof msg), -1);
}
END_TEST

static long long dj(const char *s, char *msg, size_t msglen)
{
    return otel_decode_rejected(s, strlen(s), 1, msg, msglen);
}

START_TEST(test_decode_rejected_json)
{
    char msg[64];

    ck_assert_int_eq(dj("{\"partialSuccess\":{\"rejectedLogRecords\":\"3\",\"errorMessage\":\"x y\"}}", msg, sizeof msg), 3);
    ck_assert_str_eq(msg, "x y");
    ck_assert_int_eq(dj("{\"partialSuccess\":{\"rejectedLogRecords\":7}}", msg, sizeof msg), 7);
    ck_assert_str_eq(msg, "");
    ck_assert_int_eq(dj("{\"partial_success\":{\"rejected_log_records\":\"12\"}}", msg, sizeof msg), 12);
    ck_assert_int_eq(dj("{\"partialSuccess\":{\"rejectedLogRecords\":\"9000000000\"}}", msg, sizeof msg),
                     9000000000LL);
    ck_assert_int_eq(dj("{\"partialSuccess\":{}}", msg, sizeof msg), 0);
    ck_assert_int_eq(dj("{}", msg, sizeof msg), 0);
    ck_assert_int_eq(dj("", msg, sizeof msg), 0);
    ck_assert_int_eq(dj(" \n", msg, sizeof msg), 0);
    ck_assert_int_eq(dj("not json", msg, sizeof msg), -1);
    ck_assert_int_eq(dj("[1,2]", msg, sizeof msg), -1);
    ck_assert_int_eq(dj("{\"partialSuccess\":{\"rejectedLogRecords\":\"3x\"}}", msg, sizeof msg), -1);
    ck_assert_int_eq(dj("{\"partialSuccess\":{\"rejectedLogRecords\":-2}}", msg, sizeof msg), -1);
    ck_assert_int_eq(dj("{\"partialSuccess\":5}", msg, sizeof msg), -1);
}
END_TEST


/* ---- the direct writer against protobuf-c ---- */

/* The edges a log4c record never has but the encoder must still get right:
 * NULL and empty strings, zero times, an unknown attribute type. */
static void mutate(pool *p, unsigned *s, otel_record *r)
{
    switch (rnd(s) % 12) {
    case 0: r->body = NULL; r->body_len = 0; break;
    case 1: r->severity_text = ""; break;
    case 2: r->category = NULL; r->category_len = 0; break;
    case 3: r->time_unix_nano = 0; r->observed_time_unix_nano = 0; break;
    case 4: r->severity_number = INT32_MIN; break;
    case 5: r->dropped_attrs = UINT32_MAX; break;
    default: break;
    }
    for (size_t i = 0; i < r->nattrs; i++) {
        otel_attr *a = &r->attrs[i];
        switch (rnd(s) % 16) {
        case 0: a->key = NULL; a->key_len = 0; break;
        case 1: a->key = ""; a->key_len = 0; break;
        case 2: a->type = (otel_value_type)(4 + rnd(s) % 3); break; /* unknown: an empty AnyValue */
        case 3: a->type = OTEL_VALUE_STRING; a->v.str.s = NULL; a->v.str.s_len = 0; break;
        case 4: a->type = OTEL_VALUE_STRING; a->v.str.s = ""; a->v.str.s_len = 0; break;
        case 5: a->type = OTEL_VALUE_INT; a->v.i = INT64_MIN; break;
        case 6: a->type = OTEL_VALUE_DOUBLE; a->v.d = -0.0; break;
        default: break;
        }
    }
    (void)p;
}

/* Both encoders append after what out already holds: same prefix, same bytes. */
static void assert_same_as_protobuf_c(const otel_resource *res, otel_record *const *recs, size_t n)
{
    otel_buf mine = OTEL_BUF_INIT, ref = OTEL_BUF_INIT;
    ck_assert_int_eq(otel_buf_append(&mine, "pre", 3), 0);
    ck_assert_int_eq(otel_buf_append(&ref, "pre", 3), 0);
    ck_assert_int_eq(otel_encode_protobuf(res, recs, n, &mine), 0);
    ck_assert_int_eq(otel_encode_protobuf_ref(res, recs, n, &ref), 0);
    ck_assert_uint_eq(mine.len, ref.len);
    ck_assert_mem_eq(mine.data, ref.data, ref.len);
    otel_buf_free(&mine);
    otel_buf_free(&ref);
}

START_TEST(test_protobuf_same_bytes_as_protobuf_c)
{
    enum { BATCHES = 1500, MAX_RECS = 40 };
    pool p = {{0}, 0};
    unsigned s = 4242;
    size_t records = 0;
    for (int b = 0; b < BATCHES; b++) {
        otel_record *recs[MAX_RECS];
        size_t n = b % 50 == 0 ? 0 : rnd(&s) % (MAX_RECS + 1);
        for (size_t i = 0; i < n; i++) {
            recs[i] = rnd_record(&p, &s, i % 7 == 0 ? 3000 : 200);
            mutate(&p, &s, recs[i]);
        }
        /* a random resource: the attributes of one more random record */
        otel_record *rr = rnd_record(&p, &s, 10);
        mutate(&p, &s, rr);
        otel_resource res = {rr->attrs, rr->nattrs};
        assert_same_as_protobuf_c(b % 3 == 0 ? NULL : &res, recs, n);
        records += n;
        pool_free(&p);
    }
    ck_assert_uint_gt(records, BATCHES * 10); /* many records went through */
}
END_TEST

START_TEST(test_protobuf_same_bytes_fixture)
{
    fixture_setup();
    assert_same_as_protobuf_c(&fixture_res, fx_ptrs, 5);
    assert_same_as_protobuf_c(&fixture_res, NULL, 0);
    otel_resource none = {NULL, 0};
    assert_same_as_protobuf_c(&none, fx_ptrs, 1);
}
END_TEST

/* protobuf-c packs a string up to its first NUL; the writer sends the
 * record's bytes (a NUL is valid UTF-8 and a valid protobuf string byte). */
START_TEST(test_protobuf_body_with_nul)
{
    otel_record r;
    memset(&r, 0, sizeof r);
    r.body = "a\0b";
    r.body_len = 3;
    r.category = "c";
    r.category_len = 1;
    otel_record *rp = &r;
    otel_buf b = OTEL_BUF_INIT;
    ck_assert_int_eq(otel_encode_protobuf(NULL, &rp, 1, &b), 0);
    /* LogRecord.body (field 5) = AnyValue{string_value (1) = "a\0b"} */
    static const char want[] = {0x2a, 0x05, 0x0a, 0x03, 'a', 0, 'b'};
    int found = 0;
    for (size_t i = 0; i + sizeof want <= b.len && !found; i++)
        found = memcmp(b.data + i, want, sizeof want) == 0;
    ck_assert_msg(found, "body bytes not in the request");
    otel_buf_free(&b);
}
END_TEST

/* Every KeyValue size where the writer's one-byte-lengths path ends: key
 * and value lengths summing to 110..135 (the path takes up to 121), empty
 * keys, NULL values; in a record and in the resource. Same bytes as
 * protobuf-c, and the size bound still holds. */
START_TEST(test_protobuf_short_key_value_edge)
{
    static char text[256];
    memset(text, 'k', sizeof text - 1);
    for (size_t total = 110; total <= 135; total++)
        for (size_t klen = 0; klen <= total; klen += (klen < 3 || klen + 3 > total) ? 1 : 29) {
            otel_attr a[3];
            memset(a, 0, sizeof a);
            a[0].key = klen ? text + sizeof text - 1 - klen : "";
            a[0].key_len = (uint32_t)klen;
            a[0].type = OTEL_VALUE_STRING;
            a[0].v.str.s = text + sizeof text - 1 - (total - klen); /* NUL-terminated at its length */
            a[0].v.str.s_len = total - klen;
            a[1] = a[0];
            a[1].v.str.s = NULL;
            a[1].v.str.s_len = 0;
            a[2] = a[0];
            a[2].type = OTEL_VALUE_INT;
            a[2].v.i = -(int64_t)total; /* a 10-byte varint */
            otel_record r = make_record("c", "b", 9, "INFO"), *rp = &r;
            r.attrs = a;
            r.nattrs = 3;
            otel_resource res = {a, 3};
            assert_same_as_protobuf_c(&res, &rp, 1);
            size_t actual = packed_size(NULL, &rp, 1) - packed_size(NULL, NULL, 0);
            ck_assert_uint_ge(otel_encoded_size_bound(&r), actual);
        }
}
END_TEST

static Suite *encode_suite(void)
{
    Suite *s = suite_create("encode");
    TCase *pb = tcase_create("protobuf");
    TCase *js = tcase_create("json");
    TCase *sz = tcase_create("size");
    TCase *dec = tcase_create("partial_success");

    tcase_add_test(pb, test_protobuf_roundtrip);
    tcase_add_test(pb, test_varint_size_every_boundary);
    tcase_add_test(pb, test_protobuf_empty_batch);
    tcase_add_test(pb, test_protobuf_many_categories);
    tcase_add_test(pb, test_scope_groups);
    tcase_add_test(pb, test_protobuf_same_bytes_as_protobuf_c);
    tcase_add_test(pb, test_protobuf_same_bytes_fixture);
    tcase_add_test(pb, test_protobuf_body_with_nul);
    tcase_add_test(pb, test_protobuf_short_key_value_edge);
    suite_add_tcase(s, pb);
    tcase_add_test(js, test_json_fields);
    tcase_add_test(js, test_json_escaping);
    tcase_add_test(js, test_json_numbers);
    tcase_add_test(js, test_json_empty_batch);
    suite_add_tcase(s, js);
    tcase_add_test(sz, test_size_bound_is_upper_bound);
    tcase_add_test(sz, test_batch_split_cap);
    tcase_add_test(sz, test_batch_split_big_record_alone);
    suite_add_tcase(s, sz);
    tcase_add_test(dec, test_decode_rejected_protobuf);
    tcase_add_test(dec, test_decode_rejected_json);
    suite_add_tcase(s, dec);
    return s;
}

int main(void)
{
    return run_suite(encode_suite());
}
