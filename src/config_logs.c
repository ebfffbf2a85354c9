/*
 * config_logs.c - the parser of the `logs` section of the JSON
 * configuration (the io.Insights logs settings) into otel_logs_config, and
 * of the keys the root shares with it. Contract in config_error.h.
 */
#include "configuration.h"
#include "config_values.h"
#include "settings.h"
#include "spool.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

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
    if (otel_config_want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        int rc = 0;
        if (strcmp(k, "url") == 0)
            rc = otel_config_want_url(v, p, &l->url, get, err);
        else if (strcmp(k, "headers") == 0)
            rc = otel_config_want_headers(v, p, &l->headers, get, err);
        else if (strcmp(k, "timeoutMillis") == 0)
            rc = otel_config_want_long(v, p, 1, &l->timeout_ms, err);
        else if (strcmp(k, "compression") == 0)
            rc = otel_config_want_compression(v, p, &l->compression, err);
        else if (strcmp(k, "keepAlive") == 0)
            rc = otel_config_want_bool(v, p, &l->keep_alive, err);
        else if (strcmp(k, "concurrencyLimit") == 0 || strcmp(k, "httpsAgentOptions") == 0)
            otel_config_ignored(err, p);
        else
            otel_config_unknown_key(err, p);
        if (rc)
            return -1;
    }
    return 0;
}

static int batch_settings(const json_t *obj, const char *path, otel_logs_config *l, otel_config_error *err)
{
    if (otel_config_want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        int rc = 0;
        if (strcmp(k, "maxQueueSize") == 0)
            rc = otel_config_want_long(v, p, 1, &l->max_queue_size, err);
        else if (strcmp(k, "maxExportBatchSize") == 0)
            rc = otel_config_want_long(v, p, 1, &l->max_export_batch_size, err);
        else if (strcmp(k, "scheduledDelayMillis") == 0)
            rc = otel_config_want_long(v, p, 0, &l->scheduled_delay_ms, err);
        else if (strcmp(k, "exportTimeoutMillis") == 0)
            rc = otel_config_want_long(v, p, 1, &l->export_timeout_ms, err);
        else if (strcmp(k, "blockTimeoutMillis") == 0)
            rc = otel_config_want_long(v, p, 0, &l->block_timeout_ms, err);
        else
            otel_config_unknown_key(err, p);
        if (rc)
            return -1;
    }
    return 0;
}

