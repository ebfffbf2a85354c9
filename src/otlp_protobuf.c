/*
 * otlp_protobuf.c - OTLP/protobuf encoding of a batch (the body of
 * POST /v1/logs with Content-Type application/x-protobuf), and the decoding
 * of the collector's answer (partial_success), in protobuf or JSON.
 *
 * The encoder writes the wire format directly: one pass computes every
 * message's length (a length prefix comes before its message), a second
 * writes the bytes into one reservation of the output. It produces exactly
 * the bytes protobuf-c packs for the equivalent message tree (fields in
 * number order; proto3 zero scalars and empty strings left out; set oneof
 * members and set submessages always written), which tests/unit/test_encode.c
 * checks against protobuf-c for thousands of generated batches. The
 * protobuf-c generated code is used here only to decode the answer.
 */
#include "encode.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log4c-otel.h"
#include "short_copy.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse pb_response;

/* ---- sizes ---- */

/* Wire types. */
#define WT_VARINT 0
#define WT_I64 1
#define WT_LEN 2
#define WT_I32 5
/* Every field number we write is below 16: its tag is one byte. */
#define KEY(field, wt) ((uint8_t)((field) << 3 | (wt)))



static size_t cstr_len(const char *s) { return s ? strlen(s) : 0; }

static size_t str_len(const otel_attr *a) { return a->v.str.s ? a->v.str.s_len : 0; }


static int id_present(const uint8_t *p, size_t n) { return !otel_bytes_all_zero(p, n); }

/* ---- writing ---- */

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* fixed64 / fixed32: little-endian on any host; one store on a
 * little-endian one (the loop cost ~50 instructions a record) */
static uint8_t *put_fixed(uint8_t *p, uint64_t v, int bytes)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bytes == 8) {
        memcpy(p, &v, 8);
        return p + 8;
    }
    if (bytes == 4) {
        uint32_t w = (uint32_t)v;
        memcpy(p, &w, 4);
        return p + 4;
    }
#endif
    for (int i = 0; i < bytes; i++)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static uint8_t *put_len(uint8_t *p, uint8_t key, size_t len)
{
    *p++ = key;
    return put_varint(p, len);
}

static inline __attribute__((always_inline)) uint8_t *put_bytes(uint8_t *p, uint8_t key, const void *data, size_t len)
{
    p = put_len(p, key, len);
    otel_copy_short(p, data, len);
    return p + len;
}

static uint8_t *put_any_value(uint8_t *p, const otel_attr *a)
{
    switch (a->type) {
    case OTEL_VALUE_STRING: return put_bytes(p, KEY(1, WT_LEN), a->v.str.s, str_len(a));
    case OTEL_VALUE_BOOL:
        *p++ = KEY(2, WT_VARINT);
        *p++ = a->v.b != 0;
        return p;
    case OTEL_VALUE_INT:
        *p++ = KEY(3, WT_VARINT);
        return put_varint(p, (uint64_t)a->v.i);
    case OTEL_VALUE_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &a->v.d, sizeof bits);
        *p++ = KEY(4, WT_I64);
        return put_fixed(p, bits, 8);
    }
    }
    return p;
}

/* Repeated KeyValue under field `field`. */
static inline __attribute__((always_inline)) uint8_t *put_attrs(uint8_t *p, int field, const otel_attr *attrs,
                                                                 size_t n, int in_record)
{
    for (size_t i = 0; i < n; i++) {
        const otel_attr *a = &attrs[i];
        size_t klen = otel_pb_key_len(a, in_record);
        size_t kv = otel_pb_short_kv_size(a, klen);
        if (kv) { /* every length one byte */
            size_t value = kv - 2 - (klen ? 2 + klen : 0);
            *p++ = KEY(field, WT_LEN);
            *p++ = (uint8_t)kv;
            if (klen) {
                *p++ = KEY(1, WT_LEN);
                *p++ = (uint8_t)klen;
                otel_copy_short(p, a->key, klen);
                p += klen;
            }
            *p++ = KEY(2, WT_LEN);
            *p++ = (uint8_t)value;
            if (a->type == OTEL_VALUE_INT) {
                *p++ = KEY(3, WT_VARINT);
                p = put_varint(p, (uint64_t)a->v.i);
                continue;
            }
            p[0] = KEY(1, WT_LEN); /* a string */
            p[1] = (uint8_t)(value - 2);
            p += 2;
            otel_copy_short(p, a->v.str.s, value - 2);
            p += value - 2;
            continue;
        }
        size_t value = otel_pb_any_value_size(a); /* once: it is part of the KeyValue's size too */
        p = put_len(p, KEY(field, WT_LEN), otel_pb_kv_size(klen, value));
        if (klen)
            p = put_bytes(p, KEY(1, WT_LEN), a->key, klen);
        p = put_len(p, KEY(2, WT_LEN), value);
        p = put_any_value(p, a);
    }
    return p;
}

