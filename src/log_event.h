/*
 * log_event.h - a log entry as the log4c glue hands it to the core: what
 * log4c's event says, in the core's terms (the core never sees log4c's
 * types). Everything is borrowed from the caller for the duration of the
 * call that takes it; whoever keeps it copies it.
 */
#ifndef LOG4C_OTEL_LOG_EVENT_H
#define LOG4C_OTEL_LOG_EVENT_H

#include "loc_data.h"
#include "record.h"

#include <stddef.h>
#include <stdint.h>

/* The per-call attributes of log4c_otel_log_at (they reach the appender as
 * an otel_loc_data of kind OTEL_LOC_DATA_ATTRS): gathered before every
 * other attribute, so they win over the record's own. */
typedef struct otel_call_attrs {
    const otel_attr *attrs;
    size_t nattrs;
} otel_call_attrs;

typedef struct otel_log_event {
    const char *category; /* never NULL */
    int priority;         /* log4c's */
    const char *message;  /* never NULL; NUL-terminated */
    uint64_t time_ns;     /* when it was logged, ns since the Unix epoch */
    /* the caller's real code location, or file NULL (log4c's plain macros
     * report log4c's own header: no code.* then) */
    const char *file;
    int line;
    const char *function;       /* may be NULL */
    const otel_loc_data *ld;    /* an app's entry or a captured line (loc_data.h), or NULL */
    const otel_call_attrs *call; /* per-call attributes, or NULL */
} otel_log_event;

#endif
