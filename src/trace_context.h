/*
 * trace_context.h - the W3C trace context of the calling thread (the
 * thread's active span, or a context attached from elsewhere) and the
 * traceparent text form. The appender stamps records with it; captured
 * children receive it as TRACEPARENT/TRACESTATE.
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

/* Copies the calling thread's active context into *out. Returns 1 when there
 * is one, 0 when not (*out untouched). */
int otel_context_current(otel_span_context *out);

/* Makes *c the calling thread's active context (NULL: none). */
void otel_context_set_current(const otel_span_context *c);

/* Writes "00-<32 hex>-<16 hex>-<2 hex>" and a NUL (56 bytes) to out. */
#define OTEL_TRACEPARENT_LEN 55
void otel_traceparent_format(const otel_span_context *c, char out[OTEL_TRACEPARENT_LEN + 1]);

/* Parses a traceparent header value per W3C Trace Context; returns 0 and
 * fills ids and flags (tracestate left empty), or -1 when invalid. */
int otel_traceparent_parse(const char *s, otel_span_context *out);

#endif