static uint8_t *put_log_record(uint8_t *p, otel_record *r)
{
    p = put_len(p, KEY(2, WT_LEN), r->wire_size); /* ScopeLogs.log_records; pass 1 measured it */
    if (r->time_unix_nano) {
        *p++ = KEY(1, WT_I64);
        p = put_fixed(p, r->time_unix_nano, 8);
    }
    if (r->severity_number) {
        *p++ = KEY(2, WT_VARINT);
        p = put_varint(p, (uint64_t)(int64_t)r->severity_number);
    }
    size_t st = r->severity_text_len ? r->severity_text_len : cstr_len(r->severity_text);
    if (st)
        p = put_bytes(p, KEY(3, WT_LEN), r->severity_text, st);
    size_t blen = r->body ? r->body_len : 0;
    p = put_len(p, KEY(5, WT_LEN), otel_pb_len_field(blen));
    p = put_bytes(p, KEY(1, WT_LEN), r->body, blen);
    p = put_attrs(p, 6, r->attrs, r->nattrs, 1);
    if (r->dropped_attrs) {
        *p++ = KEY(7, WT_VARINT);
        p = put_varint(p, r->dropped_attrs);
    }
    if (r->flags) {
        *p++ = KEY(8, WT_I32);
        p = put_fixed(p, r->flags, 4);
    }
    if (id_present(r->trace_id, sizeof r->trace_id))
        p = put_bytes(p, KEY(9, WT_LEN), r->trace_id, sizeof r->trace_id);
    if (id_present(r->span_id, sizeof r->span_id))
        p = put_bytes(p, KEY(10, WT_LEN), r->span_id, sizeof r->span_id);
    if (r->observed_time_unix_nano) {
        *p++ = KEY(11, WT_I64);
        p = put_fixed(p, r->observed_time_unix_nano, 8);
    }
    return p;
}

int otel_encode_protobuf(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *out)
{
    otel_scope_groups groups;
    if (otel_scope_groups_build(&groups, recs, n) != 0)
        return -1;
    /* pass 1: lengths (each record's measured once: otel_log_record_size) */
    size_t *scope_logs = malloc((groups.ngroups + 1) * sizeof *scope_logs);
    if (!scope_logs) {
        otel_scope_groups_free(&groups);
        return -1;
    }
    size_t nres = res ? res->nattrs : 0;
    size_t resource = otel_pb_attrs_size(nres ? res->attrs : NULL, nres, 0);
    size_t rl = otel_pb_len_field(resource); /* ResourceLogs.resource: always written */
    for (size_t g = 0; g < groups.ngroups; g++) {
        size_t sl = otel_pb_len_field(otel_pb_scope_size(recs[groups.order[groups.start[g]]]));
        for (size_t i = groups.start[g]; i < groups.start[g + 1]; i++)
            sl += otel_pb_len_field(otel_log_record_size(recs[groups.order[i]]));
        scope_logs[g] = sl;
        rl += otel_pb_len_field(sl);
    }
    size_t total = otel_pb_len_field(rl);
    if (otel_buf_reserve(out, total) != 0) {
        free(scope_logs);
        otel_scope_groups_free(&groups);
        return -1;
    }
    /* pass 2: bytes */
    uint8_t *start = (uint8_t *)out->data + out->len, *p = start;
    p = put_len(p, KEY(1, WT_LEN), rl);       /* ExportLogsServiceRequest.resource_logs */
    p = put_len(p, KEY(1, WT_LEN), resource); /* ResourceLogs.resource */
    p = put_attrs(p, 1, nres ? res->attrs : NULL, nres, 0);
    for (size_t g = 0; g < groups.ngroups; g++) {
        const otel_record *first = recs[groups.order[groups.start[g]]];
        p = put_len(p, KEY(2, WT_LEN), scope_logs[g]); /* ResourceLogs.scope_logs */
        p = put_len(p, KEY(1, WT_LEN), otel_pb_scope_size(first));
        if (first->category && first->category_len)
            p = put_bytes(p, KEY(1, WT_LEN), first->category, first->category_len);
        p = put_bytes(p, KEY(2, WT_LEN), LOG4C_OTEL_VERSION, sizeof LOG4C_OTEL_VERSION - 1);
        for (size_t i = groups.start[g]; i < groups.start[g + 1]; i++)
            p = put_log_record(p, recs[groups.order[i]]);
    }
    out->len += (size_t)(p - start);
    free(scope_logs);
    otel_scope_groups_free(&groups);
    return (size_t)(p - start) == total ? 0 : -1;
}

