/*
 * filter.c - parsing the filters/defaults of the logs configuration and
 * selecting the options for a record (semantics in filter.h).
 */
#include "filter.h"
#include "config_values.h"
#include "severity_names.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int min, max;
} BANDS[] = {
    {"TRACE", 1, 4}, {"DEBUG", 5, 8}, {"INFO", 9, 12}, {"WARN", 13, 16}, {"ERROR", 17, 20}, {"FATAL", 21, 24},
};

int otel_severity_band(const char *name, int *min, int *max)
{
    for (size_t i = 0; i < sizeof BANDS / sizeof BANDS[0]; i++)
        if (strcasecmp(name, BANDS[i].name) == 0) {
            *min = BANDS[i].min;
            *max = BANDS[i].max;
            return 0;
        }
    return -1;
}

const char *otel_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "a value";
}

static int compile(const json_t *v, const char *path, int flags, otel_regex **out, otel_config_error *err)
{
    if (!json_is_string(v))
        return otel_config_error_set(err, path, "expected a regular expression (a string), got %s", otel_json_type_name(v));
    char why[320];
    *out = otel_regex_compile(json_string_value(v), flags, why, sizeof why);
    if (!*out)
        return otel_config_error_set(err, path, "expected a valid regular expression (%s)", why);
    return 0;
}

int otel_filter_rule_from_json(const json_t *obj, const char *key_path, otel_filter_rule *r, int is_defaults,
                               otel_config_error *err)
{
    memset(r, 0, sizeof *r);
    r->enabled = -1;
    if (!json_is_object(obj))
        return otel_config_error_set(err, key_path, "expected an object, got %s", otel_json_type_name(obj));
    const char *k;
    json_t *v;
    char path[OTEL_CONFIG_PATH_MAX];
    json_object_foreach((json_t *)obj, k, v) {
        otel_config_path_member(path, sizeof path, key_path, k);
        if (!is_defaults && strcmp(k, "categoryName") == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0)
                return otel_config_error_set(err, path, "expected a non-empty category name or \"#regex\", got %s",
                                             json_is_string(v) ? "an empty string" : otel_json_type_name(v));
            const char *c = json_string_value(v);
            if (!(r->category = strdup(c)))
                return otel_config_error_set(err, path, "out of memory");
            r->category_len = strlen(c);
            if (c[0] == '#') {
                json_t *pat = json_string(c + 1);
                int rc = pat ? compile(pat, path, OTEL_REGEX_CASELESS, &r->category_re, err)
                             : otel_config_error_set(err, path, "out of memory");
                json_decref(pat);
                if (rc)
                    return -1;
            }
        } else if (!is_defaults && strcmp(k, "severity") == 0) {
            if (!json_is_string(v) || otel_severity_name_band(json_string_value(v), &r->sev_min, &r->sev_max) != 0)
                return otel_config_error_set(err, path,
                                             "expected one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got %s%s%s",
                                             json_is_string(v) ? "\"" : "",
                                             json_is_string(v) ? json_string_value(v) : otel_json_type_name(v),
                                             json_is_string(v) ? "\"" : "");
        } else if (!is_defaults && strcmp(k, "bodyRegex") == 0) {
            if (compile(v, path, 0, &r->body_re, err))
                return -1;
        } else if (strcmp(k, "enabled") == 0) {
            if (!json_is_boolean(v))
                return otel_config_error_set(err, path, "expected true or false, got %s", otel_json_type_name(v));
            r->enabled = json_is_true(v);
        } else if (strcmp(k, "hideRegex") == 0) {
            if (compile(v, path, 0, &r->hide, err))
                return -1;
        } else if (strcmp(k, "allowedAttributes") == 0) {
            if (!json_is_array(v))
                return otel_config_error_set(err, path, "expected an array of attribute names, got %s", otel_json_type_name(v));
            size_t n = json_array_size(v);
            r->has_allowed = 1;
            r->allowed = calloc(n ? n : 1, sizeof *r->allowed);
            if (!r->allowed)
                return otel_config_error_set(err, path, "out of memory");
            for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(v, i);
                if (!json_is_string(e)) {
                    char ip[OTEL_CONFIG_PATH_MAX];
                    otel_config_path_index(ip, sizeof ip, path, i);
                    return otel_config_error_set(err, ip, "expected an attribute name (a string), got %s",
                                                 otel_json_type_name(e));
                }
                if (!(r->allowed[r->nallowed] = strdup(json_string_value(e))))
                    return otel_config_error_set(err, path, "out of memory");
                r->nallowed++;
            }
        } else if (otel_config_unknown_key_near(err, path, k, OTEL_CONFIG_FILTER_RULE_KEYS)) {
            return -1;
        }
    }
    return 0;
}

