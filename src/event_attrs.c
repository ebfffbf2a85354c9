/*
 * event_attrs.c - the library's own record attributes (event_attrs.h; the
 * ones every record gets are inline there).
 */
#include "event_attrs.h"
#include "sources.h"

#include <string.h>

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
