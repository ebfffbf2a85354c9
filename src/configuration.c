/*
 * configuration.c - the JSON configuration: finding and reading the sources,
 * merging them, the section table, the `logs` section parser, applying the
 * result to the exporter settings, and printing the effective settings.
 * Rules in config.h; error reporting in config_error.h.
 */
#include "configuration.h"
#include "json_file_exporter.h"
#include "line_file_settings.h"
#include "sources.h"
#include "span.h"
#include "spool.h"
#include "envsubst.h"
#include "json_pos.h"
#include "log4c-otel.h"
#include "resource.h"
#include "utf8.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- small value readers: each returns 0 or -1 with err set ------------ */

static int want_bool(const json_t *v, const char *path, int *out, otel_config_error *err)
{
    if (!json_is_boolean(v))
        return otel_config_error_set(err, path, "expected true or false, got %s", otel_json_type_name(v));
    *out = json_is_true(v);
    return 0;
}

/* An integer >= min (milliseconds, sizes, counts). */
static int want_long(const json_t *v, const char *path, long min, long *out, otel_config_error *err)
{
    if (!json_is_integer(v)) {
        if (json_is_real(v))
            return otel_config_error_set(err, path, "expected %s, got %g",
                                         min == 0 ? "a non-negative integer" : "a positive integer", json_real_value(v));
        return otel_config_error_set(err, path, "expected %s, got %s",
                                     min == 0 ? "a non-negative integer" : "a positive integer", otel_json_type_name(v));
    }
    json_int_t n = json_integer_value(v);
    if (n < min)
        return otel_config_error_set(err, path, "expected %s, got %lld",
                                     min == 0 ? "a non-negative integer" : "a positive integer", (long long)n);
    *out = n > (json_int_t)(~0ul >> 1) ? (long)(~0ul >> 1) : (long)n;
    return 0;
}

/* A string with %VAR% references expanded. *out NULL (and a warning) when a
 * variable is unset without fallback and unset_ok; an error otherwise. */
static int want_string(const json_t *v, const char *path, int expand, int unset_ok, char **out, otel_getenv_fn get,
                       otel_config_error *err)
{
    *out = NULL;
    if (!json_is_string(v))
        return otel_config_error_set(err, path, "expected a string, got %s", otel_json_type_name(v));
    if (!expand) {
        if (!(*out = strdup(json_string_value(v))))
            return otel_config_error_set(err, path, "out of memory");
        return 0;
    }
    char missing[128];
    int rc = otel_env_substitute(json_string_value(v), get, out, missing, sizeof missing);
    if (rc == OTEL_SUBST_NOMEM)
        return otel_config_error_set(err, path, "out of memory");
    if (rc == OTEL_SUBST_UNSET) {
        if (!unset_ok)
            return otel_config_error_set(err, path,
                                         "environment variable %s is not set and has no fallback (%%%s?fallback%%)",
                                         missing, missing);
        otel_config_warn(err, path, "environment variable %s is not set and has no fallback: omitted", missing);
    }
    return 0;
}

static int note_ignored(otel_config_error *err, const char *path)
{
    if (err && err->note)
        err->note(err->note_ctx, OTEL_CONFIG_NOTE_UNKNOWN_KEY, path,
                  "an io.Insights setting log4c-otel does not support, ignored");
    return 0;
}

/* ---- attributes -------------------------------------------------------- */

/* Adds value v under key to l: scalars as they are, strings expanded,
 * nested objects flattened to dotted keys down to max_depth levels (-1: no
 * limit), arrays as their compact JSON text, null omitted. */
static int add_attr_value(otel_attr_list *l, const char *key, const json_t *v, const char *path, long depth,
                          long max_depth, otel_getenv_fn get, otel_config_error *err)
{
    otel_attr a;
    memset(&a, 0, sizeof a);
    a.key = key;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        char *s;
        if (want_string(v, path, 1, 1, &s, get, err))
            return -1;
        if (!s)
            return 0; /* unset variable: the attribute is omitted (warned) */
        a.type = OTEL_VALUE_STRING;
        a.v.str.s = s;
        a.v.str.s_len = strlen(s);
        int rc = otel_attr_list_set(l, &a);
        free(s);
        return rc ? otel_config_error_set(err, path, "out of memory") : 0;
    }
    case JSON_INTEGER:
        a.type = OTEL_VALUE_INT;
        a.v.i = (int64_t)json_integer_value(v);
        break;
    case JSON_REAL:
        a.type = OTEL_VALUE_DOUBLE;
        a.v.d = json_real_value(v);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        a.type = OTEL_VALUE_BOOL;
        a.v.b = json_is_true(v);
        break;
    case JSON_NULL:
        return 0;
    case JSON_ARRAY: {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s)
            return otel_config_error_set(err, path, "out of memory");
        a.type = OTEL_VALUE_STRING;
        a.v.str.s = s;
        a.v.str.s_len = strlen(s);
        int rc = otel_attr_list_set(l, &a);
        free(s);
        return rc ? otel_config_error_set(err, path, "out of memory") : 0;
    }
    case JSON_OBJECT: {
        if (max_depth >= 0 && depth >= max_depth) {
            otel_config_warn(err, path, "nested deeper than maxAttributeDepth (%ld): omitted", max_depth);
            return 0;
        }
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            size_t n = strlen(key) + 1 + strlen(k) + 1;
            char *sub = malloc(n);
            char mp[OTEL_CONFIG_PATH_MAX];
            if (!sub)
                return otel_config_error_set(err, path, "out of memory");
            snprintf(sub, n, "%s.%s", key, k);
            otel_config_path_member(mp, sizeof mp, path, k);
            int rc = add_attr_value(l, sub, m, mp, depth + 1, max_depth, get, err);
            free(sub);
            if (rc)
                return -1;
        }
        return 0;
    }
    }
    return otel_attr_list_set(l, &a) ? otel_config_error_set(err, path, "out of memory") : 0;
}

static int want_attrs(const json_t *v, const char *path, long max_depth, otel_attr_list *l, otel_getenv_fn get,
                      otel_config_error *err)
{
    if (!json_is_object(v))
        return otel_config_error_set(err, path, "expected an object of attribute names and values, got %s",
                                     otel_json_type_name(v));
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
        char mp[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(mp, sizeof mp, path, k);
        if (!*k)
            return otel_config_error_set(err, mp, "expected a non-empty attribute name");
        if (add_attr_value(l, k, m, mp, 0, max_depth, get, err))
            return -1;
    }
    return 0;
}