void otel_filter_rule_free(otel_filter_rule *r)
{
    free(r->category);
    otel_regex_free(r->category_re);
    otel_regex_free(r->body_re);
    otel_regex_free(r->hide);
    for (size_t i = 0; i < r->nallowed; i++)
        free(r->allowed[i]);
    free(r->allowed);
    memset(r, 0, sizeof *r);
    r->enabled = -1;
}

static void resolve(otel_filter_rule *r, const otel_filter_rule *d)
{
    otel_log_options *e = &r->eff;
    e->enabled = r->enabled >= 0 ? r->enabled : d && d->enabled >= 0 ? d->enabled : 1;
    e->hide = r->hide ? r->hide : d ? d->hide : NULL;
    const otel_filter_rule *a = r->has_allowed ? r : d && d->has_allowed ? d : NULL;
    e->has_allowed = a != NULL;
    e->allowed = a ? a->allowed : NULL;
    e->nallowed = a ? a->nallowed : 0;
}

void otel_filter_set_resolve(otel_filter_set *fs)
{
    resolve(&fs->defaults, NULL);
    for (size_t i = 0; i < fs->nrules; i++)
        resolve(&fs->rules[i], &fs->defaults);
}

void otel_filter_set_free(otel_filter_set *fs)
{
    for (size_t i = 0; i < fs->nrules; i++)
        otel_filter_rule_free(&fs->rules[i]);
    free(fs->rules);
    otel_filter_rule_free(&fs->defaults);
    fs->rules = NULL;
    fs->nrules = 0;
}

static int category_matches(const otel_filter_rule *r, const char *cat)
{
    if (r->category_re)
        return otel_regex_search(r->category_re, cat, strlen(cat), NULL);
    return strncmp(cat, r->category, r->category_len) == 0 &&
           (cat[r->category_len] == '\0' || cat[r->category_len] == '.');
}

/* The first rule from index *i on whose category and severity keys match
 * (*i moves past it), or NULL: the walk both the selection and the
 * body-less decision make. */
static const otel_filter_rule *next_rule(const otel_filter_set *fs, const char *cat, int sev, size_t *i)
{
    for (; *i < fs->nrules; ++*i) {
        const otel_filter_rule *r = &fs->rules[*i];
        if (r->sev_min && (sev < r->sev_min || sev > r->sev_max))
            continue;
        if (r->category && !category_matches(r, cat))
            continue;
        ++*i;
        return r;
    }
    return NULL;
}

const otel_log_options *otel_filter_select(const otel_filter_set *fs, const char *category, int sev,
                                           const char *body, size_t body_len)
{
    const char *cat = category ? category : "";
    size_t i = 0;
    for (const otel_filter_rule *r; (r = next_rule(fs, cat, sev, &i)) != NULL;) {
        /* a search that hits its limit counts as a match: the rule's options
         * (dropping, masking) are the cautious outcome */
        if (r->body_re && !otel_regex_search(r->body_re, body ? body : "", body ? body_len : 0, NULL))
            continue;
        return &r->eff;
    }
    return &fs->defaults.eff;
}

otel_filter_decision otel_filter_decide(const otel_filter_set *fs, const char *category, int sev,
                                        const otel_log_options **kept)
{
    size_t i = 0;
    const otel_filter_rule *r = next_rule(fs, category ? category : "", sev, &i);
    const otel_log_options *o = r ? &r->eff : &fs->defaults.eff;
    if (r && r->body_re) /* only the body decides: one it does not match falls through */
        return OTEL_FILTER_UNDECIDED;
    if (!o->enabled)
        return OTEL_FILTER_DROP;
    if (kept)
        *kept = o;
    return OTEL_FILTER_KEEP;
}

int otel_options_allow(const otel_log_options *o, const char *key)
{
    if (!o->has_allowed)
        return 1;
    for (size_t i = 0; i < o->nallowed; i++)
        if (strcmp(o->allowed[i], key) == 0)
            return 1;
    return 0;
}
