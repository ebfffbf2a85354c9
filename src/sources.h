/*
 * sources.h - which "source" a log entry comes from (docs/CONFIGURATION.md,
 * "Log sources"): platform,
 * app (logged on behalf of an application), gateway or captured (output of
 * a child process), decided from the log4c category by configurable rules.
 *
 * A rule matches a category when its categoryName equals the category or is
 * a dotted prefix of it ("gw" matches "gw" and "gw.conn", not "gwx"). Rules
 * are tried in order; the first match wins; no match gives the default
 * source. A rule with app_name_from_category takes the category component
 * right after the prefix as the application name ("app.orders.db" -> app
 * "orders"). Defaults:
 *
 *     app.<name>[.…]       -> "app"       (app.name = <name>)
 *     gw, gw.*             -> "gateway"
 *     captured.<name>[.…]  -> "captured"  (app.name = <name>)
 *     anything else        -> "platform"
 *
 * Classification runs for every record built, on whichever thread builds
 * it (the export thread, a flush or the shutdown, or a logging thread in
 * blocking mode), several at once: an otel_sources caches the result per
 * category name in a lock-free table (entries are immutable once
 * published; a full table just stops caching).
 */
#ifndef LOG4C_OTEL_SOURCES_H
#define LOG4C_OTEL_SOURCES_H

#include <stddef.h>
#include "config_error.h"

/* The names of the built-in sources. */
#define OTEL_SOURCE_PLATFORM "platform"
#define OTEL_SOURCE_APP "app"
#define OTEL_SOURCE_GATEWAY "gateway"
#define OTEL_SOURCE_CAPTURED "captured"

/* The record attributes the appender adds (docs/CONFIGURATION.md). */
#define OTEL_ATTR_SOURCE "log.source"
#define OTEL_ATTR_APP_NAME "app.name"
#define OTEL_ATTR_APP_INSTANCE "app.instance"

typedef struct otel_source_rule {
    char *category;        /* categoryName: the exact name or dotted prefix */
    char *source;          /* the source name given to matching records */
    int app_name_from_category;
} otel_source_rule;

typedef struct otel_sources_config {
    int enabled;           /* 0: records carry no source attributes */
    otel_source_rule *rules;
    size_t nrules;
    char *default_source;  /* when no rule matches */
} otel_sources_config;

/* Fills *c with the defaults above. Returns 0, -1 when out of memory (*c is
 * then empty and safe to free). */
int otel_sources_config_default(otel_sources_config *c);
void otel_sources_config_free(otel_sources_config *c);

/* The JSON section parser, for the configuration loader. obj is the value
 * of the "sources" key (key_path names it in messages, e.g. "logs.sources"):
 *
 *     { "enabled": true,                  optional, default true
 *       "default": "platform",            optional, default "platform"
 *       "rules": [                        optional; when given, replaces the defaults
 *         { "categoryName": "app", "source": "app", "appNameFromCategory": true },
 *         { "categoryName": "gw",  "source": "gateway" } ] }
 *
 * Unknown keys are ignored (as everywhere in the configuration). The
 * contract of config_error.h: on success *out (which must hold a
 * configuration, e.g. the defaults) is replaced and 0 returned; on an error
 * *out is left as it was and -1 returned with err set at the offending key
 * ("out of memory" at key_path when memory ran out). Declared with a
 * forward declaration so that this header needs no jansson. */
struct json_t;
int otel_sources_config_from_json(const struct json_t *obj, const char *key_path, otel_sources_config *out,
                                  otel_config_error *err);

/* Replaces *dst with a deep copy of *src. 0, or -1 out of memory (*dst
 * untouched). */
int otel_sources_config_copy(otel_sources_config *dst, const otel_sources_config *src);

/* The result of a classification. source points into the classifier (valid
 * while it lives); app_name, when not NULL, points into the category string
 * that was classified (app_name_len bytes, not NUL-terminated). */
typedef struct otel_source_class {
    const char *source; /* NULL when sources are disabled */
    size_t source_len;  /* strlen(source) */
    const char *app_name;
    size_t app_name_len;
} otel_source_class;

typedef struct otel_sources otel_sources;

/* A classifier with its own copy of c. NULL when out of memory. */
otel_sources *otel_sources_new(const otel_sources_config *c);
/* Frees it; no classification may run concurrently. */
void otel_sources_free(otel_sources *s);

/* Classifies category (NULL = ""). Thread-safe, lock-free, allocation-free
 * once the category is cached. */
void otel_sources_classify(otel_sources *s, const char *category, otel_source_class *out);

/* Classifies without the cache (tests compare the two). */
void otel_sources_classify_uncached(const otel_sources *s, const char *category, otel_source_class *out);

#endif
