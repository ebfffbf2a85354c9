/*
 * sources.c - classification of categories into log sources (see
 * sources.h), its configuration (defaults and the JSON section) and the
 * per-category cache the appender's hot path uses.
 */
#include "sources.h"
#include "config_values.h"
#include "log4c-otel.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ---- */

static int add_rule(otel_sources_config *c, const char *category, const char *source, int app)
{
    otel_source_rule *r = realloc(c->rules, (c->nrules + 1) * sizeof *r);
    if (!r)
        return -1;
    c->rules = r;
    r[c->nrules].category = strdup(category);
    r[c->nrules].source = strdup(source);
    r[c->nrules].app_name_from_category = app;
    if (!r[c->nrules].category || !r[c->nrules].source) {
        free(r[c->nrules].category);
        free(r[c->nrules].source);
        return -1;
    }
    c->nrules++;
    return 0;
}

void otel_sources_config_free(otel_sources_config *c)
{
    for (size_t i = 0; i < c->nrules; i++) {
        free(c->rules[i].category);
        free(c->rules[i].source);
    }
    free(c->rules);
    free(c->default_source);
    memset(c, 0, sizeof *c);
}

int otel_sources_config_default(otel_sources_config *c)
{
    memset(c, 0, sizeof *c);
    c->enabled = 1;
    if (!(c->default_source = strdup(OTEL_SOURCE_PLATFORM)) || add_rule(c, "app", OTEL_SOURCE_APP, 1) != 0 ||
        add_rule(c, "gw", OTEL_SOURCE_GATEWAY, 0) != 0 || add_rule(c, "captured", OTEL_SOURCE_CAPTURED, 1) != 0) {
        otel_sources_config_free(c);
        return -1;
    }
    return 0;
}

/* A category name or prefix: non-empty, no empty component, no '#' (regular
 * expressions are not supported for sources). */
static int valid_category(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[0] != '.' && s[n - 1] != '.' && !strstr(s, "..") && s[0] != '#';
}

int otel_sources_config_from_json(const struct json_t *jobj, const char *key_path, otel_sources_config *out,
                                  otel_config_error *err)
{
    const json_t *obj = (const json_t *)jobj;
    char path[OTEL_CONFIG_PATH_MAX];
    const char *kp = key_path && *key_path ? key_path : "sources";
    static const char *const keys[] = {"enabled", "default", "rules", NULL};
    static const char *const rule_keys[] = {"categoryName", "source", "appNameFromCategory", NULL};
    if (!json_is_object(obj))
        return otel_config_error_set(err, kp, "expected an object");
    if (otel_config_check_keys(obj, kp, keys, err) != 0)
        return -1;

    otel_sources_config c;
    memset(&c, 0, sizeof c);
    c.enabled = 1;
    const json_t *v = json_object_get(obj, "enabled");
    if (v) {
        if (!json_is_boolean(v)) {
            otel_config_path_member(path, sizeof path, kp, "enabled");
            return otel_config_error_set(err, path, "expected true or false");
        }
        c.enabled = json_is_true(v);
    }
    v = json_object_get(obj, "default");
    const char *def = out->default_source ? out->default_source : OTEL_SOURCE_PLATFORM;
    if (v) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            otel_config_path_member(path, sizeof path, kp, "default");
            return otel_config_error_set(err, path, "expected a non-empty string");
        }
        def = json_string_value(v);
    }
    if (!(c.default_source = strdup(def)))
        return otel_config_error_set(err, kp, "out of memory");

    const json_t *rules = json_object_get(obj, "rules");
    if (rules) {
        char rp[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(rp, sizeof rp, kp, "rules");
        if (!json_is_array(rules)) {
            otel_sources_config_free(&c);
            return otel_config_error_set(err, rp, "expected an array");
        }
        for (size_t i = 0; i < json_array_size(rules); i++) {
            const json_t *r = json_array_get(rules, i);
            const json_t *cat = json_object_get(r, "categoryName");
            const json_t *src = json_object_get(r, "source");
            const json_t *app = json_object_get(r, "appNameFromCategory");
            const char *problem = NULL, *key = NULL;
            otel_config_path_index(path, sizeof path, rp, i);
            if (otel_config_check_keys(r, path, rule_keys, err) != 0) {
                otel_sources_config_free(&c);
                return -1;
            }
            if (!json_is_object(r))
                problem = "expected an object";
            else if (!json_is_string(cat) || !valid_category(json_string_value(cat)))
                key = "categoryName", problem = "expected a category name or dotted prefix (no regular expression)";
            else if (!json_is_string(src) || json_string_length(src) == 0)
                key = "source", problem = "expected a non-empty string";
            else if (app && !json_is_boolean(app))
                key = "appNameFromCategory", problem = "expected true or false";
            if (problem) {
                otel_sources_config_free(&c);
                otel_config_path_index(path, sizeof path, rp, i);
                if (key) {
                    char ep[OTEL_CONFIG_PATH_MAX];
                    otel_config_path_member(ep, sizeof ep, path, key);
                    return otel_config_error_set(err, ep, "%s", problem);
                }
                return otel_config_error_set(err, path, "%s", problem);
            }
            if (add_rule(&c, json_string_value(cat), json_string_value(src), json_is_true(app)) != 0) {
                otel_sources_config_free(&c);
                return otel_config_error_set(err, kp, "out of memory");
            }
        }
    } else {
        /* no rules given: keep the ones *out has */
        for (size_t i = 0; i < out->nrules; i++)
            if (add_rule(&c, out->rules[i].category, out->rules[i].source, out->rules[i].app_name_from_category) != 0) {
                otel_sources_config_free(&c);
                return otel_config_error_set(err, kp, "out of memory");
            }
    }
    otel_sources_config_free(out);
    *out = c;
    return 0;
}

