/*
 * span.h - spans in the core: ids from getrandom, typed attributes, status,
 * the calling thread's active context (its innermost live span, or a
 * context attached from elsewhere), the filtering context and the span
 * filter decision taken at start, and at end
 * the traces-as-logs line handed to a sink (the log4c glue logs it to the
 * traces category). The public log4c_otel_span_* and log4c_otel_context_*
 * API (log4c/span_api.c) is a thin layer over this.
 */
#ifndef LOG4C_OTEL_SPAN_H
#define LOG4C_OTEL_SPAN_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "trace_context.h"
#include "traces_config.h"

typedef struct otel_span otel_span;

#define OTEL_SPAN_MAX_ATTRS 128

/* Fills p[0..n) with random bytes, never all zero. Returns 0, -1 when the
 * OS has no random source (getrandom and /dev/urandom both failed). */
int otel_random_id(uint8_t *p, size_t n);

/* Starts a span and pushes it on the calling thread's stack. parent: the
 * parent context; NULL with use_current: the thread's active context (root
 * when none); NULL without: a root span. Returns 0, -1 out of memory /
 * no random source. */
int otel_span_start(const char *name, const otel_span_context *parent, int use_current, otel_span **out);

/* As otel_span_start(), with the span's own filtering context fctx[0..n)
 * (keys non-empty; string values of s_len bytes; copied). The span's
 * filtering context is these pairs over those of its parent span when the
 * parent is the thread's innermost live span (an attached or explicit
 * parent context carries none); a key given twice: the first wins. The
 * filters (traces_config.h) are resolved here, once, on that context and
 * the configuration's service.name. */
int otel_span_start_with_filter_context(const char *name, const otel_span_context *parent, int use_current,
                                        const otel_attr *fctx, size_t n, otel_span **out);

/* Returns 0, -1 (key NULL or empty, out of memory) or -2 (already
 * OTEL_SPAN_MAX_ATTRS attributes: dropped). */
int otel_span_set_attr(otel_span *s, const char *key, const otel_attr *value);
int otel_span_set_status(otel_span *s, int status, const char *message);
void otel_span_get_context(const otel_span *s, otel_span_context *out);

/* Ends the span (see log4c-otel.h): emits its line through the sink (with
 * the calling thread's context overridden by the span's own), removes it
 * from the calling thread's stack and drops the caller's reference: the
 * handle is invalid afterwards. */
void otel_span_end(otel_span *s);

/* The sink the line goes to at span end: line is NUL-terminated, without a
 * newline; ctx is the ended span's context. Default: none (no line). */
typedef void (*otel_span_sink_fn)(const char *line, size_t len, const otel_span_context *ctx, int status);
void otel_span_set_sink(otel_span_sink_fn fn);

/* Installs the span filters (ownership passes; the previous configuration
 * is freed). Call at initialisation, before any span starts. NULL restores
 * the built-in defaults. */
void otel_span_set_config(otel_traces_config *cfg);
/* The configuration in force (never NULL). */
const otel_traces_config *otel_span_config(void);

/* Monotonic clock hook for tests (NULL: CLOCK_MONOTONIC). */
void otel_span_set_clock(uint64_t (*now_ns)(void));

/* ---- the calling thread's active context ----
 * Each thread keeps a stack of frames: a span it started (holding a
 * reference to it) or an attached context. The active context is the top
 * frame whose span has not ended; frames of spans ended elsewhere (another
 * thread) are dropped lazily when they come to the top. */

/* Copies the calling thread's active context into *out. Returns 1 when there
 * is one, 0 when not (*out untouched). While a span's traces line is being
 * logged (otel_span_end), that span's context is what it returns. */
int otel_context_current(otel_span_context *out);

/* The ids and flags of the same context, without copying the tracestate
 * (the per-record read). Returns 1 when there is one, else 0 (outputs
 * untouched). */
int otel_context_current_ids(uint8_t trace_id[16], uint8_t span_id[8], uint8_t *flags);

/* Replaces the calling thread's whole stack: with *c as its only (attached)
 * frame, or with nothing (NULL). Spans on the stack are released. */
void otel_context_set_current(const otel_span_context *c);

/* Pushes an attached context (no span). Returns 0, -1 out of memory. */
int otel_context_attach(const otel_span_context *c);

/* Removes the most recent attached frame. Returns 0, or -1 when none. */
int otel_context_detach(void);

/* Frames on the calling thread's stack (for tests). */
size_t otel_context_depth(void);

#endif
