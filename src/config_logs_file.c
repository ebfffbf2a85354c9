/*
 * config_logs_file.c - the parser of the `logs.file` section (the OTLP/JSON
 * file exporter's settings) and its application over the environment's
 * (config_logs_file.h).
 */
#include "config_logs_file.h"
#include "settings.h" /* otel_json_size */

#include <stdlib.h>
#include <string.h>

void otel_logs_file_config_init(otel_logs_file_config *c)
{
    memset(c, 0, sizeof *c);
    c->enabled = c->gzip = -1;
    c->backups = -1;
}

void otel_logs_file_config_free(otel_logs_file_config *c)
{
    free(c->path);
    otel_logs_file_config_init(c);
}

int otel_logs_file_config_from_json(const json_t *obj, const char *key_path, otel_logs_file_config *out,
                                    otel_config_error *err)
{
    const char *kp = key_path && *key_path ? key_path : "file";
    char p[OTEL_CONFIG_PATH_MAX];
    if (!json_is_object(obj))
        return otel_config_error_set(err, kp, "expected an object");
    otel_logs_file_config c;
    otel_logs_file_config_init(&c);
    const json_t *v;
    if ((v = json_object_get(obj, "enabled")) != NULL) {
        otel_config_path_member(p, sizeof p, kp, "enabled");
        if (!json_is_boolean(v))
            return otel_config_error_set(err, p, "expected true or false");
        c.enabled = json_is_true(v);
    }
    const char *pkey = json_object_get(obj, "filename") ? "filename" : "path";
    const char *path = NULL;
    if ((v = json_object_get(obj, pkey)) != NULL) {
        otel_config_path_member(p, sizeof p, kp, pkey);
        if (!json_is_string(v) || json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
            return otel_config_error_set(err, p, "expected a non-empty file name");
        path = json_string_value(v);
    }
    if ((v = json_object_get(obj, "maxLogSize")) != NULL) {
        otel_config_path_member(p, sizeof p, kp, "maxLogSize");
        if (otel_json_size(v, &c.max_size) != 0)
            return otel_config_error_set(err, p,
                                         "expected a number of bytes or a size such as \"512K\", \"10M\", \"1G\"");
        c.has_max_size = 1;
    }
    if ((v = json_object_get(obj, "backups")) != NULL) {
        otel_config_path_member(p, sizeof p, kp, "backups");
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 10000)
            return otel_config_error_set(err, p, "expected an integer from 0 to 10000");
        c.backups = (long)json_integer_value(v);
    }
    if ((v = json_object_get(obj, "compress")) != NULL) {
        otel_config_path_member(p, sizeof p, kp, "compress");
        if (!json_is_boolean(v))
            return otel_config_error_set(err, p, "expected true or false");
        c.gzip = json_is_true(v);
    }
    if (path && !(c.path = strdup(path)))
        return otel_config_error_set(err, kp, "out of memory");
    otel_logs_file_config_free(out);
    *out = c;
    return 0;
}

int otel_logs_file_config_apply(const otel_logs_file_config *c, otel_json_file_settings *f)
{
    char *path = NULL;
    if (c->path && !(path = strdup(c->path)))
        return -1;
    if (c->enabled >= 0)
        f->disabled = !c->enabled;
    if (c->has_max_size)
        f->max_size = c->max_size;
    if (c->backups >= 0)
        f->backups = (unsigned)c->backups;
    if (c->gzip >= 0)
        f->gzip = c->gzip;
    if (path) {
        free(f->path);
        f->path = path;
        f->is_default = 0;
    }
    return 0;
}
