/*
 * config_appenders.c - the parser of the "appenders" section (otel_file
 * appender settings by name) and its application over the environment's
 * (config_appenders.h).
 */
#include "config_appenders.h"

#include <stdlib.h>
#include <string.h>

void otel_appenders_config_free(otel_appenders_config *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->a[i].name);
    free(c->a);
    memset(c, 0, sizeof *c);
}

/* Whether obj gives key (present and not null: the appender parser skips null). */
static int gives(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v);
}

int otel_appenders_config_from_json(const json_t *obj, const char *key_path, otel_appenders_config *out,
                                    otel_config_error *err)
{
    if (!json_is_object(obj))
        return otel_config_error_set(err, key_path, "expected an object keyed by appender name");
    otel_appenders_config c = {calloc(json_object_size(obj) + 1, sizeof(otel_appender_config)), 0};
    if (!c.a)
        return otel_config_error_set(err, key_path, "out of memory");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)obj, name, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, key_path, name);
        otel_appender_config *a = &c.a[c.n];
        otel_line_file_settings_defaults(&a->values);
        if (otel_line_file_settings_from_json(v, p, &a->values, err) != 0) {
            otel_appenders_config_free(&c);
            return -1;
        }
        if (!(a->name = strdup(name))) {
            otel_appenders_config_free(&c);
            return otel_config_error_set(err, p, "out of memory");
        }
        a->gives = (gives(v, "maxLogSize") ? OTEL_APPENDER_GIVES_MAX_SIZE : 0) |
                   (gives(v, "backups") ? OTEL_APPENDER_GIVES_BACKUPS : 0) |
                   (gives(v, "fsync") ? OTEL_APPENDER_GIVES_FSYNC : 0) |
                   (gives(v, "mode") ? OTEL_APPENDER_GIVES_MODE : 0);
        c.n++;
    }
    otel_appenders_config_free(out);
    *out = c;
    return 0;
}

void otel_appender_config_apply(const otel_appender_config *a, otel_line_file_settings *s)
{
    if (a->gives & OTEL_APPENDER_GIVES_MAX_SIZE)
        s->max_size = a->values.max_size;
    if (a->gives & OTEL_APPENDER_GIVES_BACKUPS)
        s->backups = a->values.backups;
    if (a->gives & OTEL_APPENDER_GIVES_FSYNC) {
        s->fsync_policy = a->values.fsync_policy;
        if (a->values.fsync_policy == OTEL_FSYNC_INTERVAL) /* "never" and "line" keep the interval */
            s->fsync_interval_ms = a->values.fsync_interval_ms;
    }
    if (a->gives & OTEL_APPENDER_GIVES_MODE)
        s->mode = a->values.mode;
}