static int want_headers(const json_t *v, const char *path, otel_attr_list *l, otel_getenv_fn get,
                        otel_config_error *err)
{
    if (!json_is_object(v))
        return otel_config_error_set(err, path, "expected an object of header names and string values, got %s",
                                     otel_json_type_name(v));
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
        char mp[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(mp, sizeof mp, path, k);
        if (!*k || strpbrk(k, " \t\r\n:"))
            return otel_config_error_set(err, mp, "expected a valid HTTP header name");
        char *s;
        if (!json_is_string(m)) /* never echo a header value */
            return otel_config_error_set(err, mp, "expected a string header value, got %s", otel_json_type_name(m));
        if (want_string(m, mp, 1, 1, &s, get, err))
            return -1;
        if (!s)
            continue; /* unset variable: header omitted (warned) */
        if (strpbrk(s, "\r\n")) {
            free(s);
            return otel_config_error_set(err, mp, "expected a header value without line breaks");
        }
        otel_attr a = {.key = k, .type = OTEL_VALUE_STRING, .v.str = {s, strlen(s)}};
        int rc = otel_attr_list_set(l, &a);
        free(s);
        if (rc)
            return otel_config_error_set(err, mp, "out of memory");
    }
    return 0;
}

static int want_url(const json_t *v, const char *path, char **out, otel_getenv_fn get, otel_config_error *err)
{
    char *s;
    if (want_string(v, path, 1, 0, &s, get, err))
        return -1;
    if (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0) {
        free(s);
        return otel_config_error_set(err, path, "expected a URL starting with http:// or https://");
    }
    free(*out);
    *out = s;
    return 0;
}

static int want_compression(const json_t *v, const char *path, int *out, otel_config_error *err)
{
    if (json_is_string(v) && strcmp(json_string_value(v), "gzip") == 0)
        *out = OTEL_COMPRESSION_GZIP;
    else if (json_is_string(v) && strcmp(json_string_value(v), "none") == 0)
        *out = OTEL_COMPRESSION_NONE;
    else
        return otel_config_error_set(err, path, "expected \"none\" or \"gzip\", got %s%s%s",
                                     json_is_string(v) ? "\"" : "",
                                     json_is_string(v) ? json_string_value(v) : otel_json_type_name(v),
                                     json_is_string(v) ? "\"" : "");
    return 0;
}

static int want_object(const json_t *v, const char *path, otel_config_error *err)
{
    if (!json_is_object(v))
        return otel_config_error_set(err, path, "expected an object, got %s", otel_json_type_name(v));
    return 0;
}

/* ---- the logs section -------------------------------------------------- */

void otel_logs_config_init(otel_logs_config *l)
{
    memset(l, 0, sizeof *l);
    l->enabled = l->compression = l->keep_alive = l->add_resource_attrs_to_attrs = l->log_settings_on_startup = -1;
    l->timeout_ms = l->max_queue_size = l->max_export_batch_size = l->scheduled_delay_ms = l->export_timeout_ms = -1;
    l->force_flush_timeout_ms = l->attr_value_length_limit = l->attr_count_limit = -1;
    l->max_attribute_depth = l->final_export_timeout_ms = l->block_timeout_ms = -1;
    l->filters.defaults.enabled = -1;
    l->spool_max_bytes = -1;
}

void otel_logs_config_free(otel_logs_config *l)
{
    free(l->url);
    free(l->spool_dir);
    otel_attr_list_free(&l->headers);
    otel_filter_set_free(&l->filters);
    otel_attr_list_free(&l->additional_attributes);
    otel_attr_list_free(&l->additional_resource_attributes);
    otel_logs_config_init(l);
}

static int exporter_settings(const json_t *obj, const char *path, otel_logs_config *l, otel_config_error *err,
                             otel_getenv_fn get)
{
    if (want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        int rc = 0;
        if (strcmp(k, "url") == 0)
            rc = want_url(v, p, &l->url, get, err);
        else if (strcmp(k, "headers") == 0)
            rc = want_headers(v, p, &l->headers, get, err);
        else if (strcmp(k, "timeoutMillis") == 0)
            rc = want_long(v, p, 1, &l->timeout_ms, err);
        else if (strcmp(k, "compression") == 0)
            rc = want_compression(v, p, &l->compression, err);
        else if (strcmp(k, "keepAlive") == 0)
            rc = want_bool(v, p, &l->keep_alive, err);
        else if (strcmp(k, "concurrencyLimit") == 0 || strcmp(k, "httpsAgentOptions") == 0)
            note_ignored(err, p);
        else
            otel_config_unknown_key(err, p);
        if (rc)
            return -1;
    }
    return 0;
}

static int batch_settings(const json_t *obj, const char *path, otel_logs_config *l, otel_config_error *err)
{
    if (want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        int rc = 0;
        if (strcmp(k, "maxQueueSize") == 0)
            rc = want_long(v, p, 1, &l->max_queue_size, err);
        else if (strcmp(k, "maxExportBatchSize") == 0)
            rc = want_long(v, p, 1, &l->max_export_batch_size, err);
        else if (strcmp(k, "scheduledDelayMillis") == 0)
            rc = want_long(v, p, 0, &l->scheduled_delay_ms, err);
        else if (strcmp(k, "exportTimeoutMillis") == 0)
            rc = want_long(v, p, 1, &l->export_timeout_ms, err);
        else if (strcmp(k, "blockTimeoutMillis") == 0) /* issue 6 */
            rc = want_long(v, p, 0, &l->block_timeout_ms, err);
        else
            otel_config_unknown_key(err, p);
        if (rc)
            return -1;
    }
    return 0;
}

/* logs.spool (issue 6): { "directory": "/var/spool/app", "maxBytes": 268435456 | "256M" } */
static int spool_settings(const json_t *obj, const char *path, otel_logs_config *l, otel_config_error *err,
                          otel_getenv_fn get)
{
    if (want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        if (strcmp(k, "directory") == 0) {
            char *d;
            if (!json_is_string(v))
                return otel_config_error_set(err, p, "expected a directory path (a string; \"\" = no spool), got %s",
                                             otel_json_type_name(v));
            if (want_string(v, p, 1, 1, &d, get, err))
                return -1;
            free(l->spool_dir);
            l->spool_dir = d ? d : strdup("");
            if (!l->spool_dir)
                return otel_config_error_set(err, p, "out of memory");
        } else if (strcmp(k, "maxBytes") == 0) {
            uint64_t n = 0;
            if (otel_json_size(v, &n) != 0 || n < OTEL_SPOOL_MIN_MAX_BYTES || n > (uint64_t)LLONG_MAX)
                return otel_config_error_set(err, p, "expected a size of at least 64K (such as 268435456 or \"256M\")");
            l->spool_max_bytes = (long long)n;
        } else
            otel_config_unknown_key(err, p);
    }
    return 0;
}

