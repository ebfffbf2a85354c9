/*
 * trace_context.h - the W3C trace context of the calling thread (the
 * thread's active span, or a context attached from elsewhere) and the
 * traceparent text form. The appender stamps records with it; captured
 * children receive it as TRACEPARENT/TRACESTATE.
 *
 * Each thread keeps a stack of frames: a span it started (holding a
 * reference to it) or an attached context. The active context is the top
 * frame whose span has not ended; frames of spans ended elsewhere (another
 * thread) are dropped lazily when they come to the top.
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

/* Copies the calling thread's active context into *out. Returns 1 when there
 * is one, 0 when not (*out untouched). While an override is set (see
 * otel_context_set_override) that is what it returns. */
int otel_context_current(otel_span_context *out);

/* The ids and flags of the same context, without copying the tracestate
 * (the appender's per-record read). Returns 1 when there is one, else 0
 * (outputs untouched). */
int otel_context_current_ids(uint8_t trace_id[16], uint8_t span_id[8], uint8_t *flags);

/* Replaces the calling thread's whole stack: with *c as its only (attached)
 * frame, or with nothing (NULL). Spans on the stack are released. */
void otel_context_set_current(const otel_span_context *c);

/* ---- the frame stack (span.c and the public API) ---- */
struct otel_span;

/* Pushes a frame for span (whose context is ctx); the stack takes one
 * reference (otel_span_retain is called). Returns 0, -1 out of memory. */
int otel_context_push_span(struct otel_span *span, const otel_span_context *ctx);

/* Removes span's frame from the calling thread's stack, wherever it is, and
 * releases the stack's reference. Returns 1 when it was there, else 0. */
int otel_context_remove_span(struct otel_span *span);

/* Pushes an attached context (no span). Returns 0, -1 out of memory. */
int otel_context_attach(const otel_span_context *c);

/* Removes the most recent attached frame. Returns 0, or -1 when none. */
int otel_context_detach(void);

/* While set (non-NULL), otel_context_current returns *c on this thread:
 * used while the traces line of an ended span is logged, so that the record
 * is correlated with that span. The pointer must stay valid until cleared. */
void otel_context_set_override(const otel_span_context *c);

/* Frames on the calling thread's stack (for tests). */
size_t otel_context_depth(void);

/* Implemented in span.c: reference counting and the "ended" flag. */
void otel_span_retain(struct otel_span *s);
void otel_span_release(struct otel_span *s);
int otel_span_is_ended(const struct otel_span *s);

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
