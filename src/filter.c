/*
 * filter.c - parsing the filters/defaults of the logs configuration and
 * selecting the options for a record (semantics in filter.h).
 */
#include "filter.h"
#include "config_values.h"
#include "severity_names.h"

#include <stdatomic.h>
#include <stdint.h>
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

/* A combination: the first matching rule (or none) and the other
 * matching rules whose hideRegex adds to the union. */
struct otel_filter_combo {
    otel_filter_combo *next;
    size_t count; /* combinations in the list from this one on */
    otel_log_options o;
    size_t nkey;
    size_t key[]; /* key[0]: the first matching rule's index (SIZE_MAX: none); then the others, ascending */
};

#define COMBO_KEY_MAX 64 /* more contributing rules: eff_all (masks more, never less) */

/* What a union that cannot be allocated becomes: no pattern, which
 * otel_regex_mask_set takes as "mask the whole value" (fail closed). */
static const otel_regex_set whole_set = {0};

static void free_options_hide(otel_log_options *o)
{
    if (o->hide != &whole_set)
        free((void *)o->hide);
    o->hide = NULL;
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
    free_options_hide(&r->eff);
    free_options_hide(&r->eff_all);
    memset(r, 0, sizeof *r);
    r->enabled = -1;
}

/* A set of the distinct patterns among re[0..n) (NULL entries skipped);
 * NULL when there are none, whole_set when it cannot be made. */
static const otel_regex_set *make_set(const otel_regex *const *re, size_t n)
{
    size_t any = 0;
    for (size_t i = 0; i < n; i++)
        any += re[i] != NULL;
    if (!any)
        return NULL;
    otel_regex_set *set = malloc(sizeof *set + any * sizeof set->re[0]);
    if (!set)
        return &whole_set;
    set->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (!re[i])
            continue;
        size_t j = 0;
        while (j < set->n && set->re[j] != re[i])
            j++;
        if (j == set->n)
            set->re[set->n++] = re[i];
    }
    return set;
}

/* o: r's own options over d's; hide from the patterns given. */
static void resolve_options(otel_log_options *e, const otel_filter_rule *r, const otel_filter_rule *d)
{
    e->enabled = r->enabled >= 0 ? r->enabled : d && d->enabled >= 0 ? d->enabled : 1;
    const otel_filter_rule *a = r->has_allowed ? r : d && d->has_allowed ? d : NULL;
    e->has_allowed = a != NULL;
    e->allowed = a ? a->allowed : NULL;
    e->nallowed = a ? a->nallowed : 0;
}

static void free_combos(otel_filter_set *fs)
{
    otel_filter_combo *c = atomic_exchange(&fs->combos, NULL);
    while (c) {
        otel_filter_combo *n = c->next;
        free((void *)c->o.hide);
        free(c);
        c = n;
    }
}

void otel_filter_set_resolve(otel_filter_set *fs)
{
    free_combos(fs);
    size_t n = fs->nrules;
    otel_filter_rule *d = &fs->defaults;
    free_options_hide(&d->eff);
    free_options_hide(&d->eff_all);
    resolve_options(&d->eff, d, NULL);
    const otel_regex *dh = d->hide;
    d->eff.hide = make_set(&dh, 1);
    d->eff_all = d->eff;
    d->eff_all.hide = NULL; /* never used for the defaults */
    const otel_regex **all = malloc((n + 1) * sizeof *all);
    if (all) {
        all[0] = d->hide;
        for (size_t i = 0; i < n; i++)
            all[i + 1] = fs->rules[i].hide;
    }
    for (size_t i = 0; i < n; i++) {
        otel_filter_rule *r = &fs->rules[i];
        free_options_hide(&r->eff);
        free_options_hide(&r->eff_all);
        resolve_options(&r->eff, r, d);
        const otel_regex *pair[2] = {d->hide, r->hide};
        r->eff.hide = make_set(pair, 2);
        r->eff_all = r->eff;
        r->eff_all.hide = all ? make_set(all, n + 1) : &whole_set;
    }
    free(all);
}