static int provider_settings(const json_t *obj, const char *path, otel_logs_config *l, otel_config_error *err)
{
    if (want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        int rc = 0;
        if (strcmp(k, "forceFlushTimeoutMillis") == 0) {
            rc = want_long(v, p, 0, &l->force_flush_timeout_ms, err);
        } else if (strcmp(k, "logRecordLimits") == 0) {
            if (want_object(v, p, err))
                return -1;
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                char p2[OTEL_CONFIG_PATH_MAX];
                otel_config_path_member(p2, sizeof p2, p, k2);
                if (strcmp(k2, "attributeValueLengthLimit") == 0)
                    rc = want_long(v2, p2, 1, &l->attr_value_length_limit, err);
                else if (strcmp(k2, "attributeCountLimit") == 0)
                    rc = want_long(v2, p2, 0, &l->attr_count_limit, err);
                else
                    otel_config_unknown_key(err, p2);
                if (rc)
                    return -1;
            }
        } else if (strcmp(k, "resource") == 0) {
            note_ignored(err, p);
        } else {
            otel_config_unknown_key(err, p);
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int filters(const json_t *v, const char *path, otel_logs_config *l, otel_config_error *err)
{
    if (!json_is_array(v))
        return otel_config_error_set(err, path, "expected an array of filter objects, got %s", otel_json_type_name(v));
    /* only the rules are replaced (defaults are a key of their own) */
    for (size_t i = 0; i < l->filters.nrules; i++)
        otel_filter_rule_free(&l->filters.rules[i]);
    free(l->filters.rules);
    l->filters.rules = NULL;
    l->filters.nrules = 0;
    size_t n = json_array_size(v);
    l->filters.rules = calloc(n ? n : 1, sizeof *l->filters.rules);
    if (!l->filters.rules)
        return otel_config_error_set(err, path, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_index(p, sizeof p, path, i);
        l->filters.nrules = i + 1;
        if (otel_filter_rule_from_json(json_array_get(v, i), p, &l->filters.rules[i], 0, err))
            return -1;
    }
    l->filters.nrules = n;
    return 0;
}

/* The keys the top-level `otel` object shares with `logs`. Returns 0 when
 * handled, 1 when k is not one of them, -1 on error. */
static int shared_key(const char *k, const json_t *v, const char *p, otel_logs_config *l, otel_config_error *err,
                      otel_getenv_fn get, long max_depth)
{
    int rc;
    if (strcmp(k, "headers") == 0)
        rc = want_headers(v, p, &l->headers, get, err);
    else if (strcmp(k, "additionalAttributes") == 0)
        rc = want_attrs(v, p, max_depth, &l->additional_attributes, get, err);
    else if (strcmp(k, "additionalResourceAttributes") == 0)
        rc = want_attrs(v, p, max_depth, &l->additional_resource_attributes, get, err);
    else if (strcmp(k, "addResourceAttributesToAttributes") == 0)
        rc = want_bool(v, p, &l->add_resource_attrs_to_attrs, err);
    else if (strcmp(k, "finalExportTimeoutMs") == 0)
        rc = want_long(v, p, 0, &l->final_export_timeout_ms, err);
    else if (strcmp(k, "logSettingsOnStartup") == 0)
        rc = want_bool(v, p, &l->log_settings_on_startup, err);
    else if (strcmp(k, "useSSOAuth") == 0 || strcmp(k, "useSSOAuthRawToken") == 0)
        rc = note_ignored(err, p);
    else
        return 1;
    return rc;
}

int otel_logs_config_from_json(const json_t *obj, const char *key_path, otel_logs_config *l,
                               otel_config_error *err, otel_getenv_fn get)
{
    if (want_object(obj, key_path, err))
        return -1;
    char p[OTEL_CONFIG_PATH_MAX];
    /* maxAttributeDepth shapes how the attribute objects are read: first */
    json_t *mad = json_object_get(obj, "maxAttributeDepth");
    if (mad) {
        otel_config_path_member(p, sizeof p, key_path, "maxAttributeDepth");
        if (want_long(mad, p, 0, &l->max_attribute_depth, err))
            return -1;
    }
    long publish_interval = -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        otel_config_path_member(p, sizeof p, key_path, k);
        int rc = shared_key(k, v, p, l, err, get, l->max_attribute_depth);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        rc = 0;
        if (strcmp(k, "maxAttributeDepth") == 0)
            continue;
        else if (strcmp(k, "enabled") == 0)
            rc = want_bool(v, p, &l->enabled, err);
        else if (strcmp(k, "url") == 0) {
            if (!json_object_get(json_object_get(obj, "exporterSettings"), "url")) /* exporterSettings.url wins */
                rc = want_url(v, p, &l->url, get, err);
            else {
                char *tmp = NULL;
                rc = want_url(v, p, &tmp, get, err);
                free(tmp);
            }
        } else if (strcmp(k, "compression") == 0)
            rc = want_compression(v, p, &l->compression, err);
        else if (strcmp(k, "timeoutMillis") == 0)
            rc = want_long(v, p, 1, &l->timeout_ms, err);
        else if (strcmp(k, "keepAlive") == 0)
            rc = want_bool(v, p, &l->keep_alive, err);
        else if (strcmp(k, "exporterSettings") == 0)
            continue; /* after the loop: it wins over url/headers/... */
        else if (strcmp(k, "sources") == 0 || strcmp(k, "file") == 0)
            continue; /* sections of their own (SECTIONS in parse_root) */
        else if (strcmp(k, "batchSettings") == 0 || strcmp(k, "processorSettings") == 0)
            rc = batch_settings(v, p, l, err);
        else if (strcmp(k, "spool") == 0) /* issue 6 */
            rc = spool_settings(v, p, l, err, get);
        else if (strcmp(k, "providerSettings") == 0 || strcmp(k, "loggerProviderSettings") == 0)
            rc = provider_settings(v, p, l, err);
        else if (strcmp(k, "filters") == 0)
            rc = filters(v, p, l, err);
        else if (strcmp(k, "defaults") == 0) {
            otel_filter_rule_free(&l->filters.defaults);
            rc = otel_filter_rule_from_json(v, p, &l->filters.defaults, 1, err);
        } else if (strcmp(k, "publishInterval") == 0)
            rc = want_long(v, p, 0, &publish_interval, err);
        else if (strcmp(k, "concurrencyLimit") == 0 || strcmp(k, "useDefaultFilters") == 0 ||
                 strcmp(k, "levelCountMetric") == 0 || strcmp(k, "startupTraceAssociationTimeoutMs") == 0)
            note_ignored(err, p);
        else
            otel_config_unknown_key(err, p);
        if (rc)
            return -1;
    }
    json_t *es = json_object_get(obj, "exporterSettings");
    if (es) {
        otel_config_path_member(p, sizeof p, key_path, "exporterSettings");
        if (exporter_settings(es, p, l, err, get))
            return -1;
    }
    if (publish_interval >= 0 && l->scheduled_delay_ms < 0)
        l->scheduled_delay_ms = publish_interval;
    otel_filter_set_resolve(&l->filters);
    return 0;
}

/* ---- the document: shapes, sections, sources ---------------------------- */

void otel_config_init(otel_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->enabled = -1;
    otel_logs_config_init(&cfg->logs);
}

void otel_config_free(otel_config *cfg)
{
    otel_logs_config_free(&cfg->logs);
    if (cfg->traces) {
        otel_traces_config_free(cfg->traces);
        free(cfg->traces);
    }
    json_decref(cfg->log_sources);
    json_decref(cfg->file);
    json_decref(cfg->appenders);
    for (size_t i = 0; i < cfg->nnotes; i++)
        free(cfg->notes[i].text);
    free(cfg->notes);
    free(cfg->sources);
    otel_config_init(cfg);
}

int otel_config_logs_enabled(const otel_config *cfg) { return cfg->enabled != 0 && cfg->logs.enabled != 0; }

static void add_note(void *ctx, otel_config_note_kind kind, const char *path, const char *msg)
{
    otel_config *cfg = ctx;
    size_t len = strlen(path) + strlen(msg) + 3;
    char *t = malloc(len);
    if (!t)
        return;
    snprintf(t, len, "%s: %s", path, msg);
    for (size_t i = 0; i < cfg->nnotes; i++) /* each once */
        if (cfg->notes[i].kind == kind && strcmp(cfg->notes[i].text, t) == 0) {
            free(t);
            return;
        }
    otel_config_note *n = realloc(cfg->notes, (cfg->nnotes + 1) * sizeof *n);
    if (!n) {
        free(t);
        return;
    }
    cfg->notes = n;
    n[cfg->nnotes].kind = kind;
    n[cfg->nnotes].text = t;
    cfg->nnotes++;
}

/* Sections of the merged root object, parsed in this order after the keys
 * `otel` shares with `logs`. To add one (e.g. "traces", "sources"): write
 * otel_<name>_config_from_json (config_error.h), a field in otel_config,
 * and a row here. */
typedef int (*section_parser)(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                              otel_getenv_fn get);

static int logs_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                        otel_getenv_fn get)
{
    return otel_logs_config_from_json(obj, key_path, &cfg->logs, err, get);
}

