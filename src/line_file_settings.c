/*
 * line_file_settings.c - the crash-safe line file appender's settings: defaults,
 * LOG4C_OTEL_LINE_FILE_* variables, the JSON parser of one appender's
 * object and the per-name registry the JSON loader fills (see
 * line_file_settings.h).
 */
#include "line_file_settings.h"
#include "diag.h"
#include "env_alias.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void otel_line_file_settings_defaults(otel_line_file_settings *s)
{
    s->max_size = 0;
    s->backups = 5;
    s->fsync_policy = OTEL_FSYNC_NEVER;
    s->fsync_interval_ms = 0;
    s->mode = 0600;
}


/* "never", "line" or a positive number of ms (text). */
static int parse_fsync(const char *v, otel_line_file_settings *s)
{
    if (strcmp(v, "never") == 0) {
        s->fsync_policy = OTEL_FSYNC_NEVER;
        return 0;
    }
    if (strcmp(v, "line") == 0) {
        s->fsync_policy = OTEL_FSYNC_LINE;
        return 0;
    }
    char *end;
    errno = 0;
    long ms = isdigit((unsigned char)*v) ? strtol(v, &end, 10) : -1;
    if (ms <= 0 || errno || *end != '\0' || ms > 86400000L)
        return -1;
    s->fsync_policy = OTEL_FSYNC_INTERVAL;
    s->fsync_interval_ms = ms;
    return 0;
}

static int parse_mode(const char *v, unsigned *out)
{
    char *end = (char *)v;
    errno = 0;
    unsigned long m = isdigit((unsigned char)*v) ? strtoul(v, &end, 8) : 07777 + 1;
    if (errno || *end != '\0' || m > 0777)
        return -1;
    *out = (unsigned)m;
    return 0;
}

static int parse_backups(const char *v, unsigned *out)
{
    char *end = (char *)v;
    errno = 0;
    unsigned long b = isdigit((unsigned char)*v) ? strtoul(v, &end, 10) : OTEL_LINE_FILE_MAX_BACKUPS + 1ul;
    if (errno || *end != '\0' || b > OTEL_LINE_FILE_MAX_BACKUPS)
        return -1;
    *out = (unsigned)b;
    return 0;
}

int otel_line_file_settings_from_env(otel_line_file_settings *s, otel_getenv_fn getenv_fn, char *err, size_t errlen)
{
    const char *n, *v;
    n = otel_env_pick(getenv_fn, "LOG4C_OTEL_LINE_FILE_MAX_SIZE", "LOG4C_OTEL_FILE_APPENDER_MAX_SIZE");
    if ((v = getenv_fn(n)) && *v && otel_parse_size(v, &s->max_size) != 0)
        return otel_fail(err, errlen, "%s: expected bytes with an optional K, M or G suffix", n);
    n = otel_env_pick(getenv_fn, "LOG4C_OTEL_LINE_FILE_BACKUPS", "LOG4C_OTEL_FILE_APPENDER_BACKUPS");
    if ((v = getenv_fn(n)) && *v && parse_backups(v, &s->backups) != 0)
        return otel_fail(err, errlen, "%s: expected a number from 0 to %d", n, OTEL_LINE_FILE_MAX_BACKUPS);
    n = otel_env_pick(getenv_fn, "LOG4C_OTEL_LINE_FILE_FSYNC", "LOG4C_OTEL_FILE_APPENDER_FSYNC");
    if ((v = getenv_fn(n)) && *v && parse_fsync(v, s) != 0)
        return otel_fail(err, errlen, "%s: expected never, line or a number of milliseconds", n);
    n = otel_env_pick(getenv_fn, "LOG4C_OTEL_LINE_FILE_MODE", "LOG4C_OTEL_FILE_APPENDER_MODE");
    if ((v = getenv_fn(n)) && *v && parse_mode(v, &s->mode) != 0)
        return otel_fail(err, errlen, "%s: expected an octal mode such as 0600", n);
    return 0;
}

/* A JSON integer in [0, max] (a real with no fraction is accepted). */
static int json_uint(const json_t *v, double max, uint64_t *out)
{
    if (!json_is_number(v))
        return -1;
    double d = json_number_value(v);
    if (d < 0 || d > max || d != (double)(uint64_t)d)
        return -1;
    *out = (uint64_t)d;
    return 0;
}

