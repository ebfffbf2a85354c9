/*
 * record_builder.h - what an appender instance's records are built under
 * (its pipeline, log-source classifier, body limit and drop counters), and
 * the record built from a log event on the calling thread: the direct path
 * (blocking mode, an instance without lanes) and the pre-init buffer's
 * replay. The usual path builds the same record on the consumer from a
 * lane entry (lane_entry.h).
 */
#ifndef LOG4C_OTEL_RECORD_BUILDER_H
#define LOG4C_OTEL_RECORD_BUILDER_H

#include "event_attrs.h"
#include "log_event.h"
#include "pipeline.h"
#include "sources.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Set by the runtime when it starts an instance's worker; read (never
 * written) by whichever thread builds the instance's records. */
typedef struct otel_record_builder {
    const otel_pipeline *pipeline;        /* NULL: no valid configuration (fail closed) */
    otel_sources *sources;                /* log.source classifier; NULL: none */
    size_t body_limit;                    /* bytes; 0 = none */
    atomic_uint_fast64_t *filtered;       /* entries a filter dropped */
    atomic_uint_fast64_t *dropped_config; /* entries dropped for want of a valid configuration */
} otel_record_builder;

/* Counts an entry the pipeline gave no record for (why: OTEL_PIPELINE_*;
 * an out-of-memory drop is not counted here). */
static inline void otel_record_builder_drop(const otel_record_builder *b, int why)
{
    if (why == OTEL_PIPELINE_FILTERED)
        atomic_fetch_add_explicit(b->filtered, 1, memory_order_relaxed);
    else if (why == OTEL_PIPELINE_NOCONFIG)
        atomic_fetch_add_explicit(b->dropped_config, 1, memory_order_relaxed);
}

/* An event as pipeline input, taken on the logging thread: the library's
 * own attributes (thread.id, code.*), the thread's trace ids, observed
 * now. What depends on an instance (log.source, loc_data attributes, the
 * body limit) is added by otel_record_builder_finish. */
typedef struct otel_event_input {
    otel_pipeline_input in; /* points into ev and into this struct */
    otel_attr attrs[OTEL_APPEND_MAX_ATTRS];
    uint8_t trace_id[16], span_id[8];
} otel_event_input;

void otel_event_input_init(otel_event_input *x, const otel_log_event *ev);

/* Adds what depends on the instance to x->in (x->in.rec.attrs must be
 * x->attrs; ld: the event's loc_data or NULL), then filters and builds the
 * record. NULL (counted, *why set) when the pipeline gave none. */
otel_record *otel_record_builder_finish(const otel_record_builder *b, otel_event_input *x, const otel_loc_data *ld,
                                        int *why);

/* The record for ev, built here: filtered first, so that a dropped event
 * costs neither attributes nor clock reads. NULL (counted, *why set) when
 * the pipeline gave none. */
otel_record *otel_record_from_event(const otel_record_builder *b, const otel_log_event *ev, int *why);

#endif
