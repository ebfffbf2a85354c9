/*
 * traces_as_logs.c - formats a finished span as one line of io.Insights'
 * traces-as-logs format (see traces_as_logs.h for every rule), and holds the
 * hideRegex seam every text of the line (name, attribute keys and values,
 * status message) passes through before it is rewritten or escaped.
 */
#include "traces_as_logs.h"
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- redaction seam ---- */

static otel_redact_fn redactor;
static void *redactor_ctx;

void otel_traces_set_redactor(otel_redact_fn fn, void *ctx)
{
    redactor_ctx = ctx;
    redactor = fn;
}

char *otel_redact_string(const char *s, size_t len, size_t *out_len)
{
    *out_len = len;
    if (!redactor)
        return NULL;
    return redactor(redactor_ctx, s, len, out_len);
}

/* ---- helpers ---- */

static int put(otel_buf *b, const char *s, size_t n) { return otel_buf_append(b, s, n); }
static int puts_(otel_buf *b, const char *s) { return otel_buf_append_str(b, s); }

static int put_hex(otel_buf *b, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[32];
    for (size_t i = 0; i < n; i++) {
        tmp[2 * i] = digits[p[i] >> 4];
        tmp[2 * i + 1] = digits[p[i] & 15];
    }
    return put(b, tmp, 2 * n);
}

/* s[0..len) made valid UTF-8, malloc'd (NULL: out of memory). */
static char *sanitized(const char *s, size_t len, size_t *outlen)
{
    size_t n = otel_utf8_sanitized_len(s, len, 0);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    *outlen = otel_utf8_sanitize(o, s, len, 0);
    o[*outlen] = '\0';
    return o;
}

/* Decodes one code point of valid UTF-8 at p; returns its byte length. */
static size_t decode(const unsigned char *p, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] < 0xE0) {
        *cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
        return 2;
    }
    if (p[0] < 0xF0) {
        *cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        return 3;
    }
    *cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
          (p[3] & 0x3F);
    return 4;
}

