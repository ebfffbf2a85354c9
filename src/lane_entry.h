/*
 * lane_entry.h - a log event as one entry in the logging thread's hand-off
 * lane (stage.h), and the record built back from it by the consumer.
 *
 * On the logging thread the event is only copied, as it is: message,
 * category, location, the thread's trace ids and attribute context,
 * per-call and loc_data attributes. The instance's worker (or a flush, or
 * the shutdown) then runs the whole pipeline on the copy (filter,
 * attributes, allow-list, masking, limits) exactly as the direct path
 * (record_builder.h) does on the logging thread, before the record is
 * queued: nothing unmasked is queued, spooled or sent.
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
 * under b, observed at now_ns, or NULL when the pipeline dropped it
 * (counted: filtered, invalid configuration; memory). Runs on whichever
 * thread drains the lanes, and on the thread that replays the pre-init
 * buffer. */
otel_record *otel_lane_entry_record(const otel_record_builder *b, const void *entry, size_t size, uint64_t now_ns);

#endif