int otel_sources_config_copy(otel_sources_config *dst, const otel_sources_config *src)
{
    otel_sources_config c;
    memset(&c, 0, sizeof c);
    c.enabled = src->enabled;
    if (src->default_source && !(c.default_source = strdup(src->default_source)))
        return -1;
    for (size_t i = 0; i < src->nrules; i++)
        if (add_rule(&c, src->rules[i].category, src->rules[i].source, src->rules[i].app_name_from_category) != 0) {
            otel_sources_config_free(&c);
            return -1;
        }
    otel_sources_config_free(dst);
    *dst = c;
    return 0;
}

/* ---- classification ---- */

#define CACHE_SLOTS 1024u /* power of two */
#define MAX_PROBES 16u

typedef struct cache_entry {
    uint32_t hash;
    int rule;               /* -1: the default source */
    size_t app_off, app_len; /* app name inside the category; app_len 0 with app_off 0: none */
    char name[];            /* the category */
} cache_entry;

typedef struct rule {
    char *category;
    size_t len;
    char *source;
    size_t source_len; /* strlen(source) */
    int app;
} rule;

struct otel_sources {
    int enabled;
    rule *rules;
    size_t nrules;
    char *default_source;
    size_t default_source_len;
    _Atomic(cache_entry *) slots[CACHE_SLOTS];
};

otel_sources *otel_sources_new(const otel_sources_config *c)
{
    otel_sources *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->enabled = c->enabled;
    s->default_source = strdup(c->default_source ? c->default_source : OTEL_SOURCE_PLATFORM);
    s->rules = calloc(c->nrules ? c->nrules : 1, sizeof *s->rules);
    if (!s->default_source || !s->rules) {
        otel_sources_free(s);
        return NULL;
    }
    for (size_t i = 0; i < c->nrules; i++, s->nrules++) {
        s->rules[i].category = strdup(c->rules[i].category);
        s->rules[i].source = strdup(c->rules[i].source);
        s->rules[i].len = s->rules[i].category ? strlen(s->rules[i].category) : 0;
        s->rules[i].source_len = s->rules[i].source ? strlen(s->rules[i].source) : 0;
        s->rules[i].app = c->rules[i].app_name_from_category;
        if (!s->rules[i].category || !s->rules[i].source) {
            s->nrules++;
            otel_sources_free(s);
            return NULL;
        }
    }
    s->default_source_len = strlen(s->default_source);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        atomic_init(&s->slots[i], NULL);
    return s;
}

