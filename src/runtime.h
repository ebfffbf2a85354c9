/*
 * runtime.h - the library's process-wide state, in one place: the
 * configuration's lifecycle (loaded once, on the first thread that needs
 * it; records held meanwhile in the pre-init buffer and replayed), the
 * registry of appender instances (one worker each), fork handling,
 * shutdown, and the counters of log4c_otel_stats().
 *
 * The log4c glue (log4c/) calls in here; nothing here knows log4c.
 *
 * Lock order. A thread holding one of these locks may take only locks
 * further down the list, never one above it:
 *
 *   1. cfg_lock       the configuration's state (unloaded, loading,
 *                     loaded), the hold for log4c_otel_init*(); the
 *                     condition variable cfg_done waits on it
 *   2. preinit.lock   the pre-init buffer (preinit.h); taken under
 *                     cfg_lock by a push, so that no record can overtake
 *                     a buffered one while the buffer drains
 *   3. registry_lock  the instance registry; held while a worker starts
 *                     (open, and a fork child's restart), while
 *                     flush/shutdown/stats walk every worker and while a
 *                     closed instance's counters are retired
 *   4. a worker's own locks (worker.h, queue.h, stage.h, spool.h), taken
 *      by the worker calls made under registry_lock
 *   5. the diagnostics lock (diag.h): last, as anything may report a
 *      problem while holding any of the above
 *
 *   api_lock (the configuration given to log4c_otel_init_with_config) is
 *   a leaf: nothing is taken while it is held, and it is taken with none
 *   of the above held. The configuration load itself runs with no lock
 *   held (other threads buffer meanwhile; see otel_runtime_ready).
 *
 * The fork handlers take 1, 2, 3 and 5 in that order before fork() and
 * release them in both processes, so the child finds none held.
 */
#ifndef LOG4C_OTEL_RUNTIME_H
#define LOG4C_OTEL_RUNTIME_H

#include <stdint.h>
#include "log4c-otel.h"
#include "log_event.h"
#include "pipeline.h"

/* ---- the configuration ---- */

/* Loads the configuration once (thread-safe; waits for a load in progress
 * on another thread); returns the result of that load. */
int otel_runtime_configure(void);

/* 1 when the configuration is loaded (or this thread is loading it, or has
 * just loaded it here); 0 when another thread is loading it or records are
 * held for log4c_otel_init*() (LOG4C_OTEL_INIT_WAIT_MS): then hold the
 * record (otel_runtime_hold), never wait. */
int otel_runtime_ready(void);

/* Keeps the configuration given to log4c_otel_init_with_config for the
 * load; LOG4C_OTEL_ESTATE when the configuration was already loaded. */
int otel_runtime_set_api_config(const char *path, const char *json);

/* log4c_otel_init*() was called: records are no longer held for it. */
void otel_runtime_init_called(void);

/* The pipeline every instance (and the otel_redact layout) uses; NULL when
 * the configuration is invalid (fail closed). Loads the configuration. */
const otel_pipeline *otel_runtime_pipeline(void);

/* The masking rules of a sink that writes at once (mask.h,
 * otel_mask_for_sink): the pipeline's filters, or NULL when there are no
 * valid ones. Loads the configuration if nobody has, except while
 * LOG4C_OTEL_INIT_WAIT_MS holds for log4c_otel_init*(): then NULL, and the
 * configuration stays unloaded for the one init will give. */
const otel_filter_set *otel_runtime_sink_rules(void);

/* Counts one value or line a sink withheld (the `withheld` counter). */
void otel_runtime_count_withheld(void);

/* log4c_otel_flush(negative): forceFlushTimeoutMillis, else the shutdown deadline. */
long otel_runtime_flush_timeout_ms(void);
/* The configured shutdown deadline in ms (default 5000). */
long otel_runtime_shutdown_timeout_ms(void);
/* The body limit in bytes (LOG4C_OTEL_BODY_LIMIT; 0 = none); the default
 * when the configuration is invalid or not loaded yet (never loads it). */
size_t otel_runtime_body_limit(void);

/* ---- appender instances ---- */

typedef struct otel_instance otel_instance;

/* Creates (or returns the existing) instance for the appender named name
 * and starts its worker; loads the configuration first. With an invalid
 * configuration the instance exists but has no worker: it drops (and
 * counts) every record. NULL when out of memory. */
otel_instance *otel_instance_open(const char *name);

/* The registered instance named name, or NULL (the close of an appender
 * whose records all waited in the pre-init buffer). */
otel_instance *otel_instance_find(const char *name);

/* Hands ev to inst: copied into the calling thread's lane (the worker
 * builds the record), or, in blocking mode, while the worker shuts down or
 * with no worker, built and submitted here. 0, or -1 when out of memory. */
int otel_instance_append(otel_instance *inst, const otel_log_event *ev);

/* Counts an entry the pipeline gave no record for (OTEL_PIPELINE_*). */
void otel_instance_drop(otel_instance *inst, int why);

/* Shuts the instance's worker down within its deadline, unregisters and
 * frees it (its counters are kept for log4c_otel_stats). */
void otel_instance_close(otel_instance *inst);

/* ---- before the configuration is loaded ---- */

/* Keeps ev (a deep copy, raw: the pipeline needs the configuration) for
 * the appender named appender until the configuration is loaded; the
 * loading thread then replays it through that appender's instance, in
 * order. A drop (bound, memory) counts as dropped_preinit. Returns 1 when
 * the configuration got loaded meanwhile: the caller opens the instance
 * and appends ev itself. */
int otel_runtime_hold(const char *appender, const otel_log_event *ev);

/* An append refused by the re-entry guard (dropped_reentrant). */
void otel_runtime_count_reentrant(void);

/* ---- every instance ---- */

/* deadline_ns: CLOCK_MONOTONIC; 0 = the configured shutdown deadline from now. */
int otel_runtime_flush(uint64_t deadline_ns);
int otel_runtime_shutdown(uint64_t deadline_ns);
void otel_runtime_stats(log4c_otel_stats_t *out);

/* At exit: one line on stderr when the counters show records not
 * delivered (by reason, and the spool that holds spooled ones). */
void otel_runtime_report_exit(void);

/* Set once log4c_fini() closed an instance: log4c cannot be used again. */
int otel_runtime_finalized(void);

#endif