/* ---- the collector's answer ---- */

static void copy_message(char *msg, size_t msglen, const char *s)
{
    size_t n;

    if (msg == NULL || msglen == 0 || s == NULL)
        return;
    n = strlen(s);
    if (n >= msglen)
        n = msglen - 1;
    memcpy(msg, s, n);
    msg[n] = '\0';
}

static long long decode_rejected_protobuf(const char *body, size_t len, char *msg, size_t msglen)
{
    pb_response *resp;
    long long rejected = 0;

    resp = opentelemetry__proto__collector__logs__v1__export_logs_service_response__unpack(
        NULL, len, (const uint8_t *)body);
    if (resp == NULL)
        return -1;
    if (resp->partial_success != NULL) {
        rejected = resp->partial_success->rejected_log_records;
        copy_message(msg, msglen, resp->partial_success->error_message);
    }
    opentelemetry__proto__collector__logs__v1__export_logs_service_response__free_unpacked(resp, NULL);
    return rejected < 0 ? -1 : rejected;
}

/* The proto3 JSON mapping lets a parser meet either spelling of a field. */
static json_t *json_field(json_t *obj, const char *camel, const char *snake)
{
    json_t *v = json_object_get(obj, camel);
    return v != NULL ? v : json_object_get(obj, snake);
}

/* int64 in OTLP/JSON: a decimal string, though numbers are accepted too. */
static long long json_int64(json_t *v)
{
    const char *s;
    char *end;
    long long x;

    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_integer(v))
        return (long long)json_integer_value(v);
    if (!json_is_string(v))
        return -1;
    s = json_string_value(v);
    if (*s == '\0')
        return 0;
    errno = 0;
    x = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s)
        return -1;
    return x;
}

static int all_space(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static long long decode_rejected_json(const char *body, size_t len, char *msg, size_t msglen)
{
    json_t *root, *ps, *em;
    long long rejected = 0;

    if (all_space(body, len))
        return 0;
    root = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    if (root == NULL)
        return -1;
    if (!json_is_object(root)) {
        json_decref(root);
        return -1;
    }
    ps = json_field(root, "partialSuccess", "partial_success");
    if (ps != NULL && json_is_object(ps)) {
        rejected = json_int64(json_field(ps, "rejectedLogRecords", "rejected_log_records"));
        em = json_field(ps, "errorMessage", "error_message");
        if (json_is_string(em))
            copy_message(msg, msglen, json_string_value(em));
    } else if (ps != NULL && !json_is_null(ps)) {
        rejected = -1;
    }
    json_decref(root);
    return rejected < 0 ? -1 : rejected;
}

long long otel_decode_rejected(const char *body, size_t len, int is_json, char *msg, size_t msglen)
{
    if (msg != NULL && msglen > 0)
        msg[0] = '\0';
    if (body == NULL || len == 0) /* a 200 with no body is full success */
        return 0;
    return is_json ? decode_rejected_json(body, len, msg, msglen)
                   : decode_rejected_protobuf(body, len, msg, msglen);
}
