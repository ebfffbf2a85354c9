/*
 * span.h - spans in the core: ids from getrandom, typed attributes, status,
 * the per-thread active context (through trace_context.c), the span filter
 * decision, and at end the traces-as-logs line handed to a sink (the log4c
 * glue logs it to the traces category). The public log4c_otel_span_* API
 * (log4c/span_api.c) is a thin layer over this.
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

#endif
