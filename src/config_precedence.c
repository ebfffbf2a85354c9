/*
 * config_precedence.c - removing from a searched configuration file what
 * the OTEL_* environment sets (config_precedence.h).
 */
#include "config_precedence.h"
#include "configuration.h"
#include "resource.h"
#include "settings.h"

#include <string.h>
#include <strings.h>

static const char *set(otel_getenv_fn get, const char *a, const char *b)
{
    const char *v = get(a);
    if (v && *v)
        return v;
    v = b ? get(b) : NULL;
    return v && *v ? v : NULL;
}

static void drop(json_t *obj, const char *key)
{
    if (json_is_object(obj))
        json_object_del(obj, key);
}

/* The header objects of a root: its own, its `logs` object's and that
 * object's exporterSettings' (each NULL when absent). */
#define HEADER_OBJECTS 3

/* Removes the header name (as the header variable gives it: decoded) from
 * each of the HEADER_OBJECTS header objects objs points to (any may be
 * NULL or not an object), however the file spells it: header names compare
 * in any case. */
static int drop_header(void *objs, const char *name, const char *value)
{
    (void)value;
    for (size_t i = 0; i < HEADER_OBJECTS; i++) {
        json_t *o = ((json_t **)objs)[i];
        if (!json_is_object(o))
            continue;
        const char *key;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(o, tmp, key, v) {
            if (strcasecmp(key, name) == 0)
                json_object_del(o, key);
        }
    }
    return 0;
}

/* Removes from attrs (an attribute object, flattened as
 * otel_config_want_attrs reads it: {"a": {"b": 1}} is the attribute "a.b")
 * every member that gives the attribute named name: the member of that exact
 * key unless it is an object (an object gives deeper names), and in each
 * object member whose key and a '.' start name, what gives the rest of the
 * name; an object this empties is removed with it. */
static void drop_flattened(json_t *attrs, const char *name)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(attrs, tmp, key, v) {
        size_t kl = strlen(key);
        if (strcmp(key, name) == 0) {
            if (!json_is_object(v))
                json_object_del(attrs, key);
        } else if (json_is_object(v) && strncmp(name, key, kl) == 0 && name[kl] == '.' && json_object_size(v)) {
            drop_flattened(v, name + kl + 1);
            if (json_object_size(v) == 0)
                json_object_del(attrs, key);
        }
    }
}

/* Removes the resource attribute name from the root and its `logs` object
 * (levels): from additionalResourceAttributes however it is spelt there,
 * and the service* key that gives it. */
static int drop_resource_attr(void *levels, const char *name, const char *value)
{
    (void)value;
    for (size_t i = 0; i < 2; i++) {
        json_t *level = ((json_t **)levels)[i];
        json_t *ra = json_object_get(level, "additionalResourceAttributes");
        if (json_is_object(ra))
            drop_flattened(ra, name);
        for (size_t j = 0; j < OTEL_CONFIG_SERVICE_KEYS; j++)
            if (strcmp(name, OTEL_CONFIG_SERVICE_KEY[j].attribute) == 0)
                drop(level, OTEL_CONFIG_SERVICE_KEY[j].key);
    }
    return 0;
}

int otel_config_yield_to_env(json_t *root, otel_getenv_fn get)
{
    json_t *logs = json_object_get(root, "logs");
    json_t *es = json_object_get(logs, "exporterSettings");
    json_t *levels[] = {root, logs};
    if (set(get, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")) {
        drop(logs, "url");
        drop(es, "url");
    }
    if (set(get, "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")) {
        drop(logs, "protocol");
        drop(es, "protocol");
    }
    if (set(get, "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION")) {
        drop(logs, "compression");
        drop(es, "compression");
    }
    if (set(get, "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT")) {
        drop(logs, "timeoutMillis");
        drop(es, "timeoutMillis");
    }
    /* the headers the header variable in force gives, parsed as the
     * settings apply it: each malformed entry gives nothing */
    const char *headers = set(get, "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS");
    json_t *header_objs[HEADER_OBJECTS] = {json_object_get(root, "headers"), json_object_get(logs, "headers"),
                                           json_object_get(es, "headers")};
    if (headers && otel_settings_env_headers(headers, drop_header, header_objs, NULL, 0) < 0)
        return -1;
    static const char *const blrp[][2] = {
        {"OTEL_BLRP_MAX_QUEUE_SIZE", "maxQueueSize"},
        {"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "maxExportBatchSize"},
        {"OTEL_BLRP_SCHEDULE_DELAY", "scheduledDelayMillis"},
        {"OTEL_BLRP_EXPORT_TIMEOUT", "exportTimeoutMillis"},
    };
    for (size_t i = 0; i < sizeof blrp / sizeof blrp[0]; i++)
        if (set(get, blrp[i][0], NULL)) {
            drop(json_object_get(logs, "batchSettings"), blrp[i][1]);
            drop(json_object_get(logs, "processorSettings"), blrp[i][1]);
        }
    if (set(get, "OTEL_BLRP_SCHEDULE_DELAY", NULL))
        drop(logs, "publishInterval");
    /* the attributes OTEL_RESOURCE_ATTRIBUTES gives, parsed as the resource
     * applies it: none when it is malformed (ignored whole) */
    const char *resource = set(get, "OTEL_RESOURCE_ATTRIBUTES", NULL);
    if (resource && otel_resource_env_attributes(resource, drop_resource_attr, levels) < 0)
        return -1;
    if (set(get, "OTEL_SERVICE_NAME", NULL))
        drop_resource_attr(levels, "service.name", NULL);
    return 0;
}
