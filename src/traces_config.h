/*
 * traces_config.h - which spans are recorded and which become a
 * traces-as-logs line: the `traces` section of the JSON configuration (a
 * subset of io.Insights' traces settings), with merged filters:
 *
 *   "traces": {
 *     "enabled": true,                 // false: every span is disabled
 *     "category": "traces",            // log4c category of the lines
 *     "defaults": { "enabled": true, "log": true, "minDurationMs": 0 },
 *     "filters": [ { "source": "db", "context": { "app": "web" }, "log": false }, ... ]
 *   }
 *
 * A filter matches a span when its `source` equals the span name or is a
 * dotted prefix of it ("db" matches "db" and "db.query", not "dbx"; no
 * source matches every span) AND every key of its `context` is in the
 * span's filtering context with an equal value (JSON equality: strings,
 * numbers, booleans; 3 equals 3.0; "3" does not equal 3). Every matching
 * filter, in order, contributes the options it sets; the first to set an
 * option wins; the options no matching filter sets come from `defaults`,
 * then from the built-in defaults (enabled, log, minDurationMs 0). `log`
 * may also be an object {"enabled": bool} (io.Insights' TracesAsLogsOptions).
 *
 * A disabled span still has ids (so nested spans and records stay
 * consistent) but its sampled flag is clear and it writes no line. A span
 * shorter than minDurationMs writes no line.
 */
#ifndef LOG4C_OTEL_TRACES_CONFIG_H
#define LOG4C_OTEL_TRACES_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "config_error.h"
#include "record.h"

#define OTEL_TRACES_DEFAULT_CATEGORY "traces"

/* One value of a filter's `context`, typed as its JSON value. */
typedef enum otel_span_ctx_type { OTEL_SPAN_CTX_STRING, OTEL_SPAN_CTX_NUMBER, OTEL_SPAN_CTX_BOOL } otel_span_ctx_type;

typedef struct otel_span_ctx_value {
    char *key; /* malloc'd */
    otel_span_ctx_type type;
    char *s;       /* STRING: malloc'd, NUL-terminated */
    size_t s_len;  /* STRING */
    int is_int;    /* NUMBER: 1 when the JSON value is an integer (i holds it exactly) */
    int64_t i;     /* NUMBER with is_int */
    double d;      /* NUMBER (also set for an integer) */
    int b;         /* BOOL */
} otel_span_ctx_value;

/* One rule; -1 in a field means "not given here". */
typedef struct otel_span_rule {
    char *source; /* NULL: matches every span */
    otel_span_ctx_value *context; /* every pair must be in the span's filtering context */
    size_t ncontext;
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
    char *service_name; /* malloc'd or NULL: the `service.name` of every span's filtering context */
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

/* Sets the `service.name` the filters see in every span's filtering context
 * (a span's own pair of that key wins). Returns 0, -1 out of memory. */
int otel_traces_config_set_service_name(otel_traces_config *c, const char *service_name);

/* 1 when every pair of want is in the filtering context fctx[0..n) (then
 * service.name from the configuration) with a JSON-equal value. */
int otel_span_context_matches(const otel_traces_config *c, const otel_span_ctx_value *want, size_t nwant,
                              const otel_attr *fctx, size_t n);

/* The decision for a span named name with the filtering context
 * fctx[0..n) (string values need not be NUL-terminated): every matching
 * filter in order, the first to set an option winning, then defaults, then
 * the built-in defaults. */
void otel_traces_decide(const otel_traces_config *c, const char *name, const otel_attr *fctx, size_t n,
                        otel_span_decision *out);

/*
 * The section parser of `traces` (contract in config_error.h): parses obj
 * into *out (initialised here; free it with otel_traces_config_free even on
 * error). key_path names obj in errors, e.g. "traces". Unknown keys are
 * ignored (io.Insights has many this library does not implement). Returns
 * 0, or -1 with err set at the offending key: wrong types, negative
 * minDurationMs, a `source` that is empty or starts with '#', a `context`
 * that is not an object or has a value that is not a string, number or
 * boolean, or a string value starting with '#' (regular expressions are
 * not supported for spans: refused, not mismatched).
 */
int otel_traces_config_from_json(const json_t *obj, const char *key_path, otel_traces_config *out,
                                 otel_config_error *err);

#endif
