/*
 * stats_json.h - the test programs print log4c_otel_stats() as JSON for the
 * node tests to read; one list of the counters, so a new counter reaches
 * every program and test at once.
 */
#ifndef LOG4C_OTEL_TEST_STATS_JSON_H
#define LOG4C_OTEL_TEST_STATS_JSON_H

#include <stdio.h>
#include "log4c-otel.h"

#define STATS_JSON_FIELDS(X)                                                                                 \
    X(accepted) X(exported) X(dropped_queue_full) X(dropped_export_failed) X(dropped_rejected)             \
    X(dropped_http_error) X(dropped_shutdown) X(dropped_config) X(queued) X(export_requests)                 \
    X(export_retries) X(file_records) X(file_errors) X(filtered) X(dropped_preinit) X(dropped_reentrant)    \
    X(in_flight) X(spooled) X(dropped_spool_full) X(replayed) X(replay_dropped) X(staged)   \
    X(export_unanswered) X(line_file_errors) X(withheld) X(masked_whole) X(shed_debug) X(shed_info)        \
    X(shed_warn) X(shed_error)

/* Writes "name":value pairs, comma-separated, without braces. */
static inline void stats_json_fields(FILE *out, const log4c_otel_stats_t *s)
{
    const char *sep = "";
#define STATS_JSON_ONE(f)                                                                                    \
    fprintf(out, "%s\"" #f "\":%llu", sep, (unsigned long long)s->f);                                        \
    sep = ",";
    STATS_JSON_FIELDS(STATS_JSON_ONE)
#undef STATS_JSON_ONE
}

/* The ledger: every record taken in is in exactly one of these. */
static inline int stats_balanced(const log4c_otel_stats_t *s)
{
    return s->accepted == s->exported + s->dropped_queue_full + s->dropped_export_failed + s->dropped_rejected +
                              s->dropped_http_error + s->dropped_shutdown + s->dropped_config + s->dropped_preinit +
                              s->dropped_reentrant + s->queued + s->in_flight + s->spooled + s->dropped_spool_full;
}

#endif
