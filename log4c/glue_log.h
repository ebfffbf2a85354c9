/*
 * glue_log.h - how the library itself logs through log4c: entries
 * logged on behalf of applications and lines of captured output go through
 * log4c like any entry, so the user's routing and priorities apply, and
 * reach the otel appender with their extra data in loc_data (loc_data.h).
 */
#ifndef LOG4C_OTEL_GLUE_LOG_H
#define LOG4C_OTEL_GLUE_LOG_H

#include <log4c.h>
#include "loc_data.h"

/* "<prefix>.<name>" with every '.' (and control character) of name
 * replaced by '_', malloc'd; NULL when out of memory. */
char *otel_glue_category_name(const char *prefix, const char *name);

/* log4c_category_get(name), serialised under this library's lock and
 * remembered, so that repeated calls never touch log4c's unlocked table. */
log4c_category_t *otel_glue_category(const char *name);

/* Logs message (as is, not a format) in cat at priority with ld published
 * as the call's loc_data (no code location). Nothing after log4c_fini(). */
void otel_glue_log(log4c_category_t *cat, int priority, const otel_loc_data *ld, const char *message);

#endif
