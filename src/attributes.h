/*
 * attributes.h - owned attribute lists (additionalAttributes, resource
 * additions) and the per-thread attribute context that the appender copies
 * into every record the thread logs (log4c_otel_context_put & co).
 */
#ifndef LOG4C_OTEL_ATTRIBUTES_H
#define LOG4C_OTEL_ATTRIBUTES_H

#include <stddef.h>
#include "record.h"

/* A list owning its keys and string values (NUL-terminated). */
typedef struct otel_attr_list {
    otel_attr *a;
    size_t n;
} otel_attr_list;

/* Sets a copy of *v under its key, replacing an entry with the same key.
 * 0, or -1 when out of memory (the list is unchanged). */
int otel_attr_list_set(otel_attr_list *l, const otel_attr *v);
/* Removes key; 1 when it was there, 0 when not. */
int otel_attr_list_remove(otel_attr_list *l, const char *key);
/* The entry for key, or NULL. */
const otel_attr *otel_attr_list_get(const otel_attr_list *l, const char *key);
void otel_attr_list_free(otel_attr_list *l);

/* The calling thread's context (freed when the thread exits). put copies;
 * 0, or -1 when out of memory. */
int otel_thread_attrs_put(const otel_attr *v);
int otel_thread_attrs_remove(const char *key);
void otel_thread_attrs_clear(void);
/* The calling thread's context, read-only, valid until it changes. */
const otel_attr *otel_thread_attrs(size_t *n);

#endif