/* logs.spool: { "directory": "/var/spool/app", "maxBytes": 268435456 | "256M" } */
static int spool_settings(const json_t *obj, const char *path, otel_logs_config *l, otel_config_error *err,
                          otel_getenv_fn get)
{
    if (otel_config_want_object(obj, path, err))
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
            if (otel_config_want_string(v, p, 1, 1, &d, get, err))
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
    if (otel_config_want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        int rc = 0;
        if (strcmp(k, "forceFlushTimeoutMillis") == 0) {
            rc = otel_config_want_long(v, p, 0, &l->force_flush_timeout_ms, err);
        } else if (strcmp(k, "logRecordLimits") == 0) {
            if (otel_config_want_object(v, p, err))
                return -1;
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                char p2[OTEL_CONFIG_PATH_MAX];
                otel_config_path_member(p2, sizeof p2, p, k2);
                if (strcmp(k2, "attributeValueLengthLimit") == 0)
                    rc = otel_config_want_long(v2, p2, 1, &l->attr_value_length_limit, err);
                else if (strcmp(k2, "attributeCountLimit") == 0)
                    rc = otel_config_want_long(v2, p2, 0, &l->attr_count_limit, err);
                else
                    otel_config_unknown_key(err, p2);
                if (rc)
                    return -1;
            }
        } else if (strcmp(k, "resource") == 0) {
            otel_config_ignored(err, p);
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

int otel_logs_config_shared_key(const char *k, const json_t *v, const char *p, otel_logs_config *l, otel_config_error *err,
                      otel_getenv_fn get, long max_depth)
{
    int rc;
    if (strcmp(k, "headers") == 0)
        rc = otel_config_want_headers(v, p, &l->headers, get, err);
    else if (strcmp(k, "additionalAttributes") == 0)
        rc = otel_config_want_attrs(v, p, max_depth, &l->additional_attributes, get, err);
    else if (strcmp(k, "additionalResourceAttributes") == 0)
        rc = otel_config_want_attrs(v, p, max_depth, &l->additional_resource_attributes, get, err);
    else if (strcmp(k, "addResourceAttributesToAttributes") == 0)
        rc = otel_config_want_bool(v, p, &l->add_resource_attrs_to_attrs, err);
    else if (strcmp(k, "finalExportTimeoutMs") == 0)
        rc = otel_config_want_long(v, p, 0, &l->final_export_timeout_ms, err);
    else if (strcmp(k, "logSettingsOnStartup") == 0)
        rc = otel_config_want_bool(v, p, &l->log_settings_on_startup, err);
    else if (strcmp(k, "useSSOAuth") == 0 || strcmp(k, "useSSOAuthRawToken") == 0)
        rc = otel_config_ignored(err, p);
    else
        return 1;
    return rc;
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
    long publish_interval = -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        otel_config_path_member(p, sizeof p, key_path, k);
        int rc = otel_logs_config_shared_key(k, v, p, l, err, get, l->max_attribute_depth);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        rc = 0;
        if (strcmp(k, "maxAttributeDepth") == 0)
            continue;
        else if (strcmp(k, "enabled") == 0)
            rc = otel_config_want_bool(v, p, &l->enabled, err);
        else if (strcmp(k, "url") == 0) {
            if (!json_object_get(json_object_get(obj, "exporterSettings"), "url")) /* exporterSettings.url wins */
                rc = otel_config_want_url(v, p, &l->url, get, err);
            else {
                char *tmp = NULL;
                rc = otel_config_want_url(v, p, &tmp, get, err);
                free(tmp);
            }
        } else if (strcmp(k, "compression") == 0)
            rc = otel_config_want_compression(v, p, &l->compression, err);
        else if (strcmp(k, "timeoutMillis") == 0)
            rc = otel_config_want_long(v, p, 1, &l->timeout_ms, err);
        else if (strcmp(k, "keepAlive") == 0)
            rc = otel_config_want_bool(v, p, &l->keep_alive, err);
        else if (strcmp(k, "exporterSettings") == 0)
            continue; /* after the loop: it wins over url/headers/... */
        else if (strcmp(k, "sources") == 0 || strcmp(k, "file") == 0)
            continue; /* sections of their own (SECTIONS in parse_root) */
        else if (strcmp(k, "batchSettings") == 0 || strcmp(k, "processorSettings") == 0)
            rc = batch_settings(v, p, l, err);
        else if (strcmp(k, "spool") == 0)
            rc = spool_settings(v, p, l, err, get);
        else if (strcmp(k, "providerSettings") == 0 || strcmp(k, "loggerProviderSettings") == 0)
            rc = provider_settings(v, p, l, err);
        else if (strcmp(k, "filters") == 0)
            rc = filters(v, p, l, err);
        else if (strcmp(k, "defaults") == 0) {
            otel_filter_rule_free(&l->filters.defaults);
            rc = otel_filter_rule_from_json(v, p, &l->filters.defaults, 1, err);
        } else if (strcmp(k, "publishInterval") == 0)
            rc = otel_config_want_long(v, p, 0, &publish_interval, err);
        else if (strcmp(k, "concurrencyLimit") == 0 || strcmp(k, "useDefaultFilters") == 0 ||
                 strcmp(k, "levelCountMetric") == 0 || strcmp(k, "startupTraceAssociationTimeoutMs") == 0)
            otel_config_ignored(err, p);
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
