/*
 * config_logs_file.h - the `logs.file` section of the JSON configuration:
 * the settings of the OTLP/JSON file exporter (json_file_exporter.h) as the JSON
 * gives them, parsed once at load and applied over what the
 * LOG4C_OTEL_JSON_FILE* environment set (defaults -> environment -> JSON):
 *
 *     { "enabled": true,                optional; false: no file, not even the default
 *       "filename": "/var/log/app.jsonl", ("path" also accepted)
 *       "maxLogSize": "10M",            a number of bytes or a string with K/M/G
 *       "backups": 5,
 *       "compress": false }             gzip the backups
 *
 * Unknown keys are ignored.
 */
#ifndef LOG4C_OTEL_CONFIG_LOGS_FILE_H
#define LOG4C_OTEL_CONFIG_LOGS_FILE_H

#include <jansson.h>
#include <stdint.h>
#include "config_error.h"
#include "json_file_exporter.h"

/* What the section gives; every field "not given" after init. */
typedef struct otel_logs_file_config {
    int enabled;       /* -1 not given */
    char *path;        /* "filename", else "path"; NULL not given */
    int has_max_size;  /* max_size given */
    uint64_t max_size;
    long backups;      /* -1 not given */
    int gzip;          /* "compress"; -1 not given */
} otel_logs_file_config;

void otel_logs_file_config_init(otel_logs_file_config *c);
void otel_logs_file_config_free(otel_logs_file_config *c);

/* The section parser (contract in config_error.h): obj is the value of the
 * "file" key, key_path names it in errors (e.g. "logs.file"). 0, or -1 with
 * err set at the offending key. */
int otel_logs_file_config_from_json(const json_t *obj, const char *key_path, otel_logs_file_config *out,
                                    otel_config_error *err);

/* Sets in *f what c gives (a path given is no longer the default path);
 * the rest of *f is kept. 0, or -1 out of memory (*f untouched). */
int otel_logs_file_config_apply(const otel_logs_file_config *c, otel_json_file_settings *f);

#endif
