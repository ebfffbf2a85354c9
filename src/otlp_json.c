/*
 * otlp_json.c - OTLP/JSON encoding of a batch (the body of POST /v1/logs
 * with Content-Type application/json, and the lines of the file exporter).
 *
 * Follows the OTLP JSON rules (proto3 JSON mapping with OTLP's exceptions):
 * lowerCamelCase keys, trace/span ids as lowercase hex (not base64), enums
 * as integers, 64-bit integers as decimal strings, non-finite doubles as
 * "NaN"/"Infinity"/"-Infinity". Written by hand straight into the output
 * buffer: it runs on the worker for every batch, and a DOM (jansson) would
 * copy every body once more.
 */
#include "encode.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log4c-otel.h"

/* The output with a sticky error: helpers stop writing after the first
 * failed allocation and the caller checks once at the end. */
typedef struct json_writer {
    otel_buf *b;
    int failed;
} json_writer;

static void put(json_writer *w, const char *p, size_t n)
{
    if (!w->failed && otel_buf_append(w->b, p, n) != 0)
        w->failed = 1;
}

static void put_lit(json_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Writes \u followed by the four hex digits of cp. */
static char *put_u_escape(char *o, unsigned cp)
{
    static const char hex[] = "0123456789abcdef";
    *o++ = '\\';
    *o++ = 'u';
    *o++ = hex[(cp >> 12) & 0xf];
    *o++ = hex[(cp >> 8) & 0xf];
    *o++ = hex[(cp >> 4) & 0xf];
    *o++ = hex[cp & 0xf];
    return o;
}

/* Writes s[0..n) as a JSON string. Input is valid UTF-8. Escaped: '"',
 * '\\', every C0 control, DEL, and the code points a line-oriented reader
 * or a JavaScript parser may take for a line break: U+0085 (NEL), U+2028
 * and U+2029. Every other byte is copied raw. */
static void put_string(json_writer *w, const char *s, size_t n)
{
    size_t i;
    char *o;

    if (w->failed)
        return;
    /* Reserve the worst case (every byte as \u00XX) so the loop writes
     * without checks; n is already in memory, so 6n + 2 cannot be absurd
     * except on overflow, which the reserve refuses. */
    if (n > (SIZE_MAX - 2) / 6 || otel_buf_reserve(w->b, 6 * n + 2) != 0) {
        w->failed = 1;
        return;
    }
    o = w->b->data + w->b->len;
    *o++ = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && c != 0xc2 && c != 0xe2) {
            *o++ = (char)c;
            continue;
        }
        if (c == 0xc2 || c == 0xe2) { /* lead bytes of U+0085 and U+2028/U+2029 */
            const unsigned char *u = (const unsigned char *)s + i;
            if (c == 0xc2 && i + 1 < n && u[1] == 0x85) {
                o = put_u_escape(o, 0x85);
                i += 1;
            } else if (c == 0xe2 && i + 2 < n && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)) {
                o = put_u_escape(o, 0x2000u | 0x28u | (u[2] & 1u));
                i += 2;
            } else {
                *o++ = (char)c;
            }
            continue;
        }
        switch (c) {
        case '"': *o++ = '\\'; *o++ = '"'; break;
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\b': *o++ = '\\'; *o++ = 'b'; break;
        case '\f': *o++ = '\\'; *o++ = 'f'; break;
        default: o = put_u_escape(o, c); /* other C0 controls and DEL */
        }
    }
    *o++ = '"';
    w->b->len = (size_t)(o - w->b->data);
}

static void put_cstring(json_writer *w, const char *s)
{
    put_string(w, s == NULL ? "" : s, s == NULL ? 0 : strlen(s));
}

/* A 64-bit integer as OTLP/JSON wants it: a quoted decimal. */
static void put_u64_string(json_writer *w, uint64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;

    *--p = '"';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    *--p = '"';
    put(w, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_i64_string(json_writer *w, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "\"%lld\"", (long long)v);
    put(w, tmp, (size_t)n);
}

static void put_int(json_writer *w, long long v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", v);
    put(w, tmp, (size_t)n);
}

/* printf follows LC_NUMERIC, and an application may have set a locale with
 * a decimal comma (or a multi-byte point): fold any such run into '.'. */
static size_t to_json_number(char *s)
{
    char *r = s, *o = s;
    while (*r != '\0') {
        char c = *r;
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E') {
            *o++ = *r++;
        } else {
            *o++ = '.';
            while (*r != '\0' && !((*r >= '0' && *r <= '9') || *r == 'e' || *r == 'E'))
                r++;
        }
    }
    *o = '\0';
    return (size_t)(o - s);
}