/* The parsers of issues 4 and 5 write a sentence into a buffer; the error
 * then points at their section. */
static int section_error(otel_config_error *err, const char *key_path, const char *msg)
{
    return otel_config_error_set(err, key_path, "%s", msg[0] ? msg : "invalid section");
}

static int traces_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                          otel_getenv_fn get)
{
    (void)get;
    char msg[OTEL_CONFIG_MESSAGE_MAX] = "";
    cfg->traces = calloc(1, sizeof *cfg->traces);
    if (!cfg->traces)
        return otel_config_error_set(err, key_path, "out of memory");
    if (otel_traces_config_from_json(obj, key_path, cfg->traces, msg, sizeof msg) != 0)
        return section_error(err, key_path, msg);
    return 0;
}

/* logs.sources: validated now, applied to each instance's settings. */
static int sources_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                           otel_getenv_fn get)
{
    (void)get;
    char msg[OTEL_CONFIG_MESSAGE_MAX] = "";
    otel_sources_config probe;
    int rc = otel_sources_config_default(&probe);
    if (rc == 0)
        rc = otel_sources_config_from_json(obj, key_path, &probe, msg, sizeof msg);
    otel_sources_config_free(&probe);
    if (rc != 0)
        return section_error(err, key_path, msg[0] ? msg : "out of memory");
    cfg->log_sources = json_incref((json_t *)obj);
    return 0;
}

/* logs.file: validated now on the defaults, applied over the environment
 * by otel_config_apply (defaults -> env -> JSON). */
static int file_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                        otel_getenv_fn get)
{
    (void)get;
    char msg[OTEL_CONFIG_MESSAGE_MAX] = "";
    otel_json_file_settings probe;
    otel_json_file_settings_init(&probe);
    int rc = otel_json_file_settings_from_json(obj, key_path, &probe, msg, sizeof msg);
    otel_json_file_settings_free(&probe);
    if (rc != 0)
        return section_error(err, key_path, msg);
    cfg->file = json_incref((json_t *)obj);
    return 0;
}

/* "appenders": { "<otel_file appender name>": { maxLogSize, backups, fsync, mode } } */
static int appenders_section(const json_t *obj, const char *key_path, otel_config *cfg, otel_config_error *err,
                             otel_getenv_fn get)
{
    (void)get;
    if (!json_is_object(obj))
        return otel_config_error_set(err, key_path, "expected an object keyed by appender name");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)obj, name, v) {
        char p[OTEL_CONFIG_PATH_MAX], msg[OTEL_CONFIG_MESSAGE_MAX] = "";
        otel_config_path_member(p, sizeof p, key_path, name);
        otel_line_file_settings probe;
        otel_line_file_settings_defaults(&probe);
        if (otel_line_file_settings_from_json(v, p, &probe, msg, sizeof msg) != 0)
            return section_error(err, p, msg);
    }
    cfg->appenders = json_incref((json_t *)obj);
    return 0;
}

static const struct {
    const char *name; /* a member of the root, or "logs.<member>" */
    section_parser parse;
} SECTIONS[] = {
    {"logs", logs_section},
    {"logs.sources", sources_section},
    {"logs.file", file_section},
    {"traces", traces_section},
    {"appenders", appenders_section},
};

