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
 *   OTEL_EXPORTER_OTLP_(LOGS_)HEADERS      the headers it names (any case)
 *   OTEL_BLRP_*                            the batchSettings member it sets
 *                                          (SCHEDULE_DELAY: publishInterval too)
 *   OTEL_SERVICE_NAME                      serviceName, service.name
 *   OTEL_RESOURCE_ATTRIBUTES               the resource attributes it names
 * in the root, its `logs` object and that object's exporterSettings. */
void otel_config_yield_to_env(json_t *root, otel_getenv_fn get);

#endif
