/*
 * record_builder.h - what an appender instance's records are built under
 * (its pipeline, log-source classifier, body limit and drop counters), and
 * the record built from a log event on the calling thread: the direct path
 * (blocking mode, an instance without lanes or shutting down). The usual
 * path, and the pre-init buffer's replay, build the same record from a
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

/* The record for ev, built here: filtered first, so that a dropped event
 * costs neither attributes nor clock reads. NULL (counted, *why set) when
 * the pipeline gave none. */
otel_record *otel_record_from_event(const otel_record_builder *b, const otel_log_event *ev, int *why);

#endif
