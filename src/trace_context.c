/*
 * trace_context.c - the W3C traceparent format of a span context (version
 * 00; later versions parsed as the spec says: the first four fields,
 * anything after must start with '-').
 */
#include "trace_context.h"
#include "record.h"

#include <string.h>

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
}

void otel_traceparent_format(const otel_span_context *c, char out[OTEL_TRACEPARENT_LEN + 1])
{
    memcpy(out, "00-", 3);
    hex(out + 3, c->trace_id, 16);
    out[35] = '-';
    hex(out + 36, c->span_id, 8);
    out[52] = '-';
    hex(out + 53, &c->flags, 1);
    out[55] = '\0';
}

/* Lowercase hex only, as the spec requires. */
static int unhex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) {
        int v;
        char ch = s[i];
        if (ch >= '0' && ch <= '9')
            v = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            v = ch - 'a' + 10;
        else
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return 0;
}

int otel_traceparent_parse_n(const char *s, size_t len, otel_span_context *out)
{
    otel_span_context c;
    uint8_t version;
    if (!s || !out || len < OTEL_TRACEPARENT_LEN)
        return -1;
    if (unhex(s, &version, 1) != 0 || version == 0xff || s[2] != '-' || s[35] != '-' || s[52] != '-')
        return -1;
    memset(&c, 0, sizeof c);
    if (unhex(s + 3, c.trace_id, 16) != 0 || unhex(s + 36, c.span_id, 8) != 0 || unhex(s + 53, &c.flags, 1) != 0)
        return -1;
    /* version 00 is exactly 55 characters; a future version may add fields
     * after a '-' (their content is not ours to judge, but a NUL is no header) */
    if (len > OTEL_TRACEPARENT_LEN) {
        if (version == 0 || s[OTEL_TRACEPARENT_LEN] != '-' || memchr(s, '\0', len))
            return -1;
    }
    if (otel_bytes_all_zero(c.trace_id, 16) || otel_bytes_all_zero(c.span_id, 8))
        return -1;
    *out = c;
    return 0;
}

int otel_traceparent_parse(const char *s, otel_span_context *out)
{
    return s ? otel_traceparent_parse_n(s, strlen(s), out) : -1;
}