/* The value of a SECTIONS name in the merged root. */
static json_t *section_value(const json_t *root, const char *name)
{
    if (strncmp(name, "logs.", 5) == 0)
        return json_object_get(json_object_get(root, "logs"), name + 5);
    return json_object_get(root, name);
}

/* Root keys that are io.Insights settings for other signals or for the
 * platform: accepted and ignored. */
static const char *const ROOT_IGNORED[] = {
    "errorlessMode", "failOnInitError", "finalExportGracePeriodMs", "platformVersion", "metrics",
};

static int parse_root(const json_t *root, otel_config *cfg, otel_config_error *err, otel_getenv_fn get)
{
    const char *k;
    json_t *v;
    long depth = -1;
    json_t *mad = json_object_get(json_object_get(root, "logs"), "maxAttributeDepth");
    if (json_is_integer(mad) && json_integer_value(mad) >= 0)
        depth = (long)json_integer_value(mad);
    json_object_foreach((json_t *)root, k, v) {
        int rc = 0, known = 0;
        for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++)
            known |= strcmp(k, SECTIONS[i].name) == 0;
        if (known)
            continue;
        if (strcmp(k, "enabled") == 0) {
            rc = want_bool(v, k, &cfg->enabled, err);
        } else if (strcmp(k, "serviceName") == 0 || strcmp(k, "serviceId") == 0 || strcmp(k, "serviceVersion") == 0 ||
                   strcmp(k, "userId") == 0) {
            static const char *const map[][2] = {{"serviceName", "service.name"},
                                                 {"serviceId", "service.instance.id"},
                                                 {"serviceVersion", "service.version"},
                                                 {"userId", "user.id"}};
            char *s;
            rc = want_string(v, k, 1, 1, &s, get, err);
            if (!rc && s) {
                for (size_t i = 0; i < 4; i++)
                    if (strcmp(k, map[i][0]) == 0) {
                        otel_attr a = {.key = map[i][1], .type = OTEL_VALUE_STRING, .v.str = {s, strlen(s)}};
                        if (otel_attr_list_set(&cfg->logs.additional_resource_attributes, &a))
                            rc = otel_config_error_set(err, k, "out of memory");
                    }
                free(s);
            }
        } else if ((rc = shared_key(k, v, k, &cfg->logs, err, get, depth)) == 1) {
            rc = 0;
            int ignored = 0;
            for (size_t i = 0; i < sizeof ROOT_IGNORED / sizeof ROOT_IGNORED[0]; i++)
                ignored |= strcmp(k, ROOT_IGNORED[i]) == 0;
            if (ignored)
                note_ignored(err, k);
            else
                otel_config_unknown_key(err, k);
        }
        if (rc)
            return -1;
    }
    for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) {
        json_t *s = section_value(root, SECTIONS[i].name);
        if (s && SECTIONS[i].parse(s, SECTIONS[i].name, cfg, err, get))
            return -1;
    }
    return 0;
}

/* One JSON source: its text (for positions), its document, and how its
 * paths map to the merged root's ("otel.logs.x" <-> "logs.x"). */
typedef enum { SHAPE_BARE_LOGS, SHAPE_LOGS_DOC, SHAPE_OTEL_DOC } shape;

typedef struct source {
    char name[OTEL_CONFIG_FILE_MAX];
    char *text;
    size_t len;
    json_t *doc;
    json_t *root; /* new reference: the normalized root {"enabled"?, "logs": {...}, ...} */
    shape shape;
} source;

static void source_free(source *s)
{
    free(s->text);
    json_decref(s->doc);
    json_decref(s->root);
    memset(s, 0, sizeof *s);
}

/* The path in the source's own document for a root path; 0, or -1 when the
 * source cannot hold it (a bare logs object has no root keys). */
static int source_path(const source *s, const char *root_path, char *out, size_t len)
{
    switch (s->shape) {
    case SHAPE_LOGS_DOC:
        snprintf(out, len, "%s", root_path);
        return 0;
    case SHAPE_OTEL_DOC:
        snprintf(out, len, "otel%s%s", root_path[0] && root_path[0] != '[' ? "." : "", root_path);
        return 0;
    case SHAPE_BARE_LOGS:
        if (strcmp(root_path, "logs") == 0) {
            out[0] = '\0';
            return 0;
        }
        if (strncmp(root_path, "logs.", 5) == 0 || strncmp(root_path, "logs[", 5) == 0) {
            snprintf(out, len, "%s", root_path + (root_path[4] == '.' ? 5 : 4));
            return 0;
        }
        return -1;
    }
    return -1;
}

/* Reads a file into s->text; 0 or -1 with err set. */
static int read_file(source *s, const char *path, otel_config_error *err)
{
    snprintf(s->name, sizeof s->name, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->file, sizeof err->file, "%s", path);
        return otel_config_error_set(err, "", "cannot open the configuration file: %s", strerror(errno));
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            if (cap >= OTEL_CONFIG_MAX_BYTES) {
                fclose(f);
                free(buf);
                snprintf(err->file, sizeof err->file, "%s", path);
                return otel_config_error_set(err, "", "the configuration file is larger than %u bytes",
                                             OTEL_CONFIG_MAX_BYTES);
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) {
        snprintf(err->file, sizeof err->file, "%s", path);
        return otel_config_error_set(err, "", "out of memory");
    }
    if (bad) {
        free(buf);
        snprintf(err->file, sizeof err->file, "%s", path);
        return otel_config_error_set(err, "", "cannot read the configuration file");
    }
    buf[len] = '\0';
    s->text = buf;
    s->len = len;
    return 0;
}

