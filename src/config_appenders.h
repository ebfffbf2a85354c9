/*
 * config_appenders.h - the "appenders" section of the JSON configuration:
 * the settings of otel_file appenders by appender name,
 *
 *     "appenders": { "<appender name>": { "maxLogSize": ..., "backups": ...,
 *                                         "fsync": ..., "mode": ... } }
 *
 * parsed once at load (line_file_settings.h has the keys) and applied over
 * what the LOG4C_OTEL_LINE_FILE_* environment sets.
 */
#ifndef LOG4C_OTEL_CONFIG_APPENDERS_H
#define LOG4C_OTEL_CONFIG_APPENDERS_H

#include <jansson.h>
#include "config_error.h"
#include "line_file_settings.h"

/* One appender's object: its values (read over the defaults) and which
 * keys it gives. */
enum {
    OTEL_APPENDER_GIVES_MAX_SIZE = 1u << 0,
    OTEL_APPENDER_GIVES_BACKUPS = 1u << 1,
    OTEL_APPENDER_GIVES_FSYNC = 1u << 2,
    OTEL_APPENDER_GIVES_MODE = 1u << 3
};

typedef struct otel_appender_config {
    char *name;
    otel_line_file_settings values;
    unsigned gives; /* OTEL_APPENDER_GIVES_* */
} otel_appender_config;

typedef struct otel_appenders_config {
    otel_appender_config *a;
    size_t n;
} otel_appenders_config;

void otel_appenders_config_free(otel_appenders_config *c);

/* The section parser (contract in config_error.h). 0, or -1 with err set. */
int otel_appenders_config_from_json(const json_t *obj, const char *key_path, otel_appenders_config *out,
                                    otel_config_error *err);

/* Sets in *s what a's object gives; the rest of *s is kept. */
void otel_appender_config_apply(const otel_appender_config *a, otel_line_file_settings *s);

#endif