/* The shortest of %.15g/%.17g that reads back as the same double. */
static void put_double(json_writer *w, double d)
{
    char tmp[40];

    if (isnan(d)) {
        put_lit(w, "\"NaN\"");
        return;
    }
    if (isinf(d)) {
        put_lit(w, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    snprintf(tmp, sizeof tmp, "%.15g", d);
    if (strtod(tmp, NULL) != d) /* same locale as snprintf: reads it back */
        snprintf(tmp, sizeof tmp, "%.17g", d);
    put(w, tmp, to_json_number(tmp));
}

static void put_hex(json_writer *w, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[2 + 2 * 16];
    size_t i, k = 0;

    tmp[k++] = '"';
    for (i = 0; i < n && i < 16; i++) {
        tmp[k++] = hex[p[i] >> 4];
        tmp[k++] = hex[p[i] & 0xf];
    }
    tmp[k++] = '"';
    put(w, tmp, k);
}

/* ---- OTLP objects ---- */

static void put_any_value(json_writer *w, const otel_attr *a)
{
    switch (a->type) {
    case OTEL_VALUE_STRING:
        put_lit(w, "{\"stringValue\":");
        if (a->v.str.s == NULL)
            put_lit(w, "\"\"");
        else
            put_string(w, a->v.str.s, a->v.str.s_len);
        break;
    case OTEL_VALUE_INT:
        put_lit(w, "{\"intValue\":");
        put_i64_string(w, a->v.i);
        break;
    case OTEL_VALUE_DOUBLE:
        put_lit(w, "{\"doubleValue\":");
        put_double(w, a->v.d);
        break;
    case OTEL_VALUE_BOOL:
        put_lit(w, a->v.b ? "{\"boolValue\":true" : "{\"boolValue\":false");
        break;
    default:
        put_lit(w, "{"); /* an empty AnyValue, as the protobuf side sends */
        break;
    }
    put_lit(w, "}");
}

/* "attributes":[...] (nothing when there are none). */
static void put_attributes(json_writer *w, const otel_attr *attrs, size_t n, int leading_comma)
{
    size_t i;

    if (n == 0)
        return;
    put_lit(w, leading_comma ? ",\"attributes\":[" : "\"attributes\":[");
    for (i = 0; i < n; i++) {
        put_lit(w, i ? ",{\"key\":" : "{\"key\":");
        put_cstring(w, attrs[i].key);
        put_lit(w, ",\"value\":");
        put_any_value(w, &attrs[i]);
        put_lit(w, "}");
    }
    put_lit(w, "]");
}

static void put_log_record(json_writer *w, const otel_record *r)
{
    put_lit(w, "{\"timeUnixNano\":");
    put_u64_string(w, r->time_unix_nano);
    put_lit(w, ",\"observedTimeUnixNano\":");
    put_u64_string(w, r->observed_time_unix_nano);
    put_lit(w, ",\"severityNumber\":");
    put_int(w, r->severity_number);
    if (r->severity_text != NULL && r->severity_text[0] != '\0') {
        put_lit(w, ",\"severityText\":");
        put_cstring(w, r->severity_text);
    }
    put_lit(w, ",\"body\":{\"stringValue\":");
    if (r->body == NULL)
        put_lit(w, "\"\"");
    else
        put_string(w, r->body, r->body_len);
    put_lit(w, "}");
    put_attributes(w, r->attrs, r->nattrs, 1);
    if (r->dropped_attrs != 0) {
        put_lit(w, ",\"droppedAttributesCount\":");
        put_int(w, (long long)r->dropped_attrs);
    }
    if (r->flags != 0) {
        put_lit(w, ",\"flags\":");
        put_int(w, (long long)r->flags);
    }
    /* All-zero ids mean "none": omitted, as in protobuf. */
    if (!otel_bytes_all_zero(r->trace_id, sizeof r->trace_id)) {
        put_lit(w, ",\"traceId\":");
        put_hex(w, r->trace_id, sizeof r->trace_id);
    }
    if (!otel_bytes_all_zero(r->span_id, sizeof r->span_id)) {
        put_lit(w, ",\"spanId\":");
        put_hex(w, r->span_id, sizeof r->span_id);
    }
    put_lit(w, "}");
}

static void put_scope_logs(json_writer *w, otel_record *const *recs, const size_t *idx, size_t count)
{
    const otel_record *first = recs[idx[0]];
    size_t i;

    put_lit(w, "{\"scope\":{\"name\":");
    if (first->category == NULL)
        put_lit(w, "\"\"");
    else
        put_string(w, first->category, first->category_len);
    put_lit(w, ",\"version\":\"" LOG4C_OTEL_VERSION "\"},\"logRecords\":[");
    for (i = 0; i < count; i++) {
        if (i)
            put_lit(w, ",");
        put_log_record(w, recs[idx[i]]);
    }
    put_lit(w, "]}");
}

int otel_encode_json(const otel_resource *res, otel_record *const *recs, size_t n, otel_buf *out)
{
    json_writer w = {out, 0};
    otel_scope_groups groups;
    size_t start_len = out->len, g;

    if (otel_scope_groups_build(&groups, recs, n) != 0)
        return -1;
    put_lit(&w, "{\"resourceLogs\":[{\"resource\":{");
    if (res != NULL)
        put_attributes(&w, res->attrs, res->nattrs, 0);
    put_lit(&w, "},\"scopeLogs\":[");
    for (g = 0; g < groups.ngroups; g++) {
        if (g)
            put_lit(&w, ",");
        put_scope_logs(&w, recs, &groups.order[groups.start[g]], groups.start[g + 1] - groups.start[g]);
    }
    put_lit(&w, "]}]}");
    otel_scope_groups_free(&groups);
    if (w.failed) {
        out->len = start_len; /* nothing half-written stays behind */
        return -1;
    }
    return 0;
}
