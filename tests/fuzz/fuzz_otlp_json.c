/*
 * fuzz_otlp_json.c - otel_encode_json (src/otlp_json.c), the OTLP/JSON writer.
 *
 * The input is read as a little program: a resource with attributes, then
 * records (times, priority, category, a body of arbitrary bytes through the
 * UTF-8 sanitiser of otel_record_new, with or without a limit, trace and span
 * ids, flags, dropped attribute counts, attributes of every type: strings of arbitrary bytes, any
 * int64, any double bit pattern including NaN/Inf/-0, bools). Checks:
 *  - the output parses with jansson (strict JSON, valid UTF-8), is appended
 *    after what the buffer already held, and holds no raw control byte;
 *  - every field round-trips exactly: times and ints as decimal strings,
 *    doubles bit-exact (NaN/Infinity/-Infinity as strings), strings byte for
 *    byte (embedded NULs and quotes included), ids as lowercase hex, flags,
 *    severity; absent ids and flags are omitted, attribute lists only when
 *    non-empty;
 *  - one ScopeLogs per category in first-seen order, records in input order.
 * Categories and keys are C strings that the record model takes as valid
 * UTF-8 (otel_record_new copies them as they are), so they are sanitised here.
 */
#include "fuzz_common.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "buf.h"
#include "encode.h"
#include "record.h"
#include "utf8.h"

