/*
 * grpc_status.c - the meaning of a gRPC answer for an OTLP export: which
 * codes are retried, the RetryInfo delay (a minimal protobuf reader for
 * google.rpc.Status and google.rpc.RetryInfo), the grpc-message text, and
 * the partial_success inside the framed response.
 */
#include <stdio.h>
#include <string.h>

#include "encode.h"
#include "grpc_frame.h"
#include "grpc_status.h"
#include "hex.h"
#include "http_exporter.h"

int otel_grpc_code_retryable(int code)
{
    switch (code) {
    case 1:  /* CANCELLED */
    case 4:  /* DEADLINE_EXCEEDED */
    case 10: /* ABORTED */
    case 11: /* OUT_OF_RANGE */
    case 14: /* UNAVAILABLE */
    case 15: /* DATA_LOSS */
        return 1;
    default:
        return 0;
    }
}

const char *otel_grpc_code_name(int code)
{
    static const char *const names[17] = {
        "OK",           "CANCELLED",           "UNKNOWN",   "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND",    "ALREADY_EXISTS",      "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED",      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
        "UNAVAILABLE",  "DATA_LOSS",           "UNAUTHENTICATED"};
    return code >= 0 && code <= 16 ? names[code] : "UNKNOWN";
}

/* ---- a minimal protobuf reader ----------------------------------------- */

typedef struct pb_reader {
    const uint8_t *p, *end;
} pb_reader;

static int pb_varint(pb_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1; /* more than 10 bytes */
}

/* Reads one field: its number and wire type; for length-delimited fields
 * data and len, for varints value. Other wire types are skipped. */