void otel_sources_free(otel_sources *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrules; i++) {
        free(s->rules[i].category);
        free(s->rules[i].source);
    }
    free(s->rules);
    free(s->default_source);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        free(atomic_load_explicit(&s->slots[i], memory_order_relaxed));
    free(s);
}

/* The rule index for category (-1: default) and the app name's position. */
static int match(const otel_sources *s, const char *cat, size_t len, size_t *app_off, size_t *app_len)
{
    *app_off = *app_len = 0;
    for (size_t i = 0; i < s->nrules; i++) {
        const rule *r = &s->rules[i];
        if (len < r->len || memcmp(cat, r->category, r->len) != 0 || (len > r->len && cat[r->len] != '.'))
            continue;
        if (r->app && len > r->len + 1) {
            const char *name = cat + r->len + 1;
            const char *dot = memchr(name, '.', len - r->len - 1);
            *app_off = r->len + 1;
            *app_len = dot ? (size_t)(dot - name) : len - r->len - 1;
        }
        return (int)i;
    }
    return -1;
}

static void fill(const otel_sources *s, const char *cat, int r, size_t app_off, size_t app_len,
                 otel_source_class *out)
{
    out->source = r >= 0 ? s->rules[r].source : s->default_source;
    out->source_len = r >= 0 ? s->rules[r].source_len : s->default_source_len;
    out->app_name = app_len ? cat + app_off : NULL;
    out->app_name_len = app_len;
}

void otel_sources_classify_uncached(const otel_sources *s, const char *category, otel_source_class *out)
{
    memset(out, 0, sizeof *out);
    if (!s->enabled)
        return;
    const char *cat = category ? category : "";
    size_t off, len;
    int r = match(s, cat, strlen(cat), &off, &len);
    fill(s, cat, r, off, len, out);
}

/* FNV-1a over the name, also giving its length. */
static uint32_t hash_name(const char *s, size_t *len)
{
    uint32_t h = 2166136261u;
    const char *p = s;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    *len = (size_t)(p - s);
    return h;
}

void otel_sources_classify(otel_sources *s, const char *category, otel_source_class *out)
{
    memset(out, 0, sizeof *out);
    if (!s->enabled)
        return;
    const char *cat = category ? category : "";
    size_t len;
    uint32_t h = hash_name(cat, &len);
    cache_entry *mine = NULL;
    for (unsigned probe = 0; probe < MAX_PROBES; probe++) {
        _Atomic(cache_entry *) *slot = &s->slots[(h + probe) & (CACHE_SLOTS - 1)];
        cache_entry *e = atomic_load_explicit(slot, memory_order_acquire);
        if (!e) {
            /* not cached: classify, then try to publish into this slot */
            if (!mine) {
                mine = malloc(sizeof *mine + len + 1);
                if (!mine)
                    break;
                mine->hash = h;
                memcpy(mine->name, cat, len + 1);
                mine->rule = match(s, cat, len, &mine->app_off, &mine->app_len);
            }
            cache_entry *expected = NULL;
            if (atomic_compare_exchange_strong_explicit(slot, &expected, mine, memory_order_acq_rel,
                                                        memory_order_acquire)) {
                fill(s, cat, mine->rule, mine->app_off, mine->app_len, out);
                return;
            }
            e = expected; /* another thread filled the slot first */
        }
        if (e->hash == h && strcmp(e->name, cat) == 0) {
            if (mine) /* the common case, a cache hit, makes no call */
                free(mine);
            fill(s, cat, e->rule, e->app_off, e->app_len, out);
            return;
        }
    }
    /* table crowded (or out of memory): classify without caching */
    if (mine) {
        fill(s, cat, mine->rule, mine->app_off, mine->app_len, out);
        free(mine);
        return;
    }
    size_t off, alen;
    int r = match(s, cat, len, &off, &alen);
    fill(s, cat, r, off, alen, out);
}