#define MAX_RECORDS 8
#define MAX_ATTRS 6
#define MAX_STR 64

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t u8(reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static uint64_t u64(reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u8(r);
    return v;
}

/* Up to max arbitrary bytes (length byte first); points into the input. */
static const uint8_t *bytes(reader *r, size_t max, size_t *len)
{
    size_t want = u8(r) % (max + 1);
    if (want > r->n)
        want = r->n;
    const uint8_t *p = r->p;
    r->p += want;
    r->n -= want;
    *len = want;
    return p;
}

/* A NUL-free valid UTF-8 C string (malloc'd) from arbitrary bytes. */
static char *cstring(reader *r)
{
    size_t len;
    const uint8_t *p = bytes(r, MAX_STR, &len);
    size_t n = otel_utf8_sanitized_len((const char *)p, len, 0);
    char *s = malloc(n + 1);
    FUZZ_CHECK(s != NULL);
    otel_utf8_sanitize(s, (const char *)p, len, 0);
    s[n] = '\0'; /* an embedded NUL ends it, as in any C string */
    return s;
}

static double as_double(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void read_attr(reader *r, otel_attr *a, char **key, const uint8_t **sv, size_t *sl)
{
    *key = cstring(r);
    a->key = *key;
    a->type = (otel_value_type)(u8(r) % 4);
    switch (a->type) {
    case OTEL_VALUE_STRING:
        *sv = bytes(r, MAX_STR, sl);
        a->v.str.s = (const char *)*sv;
        a->v.str.s_len = *sl;
        break;
    case OTEL_VALUE_INT: a->v.i = (int64_t)u64(r); break;
    case OTEL_VALUE_DOUBLE: a->v.d = as_double(u64(r)); break;
    default: a->v.b = u8(r) & 1; break;
    }
}

/* ---- checks against the parsed output ---- */

static const char *hexdigits = "0123456789abcdef";

static void check_string(json_t *j, const char *s, size_t n)
{
    FUZZ_CHECK(json_is_string(j));
    FUZZ_CHECK(json_string_length(j) == n);
    FUZZ_CHECK(memcmp(json_string_value(j), s, n) == 0);
}

static void check_u64(json_t *j, uint64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    check_string(j, tmp, strlen(tmp));
}

static void check_hex(json_t *j, const uint8_t *p, size_t n)
{
    char tmp[33];
    for (size_t i = 0; i < n; i++) {
        tmp[2 * i] = hexdigits[p[i] >> 4];
        tmp[2 * i + 1] = hexdigits[p[i] & 15];
    }
    check_string(j, tmp, 2 * n);
}

static void check_value(json_t *v, const otel_attr *a)
{
    FUZZ_CHECK(json_is_object(v) && json_object_size(v) == 1);
    json_t *x;
    switch (a->type) {
    case OTEL_VALUE_STRING:
        check_string(json_object_get(v, "stringValue"), a->v.str.s, a->v.str.s_len);
        break;
    case OTEL_VALUE_INT: {
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%lld", (long long)a->v.i);
        check_string(json_object_get(v, "intValue"), tmp, strlen(tmp));
        break;
    }
    case OTEL_VALUE_DOUBLE:
        x = json_object_get(v, "doubleValue");
        FUZZ_CHECK(x != NULL);
        if (isnan(a->v.d))
            check_string(x, "NaN", 3);
        else if (isinf(a->v.d))
            check_string(x, a->v.d > 0 ? "Infinity" : "-Infinity", a->v.d > 0 ? 8 : 9);
        else /* exact: the writer picks a precision that reads back (-0 as 0) */
            FUZZ_CHECK(json_is_number(x) && json_number_value(x) == a->v.d);
        break;
    case OTEL_VALUE_BOOL:
        x = json_object_get(v, "boolValue");
        FUZZ_CHECK(json_is_boolean(x) && json_is_true(x) == (a->v.b != 0));
        break;
    }
}

static void check_attrs(json_t *obj, const otel_attr *attrs, size_t n)
{
    json_t *list = json_object_get(obj, "attributes");
    if (n == 0) {
        FUZZ_CHECK(list == NULL);
        return;
    }
    FUZZ_CHECK(json_is_array(list) && json_array_size(list) == n);
    for (size_t i = 0; i < n; i++) {
        json_t *kv = json_array_get(list, i);
        FUZZ_CHECK(json_is_object(kv) && json_object_size(kv) == 2);
        check_string(json_object_get(kv, "key"), attrs[i].key, strlen(attrs[i].key));
        check_value(json_object_get(kv, "value"), &attrs[i]);
    }
}

static void check_record(json_t *j, const otel_record *r)
{
    FUZZ_CHECK(json_is_object(j));
    check_u64(json_object_get(j, "timeUnixNano"), r->time_unix_nano);
    check_u64(json_object_get(j, "observedTimeUnixNano"), r->observed_time_unix_nano);
    json_t *sev = json_object_get(j, "severityNumber");
    FUZZ_CHECK(json_is_integer(sev) && json_integer_value(sev) == r->severity_number);
    json_t *st = json_object_get(j, "severityText");
    if (r->severity_text && r->severity_text[0])
        check_string(st, r->severity_text, strlen(r->severity_text));
    else
        FUZZ_CHECK(st == NULL);
    json_t *body = json_object_get(j, "body");
    FUZZ_CHECK(json_is_object(body) && json_object_size(body) == 1);
    check_string(json_object_get(body, "stringValue"), r->body, r->body_len);
    check_attrs(j, r->attrs, r->nattrs);
    json_t *dr = json_object_get(j, "droppedAttributesCount");
    if (r->dropped_attrs)
        FUZZ_CHECK(json_is_integer(dr) && (uint64_t)json_integer_value(dr) == r->dropped_attrs);
    else
        FUZZ_CHECK(dr == NULL);
    json_t *fl = json_object_get(j, "flags");
    if (r->flags)
        FUZZ_CHECK(json_is_integer(fl) && (uint64_t)json_integer_value(fl) == r->flags);
    else
        FUZZ_CHECK(fl == NULL);
    json_t *tid = json_object_get(j, "traceId"), *sid = json_object_get(j, "spanId");
    if (otel_bytes_all_zero(r->trace_id, 16))
        FUZZ_CHECK(tid == NULL);
    else
        check_hex(tid, r->trace_id, 16);
    if (otel_bytes_all_zero(r->span_id, 8))
        FUZZ_CHECK(sid == NULL);
    else
        check_hex(sid, r->span_id, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader rd = {data, size};
    char *keys[MAX_ATTRS * (MAX_RECORDS + 1)];
    size_t nkeys = 0;

    /* the resource */
    otel_attr rattrs[MAX_ATTRS];
    size_t nr = u8(&rd) % (MAX_ATTRS + 1);
    char *rstr[MAX_ATTRS] = {0};
    for (size_t i = 0; i < nr; i++) {
        const uint8_t *sv = NULL;
        size_t sl = 0;
        read_attr(&rd, &rattrs[i], &keys[nkeys++], &sv, &sl);
        if (rattrs[i].type == OTEL_VALUE_STRING) { /* resource strings are valid UTF-8 too */
            size_t n = otel_utf8_sanitized_len((const char *)sv, sl, 0);
            rstr[i] = malloc(n + 1);
            FUZZ_CHECK(rstr[i] != NULL);
            otel_utf8_sanitize(rstr[i], (const char *)sv, sl, 0);
            rattrs[i].v.str.s = rstr[i];
            rattrs[i].v.str.s_len = n;
        }
    }
    otel_resource res = {rattrs, nr};

    /* the records */
    otel_record *recs[MAX_RECORDS];
    size_t n = 1 + u8(&rd) % MAX_RECORDS;
    char *cats[MAX_RECORDS];
    for (size_t k = 0; k < n; k++) {
        otel_record_input in;
        memset(&in, 0, sizeof in);
        uint8_t shape = u8(&rd);
        in.time_unix_nano = u64(&rd);
        in.observed_time_unix_nano = (shape & 1) ? u64(&rd) : in.time_unix_nano;
        uint8_t hi = u8(&rd);
        in.log4c_priority = (int)(int16_t)(hi << 8 | u8(&rd));
        /* few distinct categories, so that scopes group several records */
        cats[k] = (shape & 2) && k > 0 ? strdup(cats[u8(&rd) % k]) : cstring(&rd);
        FUZZ_CHECK(cats[k] != NULL);
        in.category = cats[k];
        size_t blen;
        in.body = (const char *)bytes(&rd, 255, &blen);
        in.body_len = blen;
        in.body_limit = (shape & 4) ? u8(&rd) : 0;
        uint8_t tid[16], sid[8];
        for (int i = 0; i < 16; i++)
            tid[i] = (shape & 8) ? u8(&rd) : 0;
        for (int i = 0; i < 8; i++)
            sid[i] = (shape & 16) ? u8(&rd) : 0;
        in.trace_id = (shape & 32) ? tid : NULL;
        in.span_id = (shape & 32) ? sid : NULL;
        in.flags = (shape & 64) ? (uint32_t)u64(&rd) : 0;
        in.dropped_attrs = in.flags >> 20; /* from bytes already read: the corpus stays valid */
        otel_attr attrs[MAX_ATTRS];
        in.nattrs = u8(&rd) % (MAX_ATTRS + 1);
        for (size_t i = 0; i < in.nattrs; i++) {
            const uint8_t *sv;
            size_t sl;
            read_attr(&rd, &attrs[i], &keys[nkeys++], &sv, &sl);
        }
        in.attrs = attrs;
        in.attr_limit = (shape & 128) ? u8(&rd) : 0;
        recs[k] = otel_record_new(&in);
        FUZZ_CHECK(recs[k] != NULL);
    }

    /* encode after a prefix: the writer appends */
    otel_buf out = {0};
    FUZZ_CHECK(otel_buf_append(&out, "#", 1) == 0);
    FUZZ_CHECK(otel_encode_json(&res, recs, n, &out) == 0);
    FUZZ_CHECK(out.len > 1 && out.data[0] == '#');
    for (size_t i = 1; i < out.len; i++) { /* controls, DEL, NEL, U+2028/9 only as escapes */
        const unsigned char *u = (const unsigned char *)out.data + i;
        FUZZ_CHECK(u[0] >= 0x20 && u[0] != 0x7f);
        FUZZ_CHECK(!(u[0] == 0xc2 && i + 1 < out.len && u[1] == 0x85));
        FUZZ_CHECK(!(u[0] == 0xe2 && i + 2 < out.len && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)));
    }

    json_error_t err;
    json_t *root = json_loadb(out.data + 1, out.len - 1, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
    if (!root)
        fprintf(stderr, "jansson: %s at %d: %.*s\n", err.text, err.position, (int)(out.len - 1), out.data + 1);
    FUZZ_CHECK(root != NULL);
    json_t *rl = json_object_get(root, "resourceLogs");
    FUZZ_CHECK(json_is_array(rl) && json_array_size(rl) == 1);
    json_t *r0 = json_array_get(rl, 0);
    json_t *resource = json_object_get(r0, "resource");
    FUZZ_CHECK(json_is_object(resource));
    check_attrs(resource, rattrs, nr);

    /* expected grouping, computed independently: first-seen category order */
    json_t *sl = json_object_get(r0, "scopeLogs");
    FUZZ_CHECK(json_is_array(sl));
    int done[MAX_RECORDS] = {0};
    size_t g = 0, seen = 0;
    for (size_t k = 0; k < n; k++) {
        if (done[k])
            continue;
        json_t *scope = json_array_get(sl, g++);
        FUZZ_CHECK(json_is_object(scope));
        json_t *sc = json_object_get(scope, "scope");
        check_string(json_object_get(sc, "name"), recs[k]->category, recs[k]->category_len);
        FUZZ_CHECK(json_is_string(json_object_get(sc, "version")));
        json_t *lr = json_object_get(scope, "logRecords");
        FUZZ_CHECK(json_is_array(lr));
        size_t m = 0;
        for (size_t q = k; q < n; q++) {
            if (done[q] || recs[q]->category_len != recs[k]->category_len ||
                memcmp(recs[q]->category, recs[k]->category, recs[k]->category_len) != 0)
                continue;
            done[q] = 1;
            check_record(json_array_get(lr, m++), recs[q]);
        }
        FUZZ_CHECK(json_array_size(lr) == m);
        seen += m;
    }
    FUZZ_CHECK(seen == n && json_array_size(sl) == g);

    json_decref(root);
    otel_buf_free(&out);
    for (size_t k = 0; k < n; k++) {
        otel_record_free(recs[k]);
        free(cats[k]);
    }
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i]);
    for (size_t i = 0; i < nr; i++)
        free(rstr[i]);
    return 0;
}
