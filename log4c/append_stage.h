/*
 * append_stage.h - the staged append path (issue 6). On the logging thread
 * the event is only copied, as it is, into the thread's hand-off lane
 * (src/stage.h): message, category, location, the thread's trace ids and
 * attribute context, per-call and loc_data attributes. The instance's
 * worker (or a flush, or the shutdown) then runs the whole pipeline on the
 * copy — filter, attributes, allow-list, redaction, limits — exactly as the
 * direct path would have on the logging thread, before the record is
 * queued: nothing unredacted is queued, spooled or sent.
 */
#ifndef LOG4C_OTEL_APPEND_STAGE_H
#define LOG4C_OTEL_APPEND_STAGE_H

#include "instances.h"
#include "loc_data.h"
#include "record.h"
#include "stage.h"

#include <log4c.h>

/* Copies ev (with ld and call, either may be NULL) into the calling
 * thread's lane of s. 0 when staged; -1 when the lane refused it (over the
 * byte cap: counted by the stage as dropped_queue_full). */
int otel_append_stage(otel_stage *s, const log4c_logging_event_t *ev, const otel_loc_data *ld,
                      const otel_call_attrs *call);

/* The record for a staged entry (ctx: its otel_instance), or NULL when the
 * pipeline dropped it (counted: filtered, invalid configuration, memory). */
otel_record *otel_append_convert(void *ctx, const void *entry, size_t size, uint64_t now_ns);

#endif