void otel_filter_set_free(otel_filter_set *fs)
{
    free_combos(fs);
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

#define COMBOS_MAX 1024 /* distinct combinations remembered; more: eff_all */

/* The options for the first matching rule key[0] with the others of key
 * adding their hideRegex: found, or built and remembered. */
static const otel_log_options *combo_options(const otel_filter_set *fs, const size_t *key, size_t nkey)
{
    otel_filter_set *m = (otel_filter_set *)fs; /* the combinations are a cache */
    const otel_filter_rule *first = &fs->rules[key[0]];
    otel_filter_combo *head = atomic_load_explicit(&m->combos, memory_order_acquire);
    for (otel_filter_combo *c = head; c; c = c->next)
        if (c->nkey == nkey && memcmp(c->key, key, nkey * sizeof *key) == 0)
            return &c->o;
    if (head && head->count >= COMBOS_MAX)
        return &first->eff_all;
    otel_filter_combo *c = malloc(sizeof *c + nkey * sizeof *key);
    const otel_regex **re = malloc((nkey + 1) * sizeof *re);
    if (!c || !re) {
        free(c);
        free(re);
        return &first->eff_all;
    }
    re[0] = fs->defaults.hide;
    for (size_t i = 0; i < nkey; i++)
        re[i + 1] = fs->rules[key[i]].hide;
    c->o = first->eff;
    c->o.hide = make_set(re, nkey + 1);
    free(re);
    if (c->o.hide == &whole_set) {
        free(c);
        return &first->eff_all;
    }
    c->nkey = nkey;
    memcpy(c->key, key, nkey * sizeof *key);
    do {
        c->next = head;
        c->count = head ? head->count + 1 : 1;
    } while (!atomic_compare_exchange_weak_explicit(&m->combos, &head, c, memory_order_acq_rel,
                                                    memory_order_acquire));
    return &c->o;
}

/* Options for the first matching rule key[0] (SIZE_MAX: none) and the
 * other contributing rules key[1..nkey) (over: more than fit). */
static const otel_log_options *options_for(const otel_filter_set *fs, const size_t *key, size_t nkey, int over)
{
    if (key[0] == SIZE_MAX)
        return &fs->defaults.eff;
    if (over)
        return &fs->rules[key[0]].eff_all;
    if (nkey == 1)
        return &fs->rules[key[0]].eff;
    return combo_options(fs, key, nkey);
}

const otel_log_options *otel_filter_select(const otel_filter_set *fs, const char *category, int sev,
                                           const char *body, size_t body_len)
{
    const char *cat = category ? category : "";
    const char *b = body ? body : "";
    size_t blen = body ? body_len : 0;
    size_t key[COMBO_KEY_MAX], nkey = 1;
    int over = 0, runaway = 0;
    key[0] = SIZE_MAX;
    size_t i = 0;
    for (const otel_filter_rule *r; (r = next_rule(fs, cat, sev, &i)) != NULL;) {
        if (key[0] != SIZE_MAX && !r->hide)
            continue; /* after the first, only a rule's hideRegex matters */
        if (r->body_re) {
            /* a search that hits its limit counts as a match for the
             * options, and makes every candidate's hideRegex apply */
            int hit = 0;
            int m = otel_regex_search(r->body_re, b, blen, &hit);
            runaway |= hit;
            if (!m)
                continue;
        }
        if (key[0] == SIZE_MAX)
            key[0] = i - 1;
        else if (nkey < COMBO_KEY_MAX)
            key[nkey++] = i - 1;
        else
            over = 1;
    }
    if (runaway && key[0] != SIZE_MAX) { /* every rule matching on category and severity adds its masks */
        nkey = 1;
        i = 0;
        for (const otel_filter_rule *r; (r = next_rule(fs, cat, sev, &i)) != NULL;) {
            if (i - 1 == key[0] || !r->hide)
                continue;
            if (nkey < COMBO_KEY_MAX)
                key[nkey++] = i - 1;
            else
                over = 1;
        }
    }
    return options_for(fs, key, nkey, over);
}

otel_filter_decision otel_filter_decide(const otel_filter_set *fs, const char *category, int sev,
                                        const otel_log_options **kept)
{
    const char *cat = category ? category : "";
    size_t i = 0;
    const otel_filter_rule *r = next_rule(fs, cat, sev, &i);
    size_t key[COMBO_KEY_MAX], nkey = 1;
    int over = 0;
    key[0] = r ? i - 1 : SIZE_MAX;
    if (r && r->body_re) /* only the body decides: one it does not match falls through */
        return OTEL_FILTER_UNDECIDED;
    if (!(r ? r->eff.enabled : fs->defaults.eff.enabled))
        return OTEL_FILTER_DROP;
    if (r)
        for (const otel_filter_rule *l; (l = next_rule(fs, cat, sev, &i)) != NULL;) {
            if (!l->hide)
                continue;
            if (l->body_re) /* its hideRegex applies to the bodies it matches */
                return OTEL_FILTER_UNDECIDED;
            if (nkey < COMBO_KEY_MAX)
                key[nkey++] = i - 1;
            else
                over = 1;
        }
    if (kept)
        *kept = options_for(fs, key, nkey, over);
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
