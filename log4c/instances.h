/*
 * instances.h - the process-wide state of the log4c glue: the settings
 * loaded at init, and the registry of live otel appender instances (one
 * worker each), so the public API can flush, stop and count them all.
 */
#ifndef LOG4C_OTEL_INSTANCES_H
#define LOG4C_OTEL_INSTANCES_H

#include <stdint.h>
#include "log4c-otel.h"
#include "log_event.h"
#include "record_builder.h"
#include "worker.h"
#include "pipeline.h"

typedef struct otel_instance otel_instance;

/* Loads the settings once (thread-safe); returns the result of the first load. */
int otel_instances_configure(void);

/* Creates (or returns the existing) instance for the appender named name and
 * starts its worker. With an invalid configuration the instance exists but
 * has no worker: it drops (and counts) every record. NULL when out of memory. */
otel_instance *otel_instance_open(const char *name);

/* The registered instance named name, or NULL (issue 6: close of an
 * appender whose records all waited in the pre-init buffer). */
otel_instance *otel_instance_find(const char *name);

/* issue 3 ------------------------------------------------------------- */
/* Keeps the configuration given to log4c_otel_init_with_config for the
 * load; LOG4C_OTEL_ESTATE when the configuration was already loaded. */
int otel_instances_set_api_config(const char *path, const char *json);
/* The pipeline every instance (and the otel_redact layout) uses; NULL when
 * the configuration is invalid (fail closed). Loads the configuration. */
struct otel_pipeline;
const struct otel_pipeline *otel_instances_pipeline(void);
/* log4c_otel_flush(negative): forceFlushTimeoutMillis, else the shutdown deadline. */
long otel_instances_flush_timeout_ms(void);
/* Counts a record the pipeline gave no record for (OTEL_PIPELINE_*). */
void otel_instance_drop(otel_instance *inst, int why);
/* What the instance's records are built under (record_builder.h). */
const otel_record_builder *otel_instance_builder(const otel_instance *inst);
/* ---------------------------------------------------------------------- */

/* issue 6 ---------------------------------------------------------------
 * The pre-initialisation buffer and the no-feedback-loop guard. */
struct otel_preinit_entry;
struct otel_loc_data;
/* 1 when the configuration is loaded (or this thread just loaded it); 0
 * when another thread is loading it or records are held for
 * log4c_otel_init*() (LOG4C_OTEL_INIT_WAIT_MS): then buffer, never wait. */
int otel_instances_ready(void);
/* Keeps a raw record (deep copy) for appender until the configuration is
 * loaded; a drop (bound, memory) counts as dropped_preinit. Returns 1 when
 * the configuration got loaded meanwhile: the caller appends directly. */
int otel_instances_buffer(const char *appender, const otel_pipeline_input *in, const struct otel_loc_data *ld);
/* log4c_otel_init*() was called: records are no longer held for it. */
void otel_instances_init_called(void);
/* An append refused by the guard (dropped_reentrant). */
void otel_instances_count_reentrant(void);
/* Appends a buffered record through the pipeline (appender_type_otel.c);
 * runs on the loading thread, in order. */
void otel_append_replay(const struct otel_preinit_entry *e);
/* ---------------------------------------------------------------------- */

/* Submits a record (ownership passes). */
void otel_instance_submit(otel_instance *inst, otel_record *r);

/* issue 6: the instance's hand-off lanes (stage.h), or NULL: build the
 * record here and submit it (blocking mode, shutting down, no worker). */
struct otel_stage;
struct otel_stage *otel_instance_stage(otel_instance *inst);

/* Shuts the instance's worker down within its deadline, unregisters and
 * frees it (its counters are kept for log4c_otel_stats). */
void otel_instance_close(otel_instance *inst);

/* Over all live instances. deadline_ns: CLOCK_MONOTONIC; 0 = each instance's
 * own shutdown deadline from now. */
int otel_instances_flush(uint64_t deadline_ns);
int otel_instances_shutdown(uint64_t deadline_ns);
void otel_instances_stats(log4c_otel_stats_t *out);
/* The configured shutdown deadline in ms (default 5000). */
long otel_instances_shutdown_timeout_ms(void);

/* Registers the otel type with log4c and pre-creates the "otel" instance,
 * once (otel_api.c). Reads no configuration. */
int otel_register(void);

/* A public log4c_otel_attr as a core attribute, pointing into *in (no
 * copy). LOG4C_OTEL_EINVAL for a missing key or an unknown type. */
int otel_attr_from_public(const log4c_otel_attr *in, otel_attr *out);

/* Set once log4c_fini() closed an instance: log4c cannot be used again. */
int otel_instances_finalized(void);

#endif
