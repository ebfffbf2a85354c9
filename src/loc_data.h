/*
 * loc_data.h - what the library's own log calls pass to the otel appender
 * through log4c's free user pointer, log4c_location_info_t.loc_data.
 *
 * log4c hands the location info to every appender unchanged, so a call made
 * with log4c_category_log_locinfo() can carry data the event itself has no
 * field for: the application name and instance of an entry logged on
 * behalf of an app, the attributes of a captured line (log.iostream,
 * process.pid, ...), per-call attributes.
 *
 * The appender must never dereference a loc_data it did not get from us (a
 * user's userloc formatter may pass anything there). So a caller publishes
 * the struct for the calling thread with otel_loc_data_enter() before the
 * log4c call and withdraws it with otel_loc_data_leave() after; the
 * appender (which log4c runs synchronously on the same thread) accepts the
 * pointer only when it is the published one and carries the magic.
 *
 * Three kinds ride on it: the per-call attributes of log4c_otel_log_at()
 * (OTEL_LOC_DATA_ATTRS: gathered before the record's own attributes, so
 * they win), an entry logged on behalf of an app and a captured line (their
 * attrs are appended after the record's own, skipping keys it has).
 */
#ifndef LOG4C_OTEL_LOC_DATA_H
#define LOG4C_OTEL_LOC_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "record.h"

#define OTEL_LOC_DATA_MAGIC 0x6c346f746c6f6364ull /* "l4otlocd" */

typedef enum otel_loc_data_kind {
    OTEL_LOC_DATA_ATTRS = 0,    /* per-call attributes only */
    OTEL_LOC_DATA_APP = 1,      /* an entry logged on behalf of an application */
    OTEL_LOC_DATA_CAPTURED = 2  /* a line of captured output (or the exit record) */
} otel_loc_data_kind;

typedef struct otel_loc_data {
    uint64_t magic;          /* OTEL_LOC_DATA_MAGIC */
    otel_loc_data_kind kind;
    const char *app_name;     /* NULL: taken from the category by the source rules */
    const char *app_instance; /* NULL: none */
    const otel_attr *attrs;   /* extra record attributes (copied by the appender) */
    size_t nattrs;
} otel_loc_data;

/* Publishes d for the calling thread; returns the previous one (restore it
 * with otel_loc_data_leave). */
const otel_loc_data *otel_loc_data_enter(const otel_loc_data *d);
void otel_loc_data_leave(const otel_loc_data *previous);

/* loc_data as an otel_loc_data when it is the one the calling thread
 * published (and carries the magic); NULL otherwise. Never dereferences a
 * pointer it does not recognise. */
const otel_loc_data *otel_loc_data_get(const void *loc_data);

#endif