/* Parses s->text and normalizes it to a root object. */
static int parse_source(source *s, otel_config_error *err)
{
    json_error_t je;
    s->doc = json_loadb(s->text, s->len, JSON_REJECT_DUPLICATES, &je);
    if (!s->doc) {
        snprintf(err->file, sizeof err->file, "%s", s->name);
        err->line = je.line > 0 ? je.line : 0;
        err->column = je.column > 0 ? je.column : 0;
        return otel_config_error_set(err, "", "invalid JSON: %s", je.text);
    }
    if (!json_is_object(s->doc)) {
        snprintf(err->file, sizeof err->file, "%s", s->name);
        err->line = err->column = 1;
        return otel_config_error_set(err, "", "expected a JSON object (the logs settings, {\"logs\": ...} or "
                                              "{\"otel\": ...}), got %s", otel_json_type_name(s->doc));
    }
    json_t *otel = json_object_get(s->doc, "otel");
    json_t *logs = json_object_get(s->doc, "logs");
    if (otel) {
        s->shape = SHAPE_OTEL_DOC;
        if (!json_is_object(otel)) {
            snprintf(err->file, sizeof err->file, "%s", s->name);
            otel_json_locate(s->text, s->len, "otel", &err->line, &err->column);
            return otel_config_error_set(err, "otel", "expected an object, got %s", otel_json_type_name(otel));
        }
        s->root = json_incref(otel);
    } else if (json_is_object(logs)) {
        s->shape = SHAPE_LOGS_DOC;
        s->root = json_incref(s->doc);
    } else {
        s->shape = SHAPE_BARE_LOGS;
        s->root = json_object();
        if (!s->root || json_object_set(s->root, "logs", s->doc) != 0) {
            snprintf(err->file, sizeof err->file, "%s", s->name);
            return otel_config_error_set(err, "", "out of memory");
        }
    }
    return 0;
}

/* dst := dst merged with src: objects member by member, recursively;
 * anything else replaces. */
static int merge(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v) {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v)) {
            json_t *copy = json_deep_copy(d); /* never modify a source's own document */
            if (!copy || merge(copy, v) != 0 || json_object_set_new(dst, k, copy) != 0)
                return -1;
        } else if (json_object_set(dst, k, v) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Fills err's file/line/column (and rewrites its key path as the source
 * writes it) from the last source that holds the path. */
static void locate(otel_config_error *err, source *srcs, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        char p[OTEL_CONFIG_PATH_MAX];
        int line, col;
        if (source_path(&srcs[i], err->key_path, p, sizeof p) != 0)
            continue;
        if (otel_json_locate(srcs[i].text, srcs[i].len, p, &line, &col) == 0) {
            snprintf(err->file, sizeof err->file, "%s", srcs[i].name);
            err->line = line;
            err->column = col;
            snprintf(err->key_path, sizeof err->key_path, "%s", p);
            return;
        }
    }
    if (n) { /* not in any text (e.g. a value built from several): name the last source */
        char p[OTEL_CONFIG_PATH_MAX];
        snprintf(err->file, sizeof err->file, "%s", srcs[n - 1].name);
        if (source_path(&srcs[n - 1], err->key_path, p, sizeof p) == 0)
            snprintf(err->key_path, sizeof err->key_path, "%s", p);
    }
}

/* The file the search path gives: LOG4C_OTEL_CONFIG, else log4c-otel.json
 * in $LOG4C_RCPATH, $HOME, ".". 1 found (path in out), 0 none. */
static int discover(otel_getenv_fn get, char *out, size_t len)
{
    const char *explicit_path = get("LOG4C_OTEL_CONFIG");
    if (explicit_path && *explicit_path) {
        snprintf(out, len, "%s", explicit_path);
        return 1;
    }
    const char *dirs[] = {get("LOG4C_RCPATH"), get("HOME"), "."};
    for (size_t i = 0; i < 3; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        struct stat st;
        snprintf(out, len, "%s/%s", dirs[i], OTEL_CONFIG_FILE_NAME);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
            return 1;
    }
    return 0;
}

static int load_sources(otel_config *cfg, source *srcs, size_t n, otel_getenv_fn get, otel_config_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (parse_source(&srcs[i], err))
            return LOG4C_OTEL_ECONFIG;
    if (n == 0)
        return 0;
    json_t *root = json_deep_copy(srcs[0].root);
    if (!root)
        return LOG4C_OTEL_ENOMEM;
    for (size_t i = 1; i < n; i++)
        if (merge(root, srcs[i].root) != 0) {
            json_decref(root);
            return LOG4C_OTEL_ENOMEM;
        }
    size_t names = 1;
    for (size_t i = 0; i < n; i++)
        names += strlen(srcs[i].name) + 2;
    cfg->sources = malloc(names);
    if (cfg->sources) {
        cfg->sources[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            if (i)
                strcat(cfg->sources, ", ");
            strcat(cfg->sources, srcs[i].name);
        }
    }
    void (*note)(void *, otel_config_note_kind, const char *, const char *) = err->note;
    void *note_ctx = err->note_ctx;
    if (!note) {
        err->note = add_note;
        err->note_ctx = cfg;
    }
    int rc = parse_root(root, cfg, err, get);
    err->note = note;
    err->note_ctx = note_ctx;
    json_decref(root);
    if (rc) {
        if (strcmp(err->message, "out of memory") == 0)
            return LOG4C_OTEL_ENOMEM;
        locate(err, srcs, n);
        return LOG4C_OTEL_ECONFIG;
    }
    /* rewrite the notes' paths as the (last) source writes them */
    for (size_t i = 0; i < cfg->nnotes; i++) {
        char *t = cfg->notes[i].text;
        char *colon = strstr(t, ": ");
        if (!colon)
            continue;
        *colon = '\0';
        char p[OTEL_CONFIG_PATH_MAX];
        int mapped = -1;
        for (size_t s = n; s-- > 0 && mapped != 0;)
            if (source_path(&srcs[s], t, p, sizeof p) == 0) {
                int l, c;
                if (otel_json_locate(srcs[s].text, srcs[s].len, p, &l, &c) == 0) {
                    size_t len = strlen(srcs[s].name) + strlen(p) + strlen(colon + 2) + 64;
                    char *nt = malloc(len);
                    if (nt) {
                        snprintf(nt, len, "%s:%d:%d: %s: %s", srcs[s].name, l, c, p, colon + 2);
                        free(t);
                        cfg->notes[i].text = t = nt;
                        mapped = 0;
                    }
                }
            }
        if (mapped != 0)
            *colon = ':';
    }
    return 0;
}

int otel_config_load(otel_config *cfg, const otel_config_request *req, otel_getenv_fn get, otel_config_error *err)
{
    otel_config_error local;
    if (!err) {
        memset(&local, 0, sizeof local);
        err = &local;
    }
    otel_config_error_clear(err);
    source srcs[3];
    size_t n = 0;
    memset(srcs, 0, sizeof srcs);
    int rc = 0;
    char path[OTEL_CONFIG_FILE_MAX];
    if (req->discover && discover(get, path, sizeof path)) {
        if (read_file(&srcs[n], path, err)) {
            rc = LOG4C_OTEL_ECONFIG;
            goto out;
        }
        n++;
    }
    if (req->path) {
        if (read_file(&srcs[n], req->path, err)) {
            rc = LOG4C_OTEL_ECONFIG;
            goto out;
        }
        n++;
    }
    if (req->json) {
        snprintf(srcs[n].name, sizeof srcs[n].name, "<json string>");
        srcs[n].len = strlen(req->json);
        if (!(srcs[n].text = strdup(req->json))) {
            rc = LOG4C_OTEL_ENOMEM;
            goto out;
        }
        n++;
    }
    rc = load_sources(cfg, srcs, n, get, err);
out:
    for (size_t i = 0; i < 3; i++)
        source_free(&srcs[i]);
    return rc;
}

