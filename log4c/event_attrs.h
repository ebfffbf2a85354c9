/*
 * event_attrs.h - the attributes the otel appender itself adds to a record
 * (thread.id, code.*, log.source / app.*, the library's loc_data ones),
 * shared by the path that builds a record on the logging thread and the
 * staged one that builds it later from a copy (issue 6).
 */
#ifndef LOG4C_OTEL_EVENT_ATTRS_H
#define LOG4C_OTEL_EVENT_ATTRS_H

#include "instances.h"
#include "loc_data.h"
#include "sources.h"

#include <log4c.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the appender's own attributes (thread.id, code.* x3, log.source,
 * app.name, app.instance) and up to 48 from loc_data; more are dropped. */
#define OTEL_APPEND_MAX_ATTRS 56

/* 1 when loc carries the caller's real location: log4c's plain macros pass
 * one inside log4c's own header; only log4c_category_log_locinfo() is real. */
int otel_event_real_location(const log4c_location_info_t *loc);

/* thread.id, then code.file.path / code.line.number / code.function.name
 * when file is not NULL (function only when not NULL, empty or "(nil)").
 * Strings are referenced, not copied. Returns the count written (<= 4). */
size_t otel_event_own_attrs(otel_attr *attrs, int64_t thread_id, const char *file, int line, const char *function);

/* The category's source under inst's rules (all zero when inst has none or
 * sources are off); cls->app_name points into category. */
void otel_event_classify(otel_instance *inst, const char *category, otel_source_class *cls);

/* Appends log.source (and app.name / app.instance for app sources) from a
 * classification, then ld's attributes, skipping keys already set, up to
 * OTEL_APPEND_MAX_ATTRS in all. Returns the new count. */
size_t otel_event_class_attrs(const otel_source_class *cls, const otel_loc_data *ld, otel_attr *attrs, size_t n);

/* otel_event_classify, then otel_event_class_attrs. */
size_t otel_event_source_attrs(otel_instance *inst, const char *category, const otel_loc_data *ld, otel_attr *attrs,
                               size_t n);

#endif
