/*
 * event_attrs.h - the attributes the library itself adds to a record
 * (thread.id, code.*, log.source / app.*, the library's loc_data ones),
 * shared by the path that builds a record on the logging thread and the
 * consumer that builds it later from a lane entry (lane_entry.h).
 */
#ifndef LOG4C_OTEL_EVENT_ATTRS_H
#define LOG4C_OTEL_EVENT_ATTRS_H

#include "loc_data.h"
#include "record.h"
#include "sources.h"

#include <stddef.h>
#include <stdint.h>

/* Room for the library's own attributes (thread.id, code.* x3, log.source,
 * app.name, app.instance) and up to 48 from loc_data; more are dropped. */
#define OTEL_APPEND_MAX_ATTRS 56

/* thread.id, then code.file.path / code.line.number / code.function.name
 * when file is not NULL (function only when not NULL, empty or "(nil)").
 * Strings are referenced, not copied. Returns the count written (<= 4).
 * Every attribute the functions below write carries its key's length in
 * key_len (what otel_record_input.keys_measured asks for). */
size_t otel_event_own_attrs(otel_attr *attrs, int64_t thread_id, const char *file, int line, const char *function);

/* The category's source under src's rules (all zero when src is NULL
 * (out of memory) or sources are off); cls->app_name points into category. */
void otel_event_classify(otel_sources *src, const char *category, otel_source_class *cls);

/* Appends log.source (and app.name / app.instance for app sources) from a
 * classification, then ld's attributes, skipping keys already set, missing
 * or empty, up to OTEL_APPEND_MAX_ATTRS in all. Returns the new count.
 * After otel_event_own_attrs, the list holds no key twice and none missing
 * (what otel_pipeline_input.own_distinct promises). */
size_t otel_event_class_attrs(const otel_source_class *cls, const otel_loc_data *ld, otel_attr *attrs, size_t n);

/* The two halves of otel_event_class_attrs: the classification's
 * attributes (log.source, app.*), then ld's own. Every key the functions
 * above and the first half write is one of the library's string constants
 * (what otel_record_input.static_keys asks for); ld's keys are the
 * caller's. */
size_t otel_event_source_class_attrs(const otel_source_class *cls, const otel_loc_data *ld, otel_attr *attrs,
                                     size_t n);
size_t otel_event_ld_attrs(const otel_loc_data *ld, otel_attr *attrs, size_t n);

/* otel_event_classify, then otel_event_class_attrs. */
size_t otel_event_source_attrs(otel_sources *src, const char *category, const otel_loc_data *ld, otel_attr *attrs,
                               size_t n);

#endif