int otel_line_file_settings_from_json(const json_t *obj, const char *key_path, otel_line_file_settings *out,
                                        otel_config_error *err)
{
    const char *path = key_path && *key_path ? key_path : "file appender";
    char p[OTEL_CONFIG_PATH_MAX];
    if (!json_is_object(obj))
        return otel_config_error_set(err, path, "expected an object");
    otel_line_file_settings s = *out;
    const json_t *v;
    uint64_t n;

    if ((v = json_object_get(obj, "maxLogSize")) && !json_is_null(v)) {
        if (json_is_string(v) ? otel_parse_size(json_string_value(v), &s.max_size) != 0
                              : json_uint(v, 9007199254740992.0, &s.max_size) != 0) {
            otel_config_path_member(p, sizeof p, path, "maxLogSize");
            return otel_config_error_set(err, p, "expected bytes (a number, or a string with a K, M or G suffix)");
        }
    }
    if ((v = json_object_get(obj, "backups")) && !json_is_null(v)) {
        if (json_uint(v, OTEL_LINE_FILE_MAX_BACKUPS, &n) != 0) {
            otel_config_path_member(p, sizeof p, path, "backups");
            return otel_config_error_set(err, p, "expected a number from 0 to %d", OTEL_LINE_FILE_MAX_BACKUPS);
        }
        s.backups = (unsigned)n;
    }
    if ((v = json_object_get(obj, "fsync")) && !json_is_null(v)) {
        int bad;
        if (json_is_string(v)) {
            bad = parse_fsync(json_string_value(v), &s) != 0;
        } else {
            bad = json_uint(v, 86400000.0, &n) != 0 || n == 0;
            if (!bad) {
                s.fsync_policy = OTEL_FSYNC_INTERVAL;
                s.fsync_interval_ms = (long)n;
            }
        }
        if (bad) {
            otel_config_path_member(p, sizeof p, path, "fsync");
            return otel_config_error_set(err, p, "expected \"never\", \"line\" or a number of milliseconds > 0");
        }
    }
    if ((v = json_object_get(obj, "mode")) && !json_is_null(v)) {
        int bad;
        if (json_is_string(v)) {
            bad = parse_mode(json_string_value(v), &s.mode) != 0;
        } else {
            bad = json_uint(v, 0777, &n) != 0;
            if (!bad)
                s.mode = (unsigned)n;
        }
        if (bad) {
            otel_config_path_member(p, sizeof p, path, "mode");
            return otel_config_error_set(err, p, "expected permissions, e.g. 384 or \"0600\"");
        }
    }
    *out = s;
    return 0;
}

/* ---- registry ---- */

typedef struct entry {
    char *name;
    otel_line_file_settings s;
    struct entry *next;
} entry;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static entry *registry;

int otel_line_file_settings_register(const char *appender_name, const otel_line_file_settings *s)
{
    pthread_mutex_lock(&registry_lock);
    for (entry *e = registry; e; e = e->next)
        if (strcmp(e->name, appender_name) == 0) {
            e->s = *s;
            pthread_mutex_unlock(&registry_lock);
            return 0;
        }
    entry *e = malloc(sizeof *e);
    if (!e || !(e->name = strdup(appender_name))) {
        free(e);
        pthread_mutex_unlock(&registry_lock);
        return -1;
    }
    e->s = *s;
    e->next = registry;
    registry = e;
    pthread_mutex_unlock(&registry_lock);
    return 0;
}

int otel_line_file_settings_lookup(const char *appender_name, otel_line_file_settings *out)
{
    int found = 0;
    pthread_mutex_lock(&registry_lock);
    for (entry *e = registry; e; e = e->next)
        if (strcmp(e->name, appender_name) == 0) {
            *out = e->s;
            found = 1;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
    return found;
}

void otel_line_file_settings_clear_registry(void)
{
    pthread_mutex_lock(&registry_lock);
    while (registry) {
        entry *e = registry;
        registry = e->next;
        free(e->name);
        free(e);
    }
    pthread_mutex_unlock(&registry_lock);
}