static int pb_field(pb_reader *r, uint32_t *field, int *wire, uint64_t *value, const uint8_t **data, size_t *len)
{
    uint64_t key;
    if (pb_varint(r, &key) != 0 || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
        return -1;
    *field = (uint32_t)(key >> 3);
    *wire = (int)(key & 7);
    switch (*wire) {
    case 0:
        return pb_varint(r, value);
    case 1:
        if (r->end - r->p < 8)
            return -1;
        r->p += 8;
        return 0;
    case 2: {
        uint64_t n;
        if (pb_varint(r, &n) != 0 || n > (uint64_t)(r->end - r->p))
            return -1;
        *data = r->p;
        *len = (size_t)n;
        r->p += n;
        return 0;
    }
    case 5:
        if (r->end - r->p < 4)
            return -1;
        r->p += 4;
        return 0;
    default:
        return -1; /* groups and reserved types: not in these messages */
    }
}

/* google.protobuf.Duration{seconds = 1, nanos = 2} in milliseconds. */
static long duration_ms(const uint8_t *data, size_t len)
{
    pb_reader r = {data, data + len};
    int64_t secs = 0, nanos = 0;
    while (r.p < r.end) {
        uint32_t f;
        int w;
        uint64_t v = 0;
        const uint8_t *d;
        size_t n;
        if (pb_field(&r, &f, &w, &v, &d, &n) != 0)
            return -1;
        if (f == 1 && w == 0)
            secs = (int64_t)v;
        else if (f == 2 && w == 0)
            nanos = (int64_t)(int32_t)(uint32_t)v;
    }
    if (secs < 0 || nanos < 0 || nanos > 999999999)
        return -1;
    if (secs >= OTEL_GRPC_RETRY_DELAY_MAX_MS / 1000)
        return OTEL_GRPC_RETRY_DELAY_MAX_MS;
    return (long)(secs * 1000 + (nanos + 999999) / 1000000);
}

/* google.rpc.RetryInfo{retry_delay = 1}: its delay, -1 without one. */
static long retry_info_delay(const uint8_t *data, size_t len)
{
    pb_reader r = {data, data + len};
    long ms = -1;
    while (r.p < r.end) {
        uint32_t f;
        int w;
        uint64_t v;
        const uint8_t *d = NULL;
        size_t n = 0;
        if (pb_field(&r, &f, &w, &v, &d, &n) != 0)
            return -1;
        if (f == 1 && w == 2)
            ms = duration_ms(d, n);
    }
    return ms;
}

static int ends_with(const uint8_t *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

long otel_grpc_retry_info_ms(const uint8_t *data, size_t len)
{
    if (!data)
        return -1;
    /* google.rpc.Status{code = 1, message = 2, details = 3 (repeated Any)} */
    pb_reader r = {data, data + len};
    long found = -1;
    while (r.p < r.end) {
        uint32_t f;
        int w;
        uint64_t v;
        const uint8_t *d = NULL;
        size_t n = 0;
        if (pb_field(&r, &f, &w, &v, &d, &n) != 0)
            return -1;
        if (f != 3 || w != 2)
            continue;
        /* google.protobuf.Any{type_url = 1, value = 2} */
        pb_reader a = {d, d + n};
        const uint8_t *type = NULL, *value = NULL;
        size_t tlen = 0, vlen = 0;
        while (a.p < a.end) {
            uint32_t af;
            int aw;
            uint64_t av;
            const uint8_t *ad = NULL;
            size_t an = 0;
            if (pb_field(&a, &af, &aw, &av, &ad, &an) != 0)
                return -1;
            if (af == 1 && aw == 2)
                type = ad, tlen = an;
            else if (af == 2 && aw == 2)
                value = ad, vlen = an;
        }
        if (found < 0 && type && ends_with(type, tlen, "/google.rpc.RetryInfo"))
            found = retry_info_delay(value ? value : (const uint8_t *)"", vlen);
    }
    return found;
}

/* ---- grpc-status-details-bin ------------------------------------------- */

static int b64_value(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

long otel_grpc_details_retry_ms(const char *details_bin)
{
    if (!details_bin)
        return -1;
    size_t n = strlen(details_bin);
    while (n && details_bin[n - 1] == '=')
        n--;
    if (n % 4 == 1 || n > 8192)
        return -1;
    uint8_t out[6144];
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)details_bin[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return otel_grpc_retry_info_ms(out, o);
}

/* ---- grpc-message ------------------------------------------------------ */

void otel_grpc_message_decode(const char *in, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    size_t o = 0;
    for (const char *p = in ? in : ""; *p && o + 1 < outlen; p++) {
        int h, l;
        if (*p == '%' && (h = otel_hex_value((unsigned char)p[1])) >= 0 && (l = otel_hex_value((unsigned char)p[2])) >= 0) {
            out[o++] = (char)(h << 4 | l);
            p += 2;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

/* ---- the verdict ------------------------------------------------------- */

otel_grpc_verdict otel_grpc_judge(const otel_grpc_answer *a, long *delay_ms, char *why, size_t whylen)
{
    *delay_ms = -1;
    if (why && whylen)
        why[0] = '\0';
    if (a->status < 0) {
        /* No gRPC answer at all: a proxy or a server that is no gRPC one. */
        if (why && whylen)
            snprintf(why, whylen, "HTTP %ld without grpc-status", a->http_status);
        if (a->http_status != 200 && otel_http_status_retryable(a->http_status))
            return OTEL_GRPC_RETRY;
        return OTEL_GRPC_PERMANENT;
    }
    if (a->status == 0)
        return OTEL_GRPC_OK;

    char text[OTEL_GRPC_TEXT_MAX];
    if (a->text)
        snprintf(text, sizeof text, "%s", a->text);
    else
        otel_grpc_message_decode(a->message, text, sizeof text);
    if (why && whylen)
        snprintf(why, whylen, "grpc-status %d (%s)%s%s", a->status, otel_grpc_code_name(a->status),
                 text[0] ? ": " : "", text);
    long info = otel_grpc_details_retry_ms(a->details);
    if (otel_grpc_code_retryable(a->status)) {
        *delay_ms = info;
        return OTEL_GRPC_RETRY;
    }
    if (a->status == 8 && info >= 0) { /* RESOURCE_EXHAUSTED: only when the server says when */
        *delay_ms = info;
        return OTEL_GRPC_RETRY;
    }
    return OTEL_GRPC_PERMANENT;
}

long long otel_grpc_decode_rejected(const char *body, size_t len, char *msg, size_t msglen)
{
    if (msg && msglen)
        msg[0] = '\0';
    const char *m;
    size_t mlen;
    int compressed;
    if (otel_grpc_unframe(body, len, &m, &mlen, &compressed) != 0 || compressed)
        return -1;
    return otel_decode_rejected(m, mlen, 0, msg, msglen);
}