int otel_config_load_text(otel_config *cfg, const char *name, const char *text, size_t len, otel_getenv_fn get,
                          otel_config_error *err)
{
    otel_config_error local;
    if (!err) {
        memset(&local, 0, sizeof local);
        err = &local;
    }
    otel_config_error_clear(err);
    source s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "%s", name ? name : "<json string>");
    if (!(s.text = malloc(len + 1)))
        return LOG4C_OTEL_ENOMEM;
    memcpy(s.text, text, len);
    s.text[len] = '\0';
    s.len = len;
    int rc = load_sources(cfg, &s, 1, get, err);
    source_free(&s);
    return rc;
}

/* ---- applying it to the exporter settings ------------------------------- */

int otel_config_apply(const otel_config *cfg, otel_settings *s)
{
    const otel_logs_config *l = &cfg->logs;
    if (l->url) {
        char *u = strdup(l->url);
        if (!u)
            return LOG4C_OTEL_ENOMEM;
        free(s->logs_url);
        s->logs_url = u;
        s->endpoint_configured = 1;
    }
    for (size_t i = 0; i < l->headers.n; i++) {
        const otel_attr *h = &l->headers.a[i];
        size_t j;
        for (j = 0; j < s->nheaders; j++)
            if (strcasecmp(s->headers[j].name, h->key) == 0)
                break;
        char *v = strdup(h->v.str.s);
        if (!v)
            return LOG4C_OTEL_ENOMEM;
        if (j < s->nheaders) {
            free(s->headers[j].value);
            s->headers[j].value = v;
            continue;
        }
        otel_header *nh = realloc(s->headers, (s->nheaders + 1) * sizeof *nh);
        char *name = strdup(h->key);
        if (!nh || !name) {
            if (nh)
                s->headers = nh;
            free(v), free(name);
            return LOG4C_OTEL_ENOMEM;
        }
        s->headers = nh;
        nh[s->nheaders].name = name;
        nh[s->nheaders].value = v;
        s->nheaders++;
    }
    if (l->compression >= 0)
        s->compression = (otel_compression)l->compression;
    if (l->timeout_ms >= 0)
        s->request_timeout_ms = l->timeout_ms;
    if (l->keep_alive >= 0)
        s->no_keep_alive = !l->keep_alive;
    if (l->max_queue_size >= 0)
        s->max_queue_size = (size_t)l->max_queue_size;
    if (l->max_export_batch_size >= 0)
        s->max_export_batch_size = (size_t)l->max_export_batch_size;
    if (s->max_export_batch_size > s->max_queue_size)
        s->max_export_batch_size = s->max_queue_size;
    if (l->scheduled_delay_ms >= 0)
        s->schedule_delay_ms = l->scheduled_delay_ms;
    if (l->export_timeout_ms >= 0)
        s->export_timeout_ms = l->export_timeout_ms;
    if (l->block_timeout_ms >= 0)
        s->block_timeout_ms = l->block_timeout_ms;
    if (l->final_export_timeout_ms >= 0)
        s->shutdown_timeout_ms = l->final_export_timeout_ms;
    if (l->spool_dir) {
        free(s->spool_dir);
        s->spool_dir = NULL;
        if (*l->spool_dir && !(s->spool_dir = strdup(l->spool_dir)))
            return LOG4C_OTEL_ENOMEM;
    }
    if (l->spool_max_bytes >= 0)
        s->spool_max_bytes = (uint64_t)l->spool_max_bytes;
    for (size_t i = 0; i < l->additional_resource_attributes.n; i++)
        if (otel_resource_set_attr(s, &l->additional_resource_attributes.a[i]) != 0)
            return LOG4C_OTEL_ENOMEM;
    /* both sections were validated at load: an error here is out of memory */
    char msg[OTEL_CONFIG_MESSAGE_MAX];
    if (cfg->log_sources &&
        otel_sources_config_from_json(cfg->log_sources, "logs.sources", &s->sources, msg, sizeof msg) != 0)
        return LOG4C_OTEL_ENOMEM;
    if (cfg->file && otel_json_file_settings_from_json(cfg->file, "logs.file", &s->file, msg, sizeof msg) != 0)
        return LOG4C_OTEL_ENOMEM;
    return LOG4C_OTEL_OK;
}

/* ---- printing the effective settings ------------------------------------ */

/* Copy of v with defaults.hideRegex applied; "****" for the whole value
 * when secret. Returns a malloc'd string or NULL. */
static char *shown(const otel_config *cfg, const char *v, int secret)
{
    if (secret)
        return strdup("****");
    const char *in = v ? v : "";
    size_t n = otel_utf8_sanitized_len(in, strlen(in), 0);
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    otel_utf8_sanitize(c, in, strlen(in), 0);
    c[n] = '\0';
    if (cfg->logs.filters.defaults.hide)
        c[otel_regex_mask(cfg->logs.filters.defaults.hide, c, n)] = '\0';
    return c;
}

/* URL with any user:password@ masked, then hideRegex. */
static char *shown_url(const otel_config *cfg, const char *url)
{
    char *c = shown(cfg, url, 0);
    if (!c)
        return NULL;
    char *scheme = strstr(c, "://");
    if (scheme) {
        char *host = scheme + 3;
        char *end = host + strcspn(host, "/?#");
        char *at = memchr(host, '@', (size_t)(end - host));
        if (at)
            memset(host, '*', (size_t)(at - host));
    }
    return c;
}

static void print_attr(FILE *out, const otel_config *cfg, const char *indent, const otel_attr *a)
{
    switch (a->type) {
    case OTEL_VALUE_STRING: {
        char *v = shown(cfg, a->v.str.s, 0);
        fprintf(out, "%s%s = \"%s\"\n", indent, a->key, v ? v : "");
        free(v);
        break;
    }
    case OTEL_VALUE_INT: fprintf(out, "%s%s = %lld\n", indent, a->key, (long long)a->v.i); break;
    case OTEL_VALUE_DOUBLE: fprintf(out, "%s%s = %g\n", indent, a->key, a->v.d); break;
    case OTEL_VALUE_BOOL: fprintf(out, "%s%s = %s\n", indent, a->key, a->v.b ? "true" : "false"); break;
    }
}

