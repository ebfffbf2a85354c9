/*
 * lane_entry.h - a log event as one flat entry, and the record built back
 * from it: the one form every record passes through.
 *
 * On the logging thread the event is only copied, as it is: message,
 * category, location, the thread's trace ids and attribute context,
 * per-call and loc_data attributes. Usually into the thread's hand-off
 * lane (stage.h), and the instance's worker (or a flush, or the shutdown)
 * builds the record; before the configuration is loaded into the pre-init
 * buffer (preinit.h), and the loading thread builds it; in blocking mode,
 * while shutting down or without a worker into a scratch copy, and the
 * logging thread builds it at once. Building runs the whole pipeline on
 * the copy (filter, attributes, allow-list, masking, limits) before the
 * record is queued: nothing unmasked is queued, spooled or sent.
 */
#ifndef LOG4C_OTEL_LANE_ENTRY_H
#define LOG4C_OTEL_LANE_ENTRY_H

#include "log_event.h"
#include "record.h"
#include "record_builder.h"
#include "stage.h"

#include <stddef.h>
#include <stdint.h>

/* Copies ev into the calling thread's lane of s. 0 when staged; -1 when
 * the lane refused it (over the byte cap: counted by the stage as
 * dropped_queue_full). */
int otel_lane_entry_put(otel_stage *s, const otel_log_event *ev);

/* The same entry written to dst (8-byte aligned) when cap is at least its
 * size, for a holder other than a lane (the pre-init buffer). Returns the
 * entry's size in bytes either way; call with dst NULL to measure. Two
 * calls for one event must come from the same thread with nothing logged
 * or attached in between (the entry carries the thread's context). */
size_t otel_lane_entry_pack(void *dst, size_t cap, const otel_log_event *ev);

/* The record for an entry (staged, or packed by otel_lane_entry_pack)
 * under b, observed at now_ns (0: when it was logged), or NULL when the
 * pipeline dropped it (counted: filtered, invalid configuration; then
 * *why, when why is not NULL, says which OTEL_PIPELINE_*). Runs on
 * whichever thread drains the lanes, on the thread that replays the
 * pre-init buffer, and on a logging thread that cannot stage (blocking
 * mode, shutting down, no worker). */
otel_record *otel_lane_entry_record(const otel_record_builder *b, const void *entry, size_t size, uint64_t now_ns,
                                    int *why);

#endif
