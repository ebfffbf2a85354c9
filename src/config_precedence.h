/*
 * config_precedence.h - a configuration file found by search ranks below
 * the OTEL_* environment: the members of its root that a set OTEL_*
 * variable also gives are removed before the sources are merged, so the
 * variable's value stays in force (docs/CONFIGURATION.md, "Precedence").
 */
#ifndef LOG4C_OTEL_CONFIG_PRECEDENCE_H
#define LOG4C_OTEL_CONFIG_PRECEDENCE_H

#include <jansson.h>
#include "envsubst.h"

/* Removes from root (a normalised root: {"logs": {...}, ...}) what a set,
 * non-empty OTEL_* variable read through get overrides:
 *   OTEL_EXPORTER_OTLP_(LOGS_)ENDPOINT     url, exporterSettings.url
 *   OTEL_EXPORTER_OTLP_(LOGS_)PROTOCOL     protocol (both places)
 *   OTEL_EXPORTER_OTLP_(LOGS_)COMPRESSION  compression (both places)
 *   OTEL_EXPORTER_OTLP_(LOGS_)TIMEOUT      timeoutMillis (both places)
 *   OTEL_EXPORTER_OTLP_(LOGS_)HEADERS      the headers it gives (any case)
 *   OTEL_BLRP_*                            the batchSettings member it sets
 *                                          (SCHEDULE_DELAY: publishInterval too)
 *   OTEL_SERVICE_NAME                      the resource attribute service.name
 *   OTEL_RESOURCE_ATTRIBUTES               the resource attributes it gives
 * in the root, its `logs` object and that object's exporterSettings. A
 * resource attribute is removed however the file gives it: from
 * additionalResourceAttributes under its flattened name ({"a": {"b": 1}},
 * {"a.b": 1} and {"a": {"b.c": 1}} give "a.b", "a.b", "a.b.c"), only that
 * name, and as the root's serviceName, serviceId, serviceVersion or userId
 * (service.name, service.instance.id, service.version, user.id).
 * OTEL_RESOURCE_ATTRIBUTES is read as the resource applies it
 * (otel_resource_env_attributes): names percent-decoded, nothing when it
 * is malformed. The header variable is the one the settings read (the
 * LOGS_ one when set and not empty, else the generic one), read as they
 * apply it (otel_settings_env_headers): names percent-decoded, a malformed
 * entry gives nothing while the others still do; each header it gives
 * removes the file's header of that name in any case. Returns 0, or -1
 * when out of memory (root may then have lost part of what the variables
 * give, nothing else). */
int otel_config_yield_to_env(json_t *root, otel_getenv_fn get);

#endif