static void print_options(FILE *out, const char *indent, const otel_log_options *o)
{
    fprintf(out, "%senabled: %s\n", indent, o->enabled ? "true" : "false");
    fprintf(out, "%shideRegex: %s\n", indent, o->hide ? otel_regex_pattern(o->hide) : "(none)");
    if (!o->has_allowed) {
        fprintf(out, "%sallowedAttributes: (all)\n", indent);
    } else {
        fprintf(out, "%sallowedAttributes: [", indent);
        for (size_t i = 0; i < o->nallowed; i++)
            fprintf(out, "%s\"%s\"", i ? ", " : "", o->allowed[i]);
        fprintf(out, "]\n");
    }
}

void otel_config_describe(const otel_config *cfg, const otel_settings *s, FILE *out)
{
    const otel_logs_config *l = &cfg->logs;
    fprintf(out, "sources: defaults, environment%s%s\n", cfg->sources ? ", " : "", cfg->sources ? cfg->sources : "");
    fprintf(out, "logs enabled: %s\n",
            s->sdk_disabled ? "false (OTEL_SDK_DISABLED)" : otel_config_logs_enabled(cfg) ? "true" : "false");
    char *u = shown_url(cfg, s->logs_url);
    fprintf(out, "url: %s\n", u ? u : "");
    free(u);
    fprintf(out, "protocol: %s\n", s->protocol == OTEL_PROTOCOL_HTTP_JSON ? "http/json"
                                    : s->protocol == OTEL_PROTOCOL_GRPC    ? "grpc"
                                                                           : "http/protobuf");
    fprintf(out, "compression: %s\n", s->compression == OTEL_COMPRESSION_GZIP ? "gzip" : "none");
    fprintf(out, "keepAlive: %s\n", s->no_keep_alive ? "false" : "true");
    fprintf(out, "headers:%s\n", s->nheaders ? "" : " (none)");
    for (size_t i = 0; i < s->nheaders; i++)
        fprintf(out, "  %s: ****\n", s->headers[i].name);
    fprintf(out, "timeoutMillis: %ld\n", s->request_timeout_ms);
    fprintf(out, "batch: maxQueueSize %zu, maxExportBatchSize %zu, scheduledDelayMillis %ld, exportTimeoutMillis %ld, "
            "blockTimeoutMillis %ld\n",
            s->max_queue_size, s->max_export_batch_size, s->schedule_delay_ms, s->export_timeout_ms,
            s->block_timeout_ms);
    fprintf(out, "finalExportTimeoutMs (shutdown deadline): %ld\n", s->shutdown_timeout_ms);
    if (s->spool_dir) {
        char *d = shown(cfg, s->spool_dir, 0);
        fprintf(out, "spool: directory %s, maxBytes %llu\n", d ? d : "", (unsigned long long)s->spool_max_bytes);
        free(d);
    } else
        fprintf(out, "spool: off\n");
    if (l->force_flush_timeout_ms >= 0)
        fprintf(out, "forceFlushTimeoutMillis: %ld\n", l->force_flush_timeout_ms);
    char vl[32] = "(none)", cl[32] = "(none)";
    if (l->attr_value_length_limit >= 0)
        snprintf(vl, sizeof vl, "%ld", l->attr_value_length_limit);
    if (l->attr_count_limit >= 0)
        snprintf(cl, sizeof cl, "%ld", l->attr_count_limit);
    fprintf(out, "logRecordLimits: attributeValueLengthLimit %s, attributeCountLimit %s\n", vl, cl);
    fprintf(out, "addResourceAttributesToAttributes: %s\n", l->add_resource_attrs_to_attrs > 0 ? "true" : "false");
    if (l->max_attribute_depth >= 0)
        fprintf(out, "maxAttributeDepth: %ld\n", l->max_attribute_depth);
    fprintf(out, "resource:\n");
    for (size_t i = 0; i < s->nresource; i++)
        print_attr(out, cfg, "  ", &s->resource[i]);
    fprintf(out, "additionalAttributes:%s\n", l->additional_attributes.n ? "" : " (none)");
    for (size_t i = 0; i < l->additional_attributes.n; i++)
        print_attr(out, cfg, "  ", &l->additional_attributes.a[i]);
    fprintf(out, "filters:%s\n", l->filters.nrules ? "" : " (none)");
    for (size_t i = 0; i < l->filters.nrules; i++) {
        const otel_filter_rule *r = &l->filters.rules[i];
        fprintf(out, "  [%zu] match:", i);
        if (r->category)
            fprintf(out, " categoryName \"%s\"", r->category);
        if (r->sev_min)
            fprintf(out, " severity %d-%d", r->sev_min, r->sev_max);
        if (r->body_re)
            fprintf(out, " bodyRegex \"%s\"", otel_regex_pattern(r->body_re));
        if (!r->category && !r->sev_min && !r->body_re)
            fprintf(out, " (everything)");
        fprintf(out, "\n");
        print_options(out, "      ", &r->eff);
    }
    fprintf(out, "defaults:\n");
    print_options(out, "  ", &l->filters.defaults.eff);
    for (size_t i = 0; i < cfg->nnotes; i++)
        fprintf(out, "%s: %s\n", cfg->notes[i].kind == OTEL_CONFIG_NOTE_WARNING ? "warning" : "ignored",
                cfg->notes[i].text);
}

int otel_config_apply_global(otel_config *cfg, otel_getenv_fn get, char *err, size_t errlen)
{
    const char *name;
    json_t *v;
    json_object_foreach(cfg->appenders, name, v) {
        otel_line_file_settings fs;
        otel_line_file_settings_defaults(&fs);
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, "appenders", name);
        if (otel_line_file_settings_from_env(&fs, get, err, errlen) != 0 ||
            otel_line_file_settings_from_json(v, p, &fs, err, errlen) != 0)
            return LOG4C_OTEL_ECONFIG;
        if (otel_line_file_settings_register(name, &fs) != 0)
            return LOG4C_OTEL_ENOMEM;
    }
    if (cfg->traces) {
        otel_span_set_config(cfg->traces); /* takes ownership */
        cfg->traces = NULL;
    }
    return LOG4C_OTEL_OK;
}
