/*
 * line_file_settings.h - the settings of one crash-safe line file appender
 * ("otel_file"): built-in defaults, then environment overrides (for every
 * such appender), then the JSON configuration keyed by appender name.
 *
 *   maxLogSize  bytes, or a string with a K/M/G suffix (1024-based, as
 *               log4js): rotate before a line would make the file larger;
 *               0 (default) = never rotate
 *   backups     rotated files kept: <path>.1 (newest) .. <path>.N; default 5
 *   fsync       "never" (default), "line" (fdatasync after every line), or
 *               a number N > 0: fdatasync at a write when N ms passed since
 *               the last one, and at rotation and close
 *   mode        permissions of a new file, default 0600 (a number, or an
 *               octal string "0640")
 *
 * Environment: LOG4C_OTEL_LINE_FILE_MAX_SIZE, LOG4C_OTEL_LINE_FILE_BACKUPS,
 * LOG4C_OTEL_LINE_FILE_FSYNC, LOG4C_OTEL_LINE_FILE_MODE (same syntax as the
 * JSON values, numbers as text). The older spellings
 * LOG4C_OTEL_FILE_APPENDER_<same suffix> still work; when both are set the
 * LOG4C_OTEL_LINE_FILE_ one wins.
 */
#ifndef LOG4C_OTEL_LINE_FILE_SETTINGS_H
#define LOG4C_OTEL_LINE_FILE_SETTINGS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "config_error.h"
#include "settings.h" /* otel_getenv_fn */

typedef enum otel_fsync_policy {
    OTEL_FSYNC_NEVER = 0,
    OTEL_FSYNC_LINE = 1,
    OTEL_FSYNC_INTERVAL = 2
} otel_fsync_policy;

typedef struct otel_line_file_settings {
    uint64_t max_size;  /* 0: no rotation */
    unsigned backups;   /* default 5 */
    otel_fsync_policy fsync_policy;
    long fsync_interval_ms; /* with OTEL_FSYNC_INTERVAL */
    unsigned mode;          /* default 0600 */
} otel_line_file_settings;

#define OTEL_LINE_FILE_MAX_BACKUPS 10000

void otel_line_file_settings_defaults(otel_line_file_settings *s);

/* Applies the LOG4C_OTEL_LINE_FILE_* variables (or their older spellings). Returns 0, or -1 with a
 * sentence naming the variable in err (*s then keeps what parsed before). */
int otel_line_file_settings_from_env(otel_line_file_settings *s, otel_getenv_fn getenv_fn, char *err, size_t errlen);

/*
 * Applies the keys of obj (the object of one otel_file appender in the
 * "appenders" section, under its appender name) over *out. key_path names
 * obj in errors. Unknown keys and null values are ignored. The contract of
 * config_error.h: 0, or -1 with err set at the offending key and *out
 * untouched.
 */
int otel_line_file_settings_from_json(const json_t *obj, const char *key_path, otel_line_file_settings *out,
                                        otel_config_error *err);

/*
 * The settings per appender name the JSON loader found: the otel_file
 * appender looks its name up when log4c opens it (before that, JSON values
 * must be registered). Returns 0 or -1 (out of memory).
 */
int otel_line_file_settings_register(const char *appender_name, const otel_line_file_settings *s);
/* 1 and *out filled when registered, else 0. */
int otel_line_file_settings_lookup(const char *appender_name, otel_line_file_settings *out);
void otel_line_file_settings_clear_registry(void);

#endif
