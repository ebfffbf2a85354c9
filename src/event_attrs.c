/*
 * event_attrs.c - the library's own record attributes (event_attrs.h).
 */
#include "event_attrs.h"
#include "sources.h"

#include <string.h>

/* Every attribute written here carries its key's length in key_len (the
 * library's names: a constant), so the record is built without measuring
 * them again (otel_record_input.keys_measured). */
#define KEY(name) name, sizeof name - 1

static size_t put_str(otel_attr *attrs, size_t n, const char *key, size_t key_len, const char *s, size_t len)
{
    attrs[n].key = key;
    attrs[n].key_len = (uint32_t)key_len;
    attrs[n].type = OTEL_VALUE_STRING;
    attrs[n].v.str.s = s;
    attrs[n].v.str.s_len = len;
    return n + 1;
}

static size_t put_int(otel_attr *attrs, size_t n, const char *key, size_t key_len, int64_t v)
{
    attrs[n].key = key;
    attrs[n].key_len = (uint32_t)key_len;
    attrs[n].type = OTEL_VALUE_INT;
    attrs[n].v.i = v;
    return n + 1;
}

size_t otel_event_own_attrs(otel_attr *attrs, int64_t thread_id, const char *file, int line, const char *function)
{
    size_t n = put_int(attrs, 0, KEY("thread.id"), thread_id);
    if (!file)
        return n;
    n = put_str(attrs, n, KEY("code.file.path"), file, strlen(file));
    n = put_int(attrs, n, KEY("code.line.number"), line);
    if (function && function[0] && strcmp(function, "(nil)") != 0)
        n = put_str(attrs, n, KEY("code.function.name"), function, strlen(function));
    return n;
}

void otel_event_classify(otel_sources *src, const char *category, otel_source_class *cls)
{
    memset(cls, 0, sizeof *cls);
    if (src)
        otel_sources_classify(src, category, cls);
}

size_t otel_event_source_attrs(otel_sources *src, const char *category, const otel_loc_data *ld, otel_attr *attrs,
                               size_t n)
{
    otel_source_class cls;
    otel_event_classify(src, category, &cls);
    return otel_event_class_attrs(&cls, ld, attrs, n);
}

size_t otel_event_class_attrs(const otel_source_class *cls, const otel_loc_data *ld, otel_attr *attrs, size_t n)
{
    return otel_event_ld_attrs(ld, attrs, otel_event_source_class_attrs(cls, ld, attrs, n));
}

size_t otel_event_source_class_attrs(const otel_source_class *cls, const otel_loc_data *ld, otel_attr *attrs,
                                     size_t n)
{
    if (cls->source) {
        n = put_str(attrs, n, KEY(OTEL_ATTR_SOURCE), cls->source, cls->source_len);
        if (ld && ld->app_name)
            n = put_str(attrs, n, KEY(OTEL_ATTR_APP_NAME), ld->app_name, strlen(ld->app_name));
        else if (cls->app_name)
            n = put_str(attrs, n, KEY(OTEL_ATTR_APP_NAME), cls->app_name, cls->app_name_len);
        if (ld && ld->app_instance)
            n = put_str(attrs, n, KEY(OTEL_ATTR_APP_INSTANCE), ld->app_instance, strlen(ld->app_instance));
    }
    return n;
}

size_t otel_event_ld_attrs(const otel_loc_data *ld, otel_attr *attrs, size_t n)
{
    if (!ld)
        return n;
    size_t own = n;
    for (size_t i = 0; i < ld->nattrs && n < OTEL_APPEND_MAX_ATTRS; i++) {
        const otel_attr *a = &ld->attrs[i];
        int dup = !a->key || !a->key[0];
        for (size_t k = 0; k < own && !dup; k++)
            dup = strcmp(attrs[k].key, a->key) == 0;
        for (size_t k = 0; k < i && !dup; k++) /* the caller's own duplicates: first wins */
            dup = ld->attrs[k].key && strcmp(ld->attrs[k].key, a->key) == 0; /* a missing key before it */
        if (!dup) {
            attrs[n] = *a;
            attrs[n++].key_len = (uint32_t)strlen(a->key);
        }
    }
    return n;
}
