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
#include <string.h>

/* Room for the library's own attributes (thread.id, code.* x3, log.source,
 * app.name, app.instance) and up to 48 from loc_data; more are dropped. */
#define OTEL_APPEND_MAX_ATTRS 56

/* thread.id, then code.file.path / code.line.number / code.function.name
 * when file is not NULL (function only when not NULL, empty or "(nil)").
 * Strings are referenced, not copied. Returns the count written (<= 4).
 * Every attribute the functions below write carries its key's length in
 * key_len (what otel_record_input.keys_measured asks for). */
static inline size_t otel_event_own_attrs(otel_attr *attrs, int64_t thread_id, const char *file, int line,
                                          const char *function);

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
static inline size_t otel_event_source_class_attrs(const otel_source_class *cls, const otel_loc_data *ld,
                                                   otel_attr *attrs, size_t n);
size_t otel_event_ld_attrs(const otel_loc_data *ld, otel_attr *attrs, size_t n);

/* ---- inline: the export thread calls these for every record ---- */

/* Every attribute written here carries its key's length in key_len (the
 * library's names: a constant), so the record is built without measuring
 * them again (otel_record_input.keys_measured). */
#define OTEL_EVENT_KEY_(name) name, sizeof name - 1

static inline size_t otel_event_put_str_(otel_attr *attrs, size_t n, const char *key, size_t key_len, const char *s,
                                         size_t len)
{
    attrs[n].key = key;
    attrs[n].key_len = (uint32_t)key_len;
    attrs[n].type = OTEL_VALUE_STRING;
    attrs[n].v.str.s = s;
    attrs[n].v.str.s_len = len;
    return n + 1;
}

static inline size_t otel_event_put_int_(otel_attr *attrs, size_t n, const char *key, size_t key_len, int64_t v)
{
    attrs[n].key = key;
    attrs[n].key_len = (uint32_t)key_len;
    attrs[n].type = OTEL_VALUE_INT;
    attrs[n].v.i = v;
    return n + 1;
}

static inline size_t otel_event_own_attrs(otel_attr *attrs, int64_t thread_id, const char *file, int line,
                                          const char *function)
{
    size_t n = otel_event_put_int_(attrs, 0, OTEL_EVENT_KEY_("thread.id"), thread_id);
    if (!file)
        return n;
    n = otel_event_put_str_(attrs, n, OTEL_EVENT_KEY_("code.file.path"), file, strlen(file));
    n = otel_event_put_int_(attrs, n, OTEL_EVENT_KEY_("code.line.number"), line);
    if (function && function[0] && strcmp(function, "(nil)") != 0)
        n = otel_event_put_str_(attrs, n, OTEL_EVENT_KEY_("code.function.name"), function, strlen(function));
    return n;
}

static inline size_t otel_event_source_class_attrs(const otel_source_class *cls, const otel_loc_data *ld,
                                                   otel_attr *attrs, size_t n)
{
    if (cls->source) {
        n = otel_event_put_str_(attrs, n, OTEL_EVENT_KEY_(OTEL_ATTR_SOURCE), cls->source, cls->source_len);
        if (ld && ld->app_name)
            n = otel_event_put_str_(attrs, n, OTEL_EVENT_KEY_(OTEL_ATTR_APP_NAME), ld->app_name, strlen(ld->app_name));
        else if (cls->app_name)
            n = otel_event_put_str_(attrs, n, OTEL_EVENT_KEY_(OTEL_ATTR_APP_NAME), cls->app_name, cls->app_name_len);
        if (ld && ld->app_instance)
            n = otel_event_put_str_(attrs, n, OTEL_EVENT_KEY_(OTEL_ATTR_APP_INSTANCE), ld->app_instance,
                                    strlen(ld->app_instance));
    }
    return n;
}

/* otel_event_classify, then otel_event_class_attrs. */
size_t otel_event_source_attrs(otel_sources *src, const char *category, const otel_loc_data *ld, otel_attr *attrs,
                               size_t n);

#endif