static int is_space_or_control(uint32_t cp)
{
    if (cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return 1;
    switch (cp) { /* Unicode White_Space beyond ASCII and C1 */
    case 0x00A0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

static int put_u16(otel_buf *b, unsigned v)
{
    char tmp[8];
    snprintf(tmp, sizeof tmp, "\\u%04x", v & 0xFFFF);
    return put(b, tmp, 6);
}

/* cp as \uXXXX, or a surrogate pair above U+FFFF. */
static int put_u_escape(otel_buf *b, uint32_t cp)
{
    if (cp < 0x10000)
        return put_u16(b, cp);
    uint32_t v = cp - 0x10000;
    int rc = put_u16(b, 0xD800 | (v >> 10));
    return rc ? rc : put_u16(b, 0xDC00 | (v & 0x3FF));
}

/* A JSON string of the bytes s[0..len): sanitised, escaped, pure ASCII. */
static int put_json_string(otel_buf *b, const char *raw, size_t rawlen)
{
    size_t n;
    char *s = sanitized(raw, rawlen, &n);
    if (!s)
        return -1;
    int rc = put(b, "\"", 1);
    for (size_t i = 0; i < n && rc == 0;) {
        uint32_t cp;
        size_t k = decode((const unsigned char *)s + i, &cp);
        i += k;
        switch (cp) {
        case '"': rc = put(b, "\\\"", 2); break;
        case '\\': rc = put(b, "\\\\", 2); break;
        case '\b': rc = put(b, "\\b", 2); break;
        case '\f': rc = put(b, "\\f", 2); break;
        case '\n': rc = put(b, "\\n", 2); break;
        case '\r': rc = put(b, "\\r", 2); break;
        case '\t': rc = put(b, "\\t", 2); break;
        default:
            if (cp >= 0x20 && cp < 0x7F) {
                char c = (char)cp;
                rc = put(b, &c, 1);
            } else {
                rc = put_u_escape(b, cp);
            }
        }
    }
    if (rc == 0)
        rc = put(b, "\"", 1);
    free(s);
    return rc;
}

/* A redacted string value; a failed redaction prints null, never the secret. */
static int put_json_value_string(otel_buf *b, const char *s, size_t len)
{
    size_t rlen;
    char *r = otel_redact_string(s, len, &rlen);
    if (!r && rlen == (size_t)-1)
        return puts_(b, "null");
    int rc = r ? put_json_string(b, r, rlen) : put_json_string(b, s, len);
    free(r);
    return rc;
}

/* What a name or key withheld by a failed redaction is written as. */
#define WITHHELD "[withheld]"

/* The span name: redacted first (masks see the name as given), then made
 * one field: whitespace and controls become '_', '\\' is doubled and every
 * other character outside printable ASCII is written \uXXXX (surrogate
 * pairs above U+FFFF; invalid UTF-8 as \ufffd), so the line is pure ASCII. */
static int put_name(otel_buf *b, const char *name)
{
    const char *raw = name ? name : "";
    size_t rawlen = strlen(raw), rlen;
    char *r = otel_redact_string(raw, rawlen, &rlen);
    if (!r && rlen == (size_t)-1)
        return puts_(b, WITHHELD);
    size_t n;
    char *s = sanitized(r ? r : raw, r ? rlen : rawlen, &n);
    free(r);
    if (!s)
        return -1;
    int rc = 0;
    if (n == 0)
        rc = put(b, "_", 1);
    for (size_t i = 0; i < n && rc == 0;) {
        uint32_t cp;
        size_t k = decode((const unsigned char *)s + i, &cp);
        if (is_space_or_control(cp))
            rc = put(b, "_", 1);
        else if (cp == '\\')
            rc = put(b, "\\\\", 2);
        else if (cp < 0x7F)
            rc = put(b, s + i, 1);
        else
            rc = put_u_escape(b, cp);
        i += k;
    }
    free(s);
    return rc;
}

/* An attribute key: redacted like a value; a failed redaction writes
 * "[withheld]", never the key. */
static int put_json_key(otel_buf *b, const char *key)
{
    const char *raw = key ? key : "";
    size_t rawlen = strlen(raw), rlen;
    char *r = otel_redact_string(raw, rawlen, &rlen);
    if (!r && rlen == (size_t)-1)
        return puts_(b, "\"" WITHHELD "\"");
    int rc = r ? put_json_string(b, r, rlen) : put_json_string(b, raw, rawlen);
    free(r);
    return rc;
}

/* Shortest %.*g that reads back to the same double; '.' whatever the locale. */
static int put_double(otel_buf *b, double d)
{
    if (!isfinite(d))
        return puts_(b, "null");
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        for (char *p = tmp; *p; p++)
            if (*p == ',')
                *p = '.';
        if (strtod(tmp, NULL) == d || prec == 17)
            break;
    }
    /* under a ',' locale strtod stops at the '.', so 17 digits are used:
     * longer, still exact */
    return puts_(b, tmp);
}

static int put_attr_value(otel_buf *b, const otel_attr *a)
{
    char tmp[32];
    switch (a->type) {
    case OTEL_VALUE_STRING:
        return put_json_value_string(b, a->v.str.s ? a->v.str.s : "", a->v.str.s ? a->v.str.s_len : 0);
    case OTEL_VALUE_INT:
        snprintf(tmp, sizeof tmp, "%lld", (long long)a->v.i);
        return puts_(b, tmp);
    case OTEL_VALUE_DOUBLE:
        return put_double(b, a->v.d);
    case OTEL_VALUE_BOOL:
        return puts_(b, a->v.b ? "true" : "false");
    }
    return puts_(b, "null");
}

int otel_traces_line_format(const otel_span_line *s, otel_buf *out)
{
    static const uint8_t zeros[8];
    size_t mark = out->len;
    int rc = put_hex(out, s->trace_id, 16);
    rc = rc ? rc : put(out, "-", 1);
    rc = rc ? rc : put_hex(out, s->span_id, 8);
    rc = rc ? rc : put(out, "-", 1);
    rc = rc ? rc : put_hex(out, s->parent_span_id ? s->parent_span_id : zeros, 8);
    rc = rc ? rc : put(out, " ", 1);
    rc = rc ? rc : put_name(out, s->name);
    char tmp[48];
    int status = s->status >= 0 && s->status <= 2 ? s->status : 0;
    snprintf(tmp, sizeof tmp, " %d %llu {", status, (unsigned long long)s->duration_ms);
    rc = rc ? rc : puts_(out, tmp);
    int first = 1;
    for (size_t i = 0; i < s->nattrs && rc == 0; i++) {
        const otel_attr *a = &s->attrs[i];
        if (!first)
            rc = put(out, ",", 1);
        first = 0;
        rc = rc ? rc : put_json_key(out, a->key);
        rc = rc ? rc : put(out, ":", 1);
        rc = rc ? rc : put_attr_value(out, a);
    }
    if (rc == 0 && s->status_message) {
        if (!first)
            rc = put(out, ",", 1);
        rc = rc ? rc : puts_(out, "\"otel.status_description\":");
        rc = rc ? rc : put_json_value_string(out, s->status_message, strlen(s->status_message));
    }
    rc = rc ? rc : put(out, "}", 1);
    if (rc != 0)
        out->len = mark;
    return rc;
}
