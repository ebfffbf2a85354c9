/*
 * config_precedence.c - removing from a searched configuration file what
 * the OTEL_* environment sets (config_precedence.h).
 */
#include "config_precedence.h"

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

/* Drops obj's members named by the keys of list ("k=v,k2=v2"). */
static void drop_named(json_t *obj, const char *list, int any_case)
{
    if (!json_is_object(obj) || !list)
        return;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        const char *k = p;
        while (kl && (*k == ' ' || *k == '\t'))
            k++, kl--;
        while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t'))
            kl--;
        const char *name;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(obj, tmp, name, v) {
            if (strlen(name) == kl && (any_case ? strncasecmp(name, k, kl) : strncmp(name, k, kl)) == 0)
                json_object_del(obj, name);
        }
        p += n;
        if (*p == ',')
            p++;
    }
}

void otel_config_yield_to_env(json_t *root, otel_getenv_fn get)
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
    const char *headers = set(get, "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS");
    for (size_t i = 0; i < 2; i++)
        drop_named(json_object_get(levels[i], "headers"), headers, 1);
    drop_named(json_object_get(es, "headers"), headers, 1);
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
    const char *resource = set(get, "OTEL_RESOURCE_ATTRIBUTES", NULL);
    for (size_t i = 0; i < 2; i++) {
        json_t *ra = json_object_get(levels[i], "additionalResourceAttributes");
        drop_named(ra, resource, 0);
        if (set(get, "OTEL_SERVICE_NAME", NULL)) {
            drop(ra, "service.name");
            drop(levels[i], "serviceName");
        }
    }
}
