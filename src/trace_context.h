/*
 * trace_context.h - a W3C trace context (trace and span ids, flags,
 * tracestate) and its traceparent text form. Records are stamped with the
 * calling thread's (span.h); captured children receive it as
 * TRACEPARENT/TRACESTATE.
 */
#ifndef LOG4C_OTEL_TRACE_CONTEXT_H
#define LOG4C_OTEL_TRACE_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#define OTEL_TRACESTATE_MAX 512 /* W3C: at most 32 members; longer values are dropped */

typedef struct otel_span_context {
    uint8_t trace_id[16]; /* never all zero in a valid context */
    uint8_t span_id[8];   /* never all zero in a valid context */
    uint8_t flags;        /* bit 0: sampled */
    char tracestate[OTEL_TRACESTATE_MAX + 1]; /* "" when none */
} otel_span_context;

#define OTEL_TRACE_FLAG_SAMPLED 0x01

/* ---- traceparent ---- */

/* Writes "00-<32 hex>-<16 hex>-<2 hex>" and a NUL (56 bytes) to out. */
#define OTEL_TRACEPARENT_LEN 55
void otel_traceparent_format(const otel_span_context *c, char out[OTEL_TRACEPARENT_LEN + 1]);

/* Parses a traceparent header value per W3C Trace Context; returns 0 and
 * fills ids and flags (tracestate left empty), or -1 when invalid:
 * version: 2 lowercase hex digits, not "ff"; version 00 is exactly 55
 * characters; a higher version needs at least 55 and, when longer, a '-'
 * after the flags; ids and flags lowercase hex; ids not all zero. */
int otel_traceparent_parse(const char *s, otel_span_context *out);

/* The same on s[0..len) (no NUL needed; a NUL inside makes it invalid). */
int otel_traceparent_parse_n(const char *s, size_t len, otel_span_context *out);

#endif
