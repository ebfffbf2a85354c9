/*
 * traces_config.c - span filters: first match on the span name's dotted
 * prefix, completed by defaults; and the parser of the JSON `traces`
 * section (see traces_config.h).
 */
#include "traces_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rule_unset(otel_span_rule *r)
{
    r->source = NULL;
    r->enabled = -1;
    r->log = -1;
    r->min_duration_ms = -1;
}

int otel_traces_config_init(otel_traces_config *c)
{
    memset(c, 0, sizeof *c);
    c->enabled = 1;
    rule_unset(&c->defaults);
    c->category = strdup(OTEL_TRACES_DEFAULT_CATEGORY);
    return c->category ? 0 : -1;
}

void otel_traces_config_free(otel_traces_config *c)
{
    free(c->category);
    free(c->defaults.source);
    for (size_t i = 0; i < c->nfilters; i++)
        free(c->filters[i].source);
    free(c->filters);
    memset(c, 0, sizeof *c);
}

int otel_span_source_matches(const char *source, const char *name)
{
    if (!source)
        return 1;
    size_t n = strlen(source);
    return strncmp(source, name, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

void otel_traces_decide(const otel_traces_config *c, const char *name, otel_span_decision *out)
{
    const otel_span_rule *hit = NULL;
    for (size_t i = 0; i < c->nfilters && !hit; i++)
        if (otel_span_source_matches(c->filters[i].source, name))
            hit = &c->filters[i];
    const otel_span_rule *d = &c->defaults;
#define PICK(field, builtin) (hit && hit->field >= 0 ? hit->field : d->field >= 0 ? d->field : (builtin))
    out->enabled = c->enabled && PICK(enabled, 1);
    out->log = PICK(log, 1);
    out->min_duration_ms = PICK(min_duration_ms, 0);
#undef PICK
}

/* ---- JSON ---- */

static int get_bool(const json_t *obj, const char *key, int *out, const char *path, otel_config_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, key);
        return otel_config_error_set(err, p, "expected true or false");
    }
    *out = json_is_true(v);
    return 0;
}

static int parse_rule(const json_t *obj, int with_source, otel_span_rule *r, const char *path, otel_config_error *err)
{
    char p[OTEL_CONFIG_PATH_MAX];
    if (!json_is_object(obj))
        return otel_config_error_set(err, path, "expected an object");
    if (get_bool(obj, "enabled", &r->enabled, path, err) != 0)
        return -1;
    const json_t *log = json_object_get(obj, "log");
    if (log && json_is_object(log)) { /* TracesAsLogsOptions */
        otel_config_path_member(p, sizeof p, path, "log");
        if (get_bool(log, "enabled", &r->log, p, err) != 0)
            return -1;
    } else if (get_bool(obj, "log", &r->log, path, err) != 0) {
        return -1;
    }
    const json_t *md = json_object_get(obj, "minDurationMs");
    if (md && !json_is_null(md)) {
        if (!json_is_number(md) || json_number_value(md) < 0 || json_number_value(md) > 1e12) {
            otel_config_path_member(p, sizeof p, path, "minDurationMs");
            return otel_config_error_set(err, p, "expected a number of milliseconds >= 0");
        }
        r->min_duration_ms = (long)json_number_value(md);
    }
    const json_t *src = json_object_get(obj, "source");
    if (src && !json_is_null(src)) {
        otel_config_path_member(p, sizeof p, path, "source");
        if (!with_source)
            return otel_config_error_set(err, p, "not allowed in defaults");
        if (!json_is_string(src) || json_string_length(src) == 0)
            return otel_config_error_set(err, p, "expected a non-empty string");
        if (json_string_value(src)[0] == '#')
            return otel_config_error_set(err, p, "regular expressions ('#...') are not supported for spans");
        if (!(r->source = strdup(json_string_value(src))))
            return otel_config_error_set(err, path, "out of memory");
    }
    return 0;
}

int otel_traces_config_from_json(const json_t *obj, const char *key_path, otel_traces_config *out,
                                 otel_config_error *err)
{
    const char *path = key_path && *key_path ? key_path : "traces";
    char p[OTEL_CONFIG_PATH_MAX];
    if (otel_traces_config_init(out) != 0)
        return otel_config_error_set(err, path, "out of memory");
    if (!json_is_object(obj))
        return otel_config_error_set(err, path, "expected an object");
    if (get_bool(obj, "enabled", &out->enabled, path, err) != 0)
        return -1;
    const json_t *cat = json_object_get(obj, "category");
    if (cat && !json_is_null(cat)) {
        if (!json_is_string(cat) || json_string_length(cat) == 0) {
            otel_config_path_member(p, sizeof p, path, "category");
            return otel_config_error_set(err, p, "expected a non-empty string");
        }
        char *c = strdup(json_string_value(cat));
        if (!c)
            return otel_config_error_set(err, path, "out of memory");
        free(out->category);
        out->category = c;
    }
    const json_t *d = json_object_get(obj, "defaults");
    if (d && !json_is_null(d)) {
        otel_config_path_member(p, sizeof p, path, "defaults");
        if (parse_rule(d, 0, &out->defaults, p, err) != 0)
            return -1;
    }
    const json_t *f = json_object_get(obj, "filters");
    if (f && !json_is_null(f)) {
        otel_config_path_member(p, sizeof p, path, "filters");
        if (!json_is_array(f))
            return otel_config_error_set(err, p, "expected an array");
        size_t n = json_array_size(f);
        if (n) {
            out->filters = calloc(n, sizeof *out->filters);
            if (!out->filters)
                return otel_config_error_set(err, path, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            char ip[OTEL_CONFIG_PATH_MAX];
            rule_unset(&out->filters[i]);
            out->nfilters = i + 1;
            otel_config_path_index(ip, sizeof ip, p, i);
            if (parse_rule(json_array_get(f, i), 1, &out->filters[i], ip, err) != 0)
                return -1;
        }
    }
    return 0;
}
