/*
 * traces_config.c - span filters: matching on the span name's dotted prefix
 * and on the span's filtering context, every matching filter merged first
 * wins, completed by defaults; and the parser of the JSON `traces` section
 * (see traces_config.h).
 */
#include "traces_config.h"
#include "config_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rule_unset(otel_span_rule *r)
{
    r->source = NULL;
    r->context = NULL;
    r->ncontext = 0;
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

static void rule_free(otel_span_rule *r)
{
    free(r->source);
    for (size_t i = 0; i < r->ncontext; i++) {
        free(r->context[i].key);
        free(r->context[i].s);
    }
    free(r->context);
}

void otel_traces_config_free(otel_traces_config *c)
{
    free(c->category);
    free(c->service_name);
    rule_free(&c->defaults);
    for (size_t i = 0; i < c->nfilters; i++)
        rule_free(&c->filters[i]);
    free(c->filters);
    memset(c, 0, sizeof *c);
}

int otel_traces_config_set_service_name(otel_traces_config *c, const char *service_name)
{
    char *s = NULL;
    if (service_name && !(s = strdup(service_name)))
        return -1;
    free(c->service_name);
    c->service_name = s;
    return 0;
}

int otel_span_source_matches(const char *source, const char *name)
{
    if (!source)
        return 1;
    size_t n = strlen(source);
    return strncmp(source, name, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

/* JSON equality of a context value and a span's attribute: same kind
 * (a string, a number, a boolean) and the same value; integers and doubles
 * compare as numbers. */
static int value_equal(const otel_span_ctx_value *w, const otel_attr *a)
{
    switch (w->type) {
    case OTEL_SPAN_CTX_STRING:
        return a->type == OTEL_VALUE_STRING && a->v.str.s_len == w->s_len &&
               (w->s_len == 0 || memcmp(a->v.str.s, w->s, w->s_len) == 0);
    case OTEL_SPAN_CTX_BOOL:
        return a->type == OTEL_VALUE_BOOL && (a->v.b != 0) == (w->b != 0);
    case OTEL_SPAN_CTX_NUMBER:
        if (a->type == OTEL_VALUE_INT)
            return w->is_int ? a->v.i == w->i : (double)a->v.i == w->d;
        return a->type == OTEL_VALUE_DOUBLE && a->v.d == w->d;
    }
    return 0;
}

int otel_span_context_matches(const otel_traces_config *c, const otel_span_ctx_value *want, size_t nwant,
                              const otel_attr *fctx, size_t n)
{
    for (size_t i = 0; i < nwant; i++) {
        const otel_attr *a = NULL;
        for (size_t j = 0; j < n && !a; j++)
            if (strcmp(fctx[j].key, want[i].key) == 0)
                a = &fctx[j];
        otel_attr svc;
        if (!a && c->service_name && strcmp(want[i].key, "service.name") == 0) {
            svc.key = "service.name";
            svc.type = OTEL_VALUE_STRING;
            svc.v.str.s = c->service_name;
            svc.v.str.s_len = strlen(c->service_name);
            a = &svc;
        }
        if (!a || !value_equal(&want[i], a))
            return 0;
    }
    return 1;
}

void otel_traces_decide(const otel_traces_config *c, const char *name, const otel_attr *fctx, size_t n,
                        otel_span_decision *out)
{
    int enabled = -1, log = -1;
    long min_duration_ms = -1;
    for (size_t i = 0; i < c->nfilters && (enabled < 0 || log < 0 || min_duration_ms < 0); i++) {
        const otel_span_rule *f = &c->filters[i];
        if (!otel_span_source_matches(f->source, name) ||
            !otel_span_context_matches(c, f->context, f->ncontext, fctx, n))
            continue;
        if (enabled < 0)
            enabled = f->enabled;
        if (log < 0)
            log = f->log;
        if (min_duration_ms < 0)
            min_duration_ms = f->min_duration_ms;
    }
    const otel_span_rule *d = &c->defaults;
#define PICK(v, field, builtin) ((v) >= 0 ? (v) : d->field >= 0 ? d->field : (builtin))
    out->enabled = c->enabled && PICK(enabled, enabled, 1);
    out->log = PICK(log, log, 1);
    out->min_duration_ms = PICK(min_duration_ms, min_duration_ms, 0);
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

/* A filter's `context`: an object of strings (not '#' regexes), numbers and
 * booleans, kept as typed pairs. */
static int parse_context(const json_t *obj, otel_span_rule *r, const char *path, otel_config_error *err)
{
    if (!json_is_object(obj))
        return otel_config_error_set(err, path, "expected an object");
    size_t n = json_object_size(obj);
    if (n == 0)
        return 0;
    if (!(r->context = calloc(n, sizeof *r->context)))
        return otel_config_error_set(err, path, "out of memory");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, key);
        otel_span_ctx_value *cv = &r->context[r->ncontext];
        if (json_is_string(v)) {
            if (json_string_value(v)[0] == '#')
                return otel_config_error_set(err, p, "regular expressions ('#...') are not supported for spans");
            cv->type = OTEL_SPAN_CTX_STRING;
            cv->s_len = json_string_length(v);
            if (!(cv->s = malloc(cv->s_len + 1)))
                return otel_config_error_set(err, path, "out of memory");
            memcpy(cv->s, json_string_value(v), cv->s_len + 1);
        } else if (json_is_integer(v)) {
            cv->type = OTEL_SPAN_CTX_NUMBER;
            cv->is_int = 1;
            cv->i = (int64_t)json_integer_value(v);
            cv->d = (double)cv->i;
        } else if (json_is_real(v)) {
            cv->type = OTEL_SPAN_CTX_NUMBER;
            cv->d = json_real_value(v);
        } else if (json_is_boolean(v)) {
            cv->type = OTEL_SPAN_CTX_BOOL;
            cv->b = json_is_true(v);
        } else {
            return otel_config_error_set(err, p, "expected a string, a number or true or false");
        }
        if (!(cv->key = strdup(key))) {
            free(cv->s);
            cv->s = NULL;
            return otel_config_error_set(err, path, "out of memory");
        }
        r->ncontext++;
    }
    return 0;
}

static int parse_rule(const json_t *obj, int with_source, otel_span_rule *r, const char *path, otel_config_error *err)
{
    char p[OTEL_CONFIG_PATH_MAX];
    static const char *const keys[] = {"context", "enabled", "log", "minDurationMs", "source", NULL};
    static const char *const log_keys[] = {"enabled", NULL};
    if (!json_is_object(obj))
        return otel_config_error_set(err, path, "expected an object");
    if (otel_config_check_keys(obj, path, keys, err) != 0)
        return -1;
    if (get_bool(obj, "enabled", &r->enabled, path, err) != 0)
        return -1;
    const json_t *log = json_object_get(obj, "log");
    if (log && json_is_object(log)) { /* TracesAsLogsOptions */
        otel_config_path_member(p, sizeof p, path, "log");
        if (otel_config_check_keys(log, p, log_keys, err) != 0)
            return -1;
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
    const json_t *ctx = json_object_get(obj, "context");
    if (ctx && !json_is_null(ctx)) {
        otel_config_path_member(p, sizeof p, path, "context");
        if (!with_source)
            return otel_config_error_set(err, p, "not allowed in defaults");
        if (parse_context(ctx, r, p, err) != 0)
            return -1;
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
    static const char *const keys[] = {"enabled", "category", "defaults", "filters", NULL};
    if (!json_is_object(obj))
        return otel_config_error_set(err, path, "expected an object");
    if (otel_config_check_keys(obj, path, keys, err) != 0)
        return -1;
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
