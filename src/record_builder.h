/*
 * record_builder.h - what an appender instance's records are built under:
 * its pipeline, log-source classifier, body limit and drop counters. Every
 * record is built from a lane entry under it (lane_entry.h), whoever
 * builds it.
 */
#ifndef LOG4C_OTEL_RECORD_BUILDER_H
#define LOG4C_OTEL_RECORD_BUILDER_H

#include "pipeline.h"
#include "sources.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Filled by the runtime when it opens an instance (the classifier and the
 * body limit when the instance's worker starts); read, never written, by
 * whichever thread builds the instance's records. */
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

#endif
