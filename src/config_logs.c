/*
 * config_logs.c - the parser of the `logs` section of the JSON
 * configuration (the io.Insights logs settings) into otel_logs_config, and
 * of the keys the root shares with it. Contract in config_error.h. The keys
 * are tables (config_values.h): one row per key, walked by one function.
 */
#include "configuration.h"
#include "config_values.h"
#include "settings.h"
#include "spool.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void otel_logs_config_init(otel_logs_config *l)
{
    memset(l, 0, sizeof *l);
    l->enabled = l->compression = l->protocol = l->keep_alive = l->add_resource_attrs_to_attrs = l->log_settings_on_startup = -1;
    l->timeout_ms = l->max_queue_size = l->max_export_batch_size = l->scheduled_delay_ms = l->export_timeout_ms = -1;
    l->force_flush_timeout_ms = l->attr_value_length_limit = l->attr_count_limit = -1;
    l->max_attribute_depth = l->final_export_timeout_ms = l->block_timeout_ms = l->publish_interval_ms = -1;
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

#define LOGS(field) offsetof(otel_logs_config, field)

/* spool.directory: a path, "" = no spool */
static int spool_directory(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    otel_logs_config *l = dest;
    char *d;
    if (!json_is_string(v))
        return otel_config_error_set(err, path, "expected a directory path (a string; \"\" = no spool), got %s",
                                     otel_json_type_name(v));
    if (otel_config_want_string(v, path, 1, 1, &d, get, err))
        return -1;
    free(l->spool_dir);
    l->spool_dir = d ? d : strdup("");
    if (!l->spool_dir)
        return otel_config_error_set(err, path, "out of memory");
    return 0;
}

/* spool.maxBytes: 268435456 or "256M", at least OTEL_SPOOL_MIN_MAX_BYTES */
static int spool_max_bytes(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    (void)get;
    uint64_t n = 0;
    if (otel_json_size(v, &n) != 0 || n < OTEL_SPOOL_MIN_MAX_BYTES || n > (uint64_t)LLONG_MAX)
        return otel_config_error_set(err, path, "expected a size of at least 64K (such as 268435456 or \"256M\")");
    ((otel_logs_config *)dest)->spool_max_bytes = (long long)n;
    return 0;
}

/* Attribute objects are flattened down to logs.maxAttributeDepth, which
 * the logs parser (and the root, for its own keys) reads first. */
static int additional_attributes(const json_t *v, const char *path, void *dest, otel_config_error *err,
                                 otel_getenv_fn get)
{
    otel_logs_config *l = dest;
    return otel_config_want_attrs(v, path, l->max_attribute_depth, &l->additional_attributes, get, err);
}

static int additional_resource_attributes(const json_t *v, const char *path, void *dest, otel_config_error *err,
                                          otel_getenv_fn get)
{
    otel_logs_config *l = dest;
    return otel_config_want_attrs(v, path, l->max_attribute_depth, &l->additional_resource_attributes, get, err);
}

static int filter_defaults(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    (void)get;
    otel_logs_config *l = dest;
    otel_filter_rule_free(&l->filters.defaults);
    return otel_filter_rule_from_json(v, path, &l->filters.defaults, 1, err);
}

static int filters(const json_t *v, const char *path, void *dest, otel_config_error *err, otel_getenv_fn get)
{
    (void)get;
    otel_logs_config *l = dest;
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

static const otel_config_key EXPORTER_KEYS[] = {
    {"url", NULL, OTEL_CONFIG_URL, LOGS(url), 0, NULL, NULL},
    {"headers", NULL, OTEL_CONFIG_HEADERS, LOGS(headers), 0, NULL, NULL},
    {"timeoutMillis", NULL, OTEL_CONFIG_LONG, LOGS(timeout_ms), 1, NULL, NULL},
    {"compression", NULL, OTEL_CONFIG_COMPRESSION, LOGS(compression), 0, NULL, NULL},
    {"protocol", NULL, OTEL_CONFIG_PROTOCOL, LOGS(protocol), 0, NULL, NULL},
    {"keepAlive", NULL, OTEL_CONFIG_BOOL, LOGS(keep_alive), 0, NULL, NULL},
    {"concurrencyLimit", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"httpsAgentOptions", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static const otel_config_key BATCH_KEYS[] = {
    {"maxQueueSize", NULL, OTEL_CONFIG_LONG, LOGS(max_queue_size), 1, NULL, NULL},
    {"maxExportBatchSize", NULL, OTEL_CONFIG_LONG, LOGS(max_export_batch_size), 1, NULL, NULL},
    {"scheduledDelayMillis", NULL, OTEL_CONFIG_LONG, LOGS(scheduled_delay_ms), 0, NULL, NULL},
    {"exportTimeoutMillis", NULL, OTEL_CONFIG_LONG, LOGS(export_timeout_ms), 1, NULL, NULL},
    {"blockTimeoutMillis", NULL, OTEL_CONFIG_LONG, LOGS(block_timeout_ms), 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

/* logs.spool: { "directory": "/var/spool/app", "maxBytes": 268435456 | "256M" } */
static const otel_config_key SPOOL_KEYS[] = {
    {"directory", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, spool_directory},
    {"maxBytes", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, spool_max_bytes},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static const otel_config_key RECORD_LIMIT_KEYS[] = {
    {"attributeValueLengthLimit", NULL, OTEL_CONFIG_LONG, LOGS(attr_value_length_limit), 1, NULL, NULL},
    {"attributeCountLimit", NULL, OTEL_CONFIG_LONG, LOGS(attr_count_limit), 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static const otel_config_key PROVIDER_KEYS[] = {
    {"forceFlushTimeoutMillis", NULL, OTEL_CONFIG_LONG, LOGS(force_flush_timeout_ms), 0, NULL, NULL},
    {"logRecordLimits", NULL, OTEL_CONFIG_OBJECT, 0, 0, RECORD_LIMIT_KEYS, NULL},
    {"resource", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

/* The keys the root (or `otel`) object shares with `logs`. */
const otel_config_key OTEL_LOGS_SHARED_KEYS[] = {
    {"headers", NULL, OTEL_CONFIG_HEADERS, LOGS(headers), 0, NULL, NULL},
    {"additionalAttributes", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, additional_attributes},
    {"additionalResourceAttributes", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, additional_resource_attributes},
    {"addResourceAttributesToAttributes", NULL, OTEL_CONFIG_BOOL, LOGS(add_resource_attrs_to_attrs), 0, NULL, NULL},
    {"finalExportTimeoutMs", NULL, OTEL_CONFIG_LONG, LOGS(final_export_timeout_ms), 0, NULL, NULL},
    {"logSettingsOnStartup", NULL, OTEL_CONFIG_BOOL, LOGS(log_settings_on_startup), 0, NULL, NULL},
    {"useSSOAuth", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"useSSOAuthRawToken", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

/* The logs object. url is read into the same field as exporterSettings.url,
 * which is read after the walk and so wins. */
static const otel_config_key LOGS_KEYS[] = {
    {"shared", NULL, OTEL_CONFIG_INCLUDE, 0, 0, OTEL_LOGS_SHARED_KEYS, NULL},
    {"maxAttributeDepth", NULL, OTEL_CONFIG_ELSEWHERE, 0, 0, NULL, NULL}, /* first: it shapes the attributes */
    {"enabled", NULL, OTEL_CONFIG_BOOL, LOGS(enabled), 0, NULL, NULL},
    {"url", NULL, OTEL_CONFIG_URL, LOGS(url), 0, NULL, NULL},
    {"compression", NULL, OTEL_CONFIG_COMPRESSION, LOGS(compression), 0, NULL, NULL},
    {"protocol", NULL, OTEL_CONFIG_PROTOCOL, LOGS(protocol), 0, NULL, NULL},
    {"timeoutMillis", NULL, OTEL_CONFIG_LONG, LOGS(timeout_ms), 1, NULL, NULL},
    {"keepAlive", NULL, OTEL_CONFIG_BOOL, LOGS(keep_alive), 0, NULL, NULL},
    {"exporterSettings", NULL, OTEL_CONFIG_ELSEWHERE, 0, 0, NULL, NULL}, /* after the walk: it wins */
    {"sources", NULL, OTEL_CONFIG_ELSEWHERE, 0, 0, NULL, NULL},          /* sections of their own (config.c) */
    {"file", NULL, OTEL_CONFIG_ELSEWHERE, 0, 0, NULL, NULL},
    {"batchSettings", "processorSettings", OTEL_CONFIG_OBJECT, 0, 0, BATCH_KEYS, NULL},
    {"spool", NULL, OTEL_CONFIG_OBJECT, 0, 0, SPOOL_KEYS, NULL},
    {"providerSettings", "loggerProviderSettings", OTEL_CONFIG_OBJECT, 0, 0, PROVIDER_KEYS, NULL},
    {"filters", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, filters},
    {"defaults", NULL, OTEL_CONFIG_CUSTOM, 0, 0, NULL, filter_defaults},
    {"publishInterval", NULL, OTEL_CONFIG_LONG, LOGS(publish_interval_ms), 0, NULL, NULL},
    {"concurrencyLimit", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"useDefaultFilters", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"levelCountMetric", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {"startupTraceAssociationTimeoutMs", NULL, OTEL_CONFIG_IGNORED, 0, 0, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

int otel_logs_config_knows(const char *name)
{
    size_t base = 0;
    return otel_config_key_find(LOGS_KEYS, name, &base) != NULL;
}

int otel_logs_config_from_json(const json_t *obj, const char *key_path, otel_logs_config *l,
                               otel_config_error *err, otel_getenv_fn get)
{
    if (otel_config_want_object(obj, key_path, err))
        return -1;
    char p[OTEL_CONFIG_PATH_MAX];
    /* maxAttributeDepth shapes how the attribute objects are read: first */
    json_t *mad = json_object_get(obj, "maxAttributeDepth");
    if (mad) {
        otel_config_path_member(p, sizeof p, key_path, "maxAttributeDepth");
        if (otel_config_want_long(mad, p, 0, &l->max_attribute_depth, err))
            return -1;
    }
    if (otel_config_walk(obj, key_path, LOGS_KEYS, l, err, get))
        return -1;
    json_t *es = json_object_get(obj, "exporterSettings");
    if (es) {
        otel_config_path_member(p, sizeof p, key_path, "exporterSettings");
        if (otel_config_walk(es, p, EXPORTER_KEYS, l, err, get))
            return -1;
    }
    if (l->publish_interval_ms >= 0 && l->scheduled_delay_ms < 0)
        l->scheduled_delay_ms = l->publish_interval_ms;
    otel_filter_set_resolve(&l->filters);
    return 0;
}
