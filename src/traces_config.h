/*
 * traces_config.h - which spans are recorded and which become a
 * traces-as-logs line: the `traces` section of the JSON configuration (a
 * subset of io.Insights' traces settings), with first-match filters:
 *
 *   "traces": {
 *     "enabled": true,                 // false: every span is disabled
 *     "category": "traces",            // log4c category of the lines
 *     "defaults": { "enabled": true, "log": true, "minDurationMs": 0 },
 *     "filters": [ { "source": "db", "log": false }, ... ]
 *   }
 *
 * A filter's `source` matches when it equals the span name or is a dotted
 * prefix of it ("db" matches "db" and "db.query", not "dbx"); no source
 * matches every span. The first filter that matches wins; the options it
 * leaves out come from `defaults`, then from the built-in defaults
 * (enabled, log, minDurationMs 0). `log` may also be an object
 * {"enabled": bool} (io.Insights' TracesAsLogsOptions).
 *
 * A disabled span still has ids (so nested spans and records stay
 * consistent) but its sampled flag is clear and it writes no line. A span
 * shorter than minDurationMs writes no line.
 */
#ifndef LOG4C_OTEL_TRACES_CONFIG_H
#define LOG4C_OTEL_TRACES_CONFIG_H

#include <stddef.h>
#include <jansson.h>
#include "config_error.h"

#define OTEL_TRACES_DEFAULT_CATEGORY "traces"

/* One rule; -1 in a field means "not given here". */
typedef struct otel_span_rule {
    char *source; /* NULL: matches every span */
    int enabled;
    int log;
    long min_duration_ms;
} otel_span_rule;

typedef struct otel_traces_config {
    int enabled;    /* 0: all spans disabled */
    char *category; /* malloc'd; never NULL after init */
    otel_span_rule defaults;
    otel_span_rule *filters;
    size_t nfilters;
} otel_traces_config;

/* What applies to one span. */
typedef struct otel_span_decision {
    int enabled;
    int log;
    long min_duration_ms;
} otel_span_decision;

/* The built-in defaults. Returns 0, -1 out of memory. */
int otel_traces_config_init(otel_traces_config *c);
void otel_traces_config_free(otel_traces_config *c);

/* 1 when source equals name or is a dotted prefix of it. */
int otel_span_source_matches(const char *source, const char *name);

/* The first matching filter, completed by defaults and built-in defaults. */
void otel_traces_decide(const otel_traces_config *c, const char *name, otel_span_decision *out);

/*
 * The section parser of `traces` (contract in config_error.h): parses obj
 * into *out (initialised here; free it with otel_traces_config_free even on
 * error). key_path names obj in errors, e.g. "traces". Unknown keys are
 * ignored (io.Insights has many this library does not implement). Returns
 * 0, or -1 with err set at the offending key: wrong types, negative
 * minDurationMs, a `source` that is empty or starts with '#' (regex
 * sources are not supported: refused, not mismatched).
 */
int otel_traces_config_from_json(const json_t *obj, const char *key_path, otel_traces_config *out,
                                 otel_config_error *err);

#endif
