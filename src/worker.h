/*
 * worker.h - one export pipeline: the bounded queue, the worker thread that
 * batches, encodes and sends, and the counters. The appender glue owns one
 * per otel appender instance.
 */
#ifndef LOG4C_OTEL_WORKER_H
#define LOG4C_OTEL_WORKER_H

#include <stdint.h>
#include "log4c-otel.h"
#include "record.h"
#include "settings.h"
#include <stddef.h>

typedef struct otel_worker otel_worker;

/* Starts a worker; takes ownership of *s (moved: *s is zeroed). Returns
 * NULL and sets *err (a LOG4C_OTEL_E* code) on failure. */
otel_worker *otel_worker_start(otel_settings *s, int *err);

/* The settings the worker runs with (read-only). */
const otel_settings *otel_worker_settings(const otel_worker *w);

/* Hands r to the worker (ownership passes in every case). Never waits.
 * Returns 0 when queued, -1 when dropped (queue full or shut down; counted). */
int otel_worker_submit(otel_worker *w, otel_record *r);

/* Waits until every record submitted before the call is exported or
 * dropped, or deadline_ns (CLOCK_MONOTONIC) passes. LOG4C_OTEL_OK or
 * LOG4C_OTEL_ETIMEDOUT. */
int otel_worker_flush(otel_worker *w, uint64_t deadline_ns);

/* Flushes until deadline_ns, then aborts any export in flight, stops and
 * joins the thread; what is left is counted as dropped_shutdown. Later
 * submissions are dropped and counted the same way. Idempotent. */
int otel_worker_shutdown(otel_worker *w, uint64_t deadline_ns);

/* Frees a worker (shutting it down at once first if needed). */
void otel_worker_free(otel_worker *w);

/* ---- the hand-off (stage.h) ---- */
struct otel_record_builder;

/* Gives w hand-off lanes whose entries are built into records under b
 * (lane_entry.h), on whichever thread drains them: the worker's, a flush,
 * the shutdown; b must outlive w. Call once, before any record is staged;
 * not in blocking mode (a logging thread that may wait for room submits
 * records itself). 0, or -1 (out of memory, blocking mode, or already
 * done). */
int otel_worker_enable_stage(otel_worker *w, const struct otel_record_builder *b);

/* The lanes to stage into, or NULL: none, or the worker is shutting down
 * (submit instead: it counts the drop). */
struct otel_stage *otel_worker_stage(otel_worker *w);

/* Adds this worker's counters to *acc. */
void otel_worker_add_stats(otel_worker *w, log4c_otel_stats_t *acc);

#endif
