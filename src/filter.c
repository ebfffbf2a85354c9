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

/* What otel_severity_name_band accepts (severity_names.c), for messages. */
#define SEVERITY_NAMES                                                                                             \
    "TRACE, DEBUG, INFO, WARN, ERROR, FATAL, ALL, MARK, OFF, VERBOSE, INFORMATION, INFORMATIONAL, NOTICE, WARNING, " \
    "ERR, CRIT, CRITICAL, ALERT, EMERG or EMERGENCY"

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
                                             "expected a severity name (any case): " SEVERITY_NAMES ", got %s%s%s",
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

/* A combination: what a record's options are made of: `enabled`, the
 * rule whose allowedAttributes apply, and the rules whose hideRegex add
 * to defaults'. Keyed by what the options hold, not by which rule gave
 * `enabled`: records that differ only in that get the same options. */
struct otel_filter_combo {
    otel_filter_combo *next;
    size_t count; /* combinations in the list from this one on */
    otel_log_options o;
    int enabled;
    size_t aw; /* the rule whose allowedAttributes apply (NO_RULE: the defaults') */
    size_t nkey;
    size_t key[]; /* the contributing rules' indexes, ascending: aw, and every rule adding a mask */
};

#define NO_RULE SIZE_MAX
#define COMBO_KEY_MAX 64 /* more contributing rules: the fallback options (mask more, never less) */

/* What a union that cannot be allocated becomes: no pattern, which
 * otel_regex_mask_set takes as "mask the whole value" (fail closed). */
static const otel_regex_set whole_set = {0};

static void free_hide(const otel_regex_set **h)
{
    if (*h != &whole_set)
        free((void *)*h);
    *h = NULL;
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
    free_hide(&r->eff.hide); /* eff_all's belongs to the set */
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
    set->id = otel_regex_set_id(); /* never changed once made */
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

/* e: r's enabled and allowedAttributes over d's (d NULL: the built-ins). */
static void resolve_options(otel_log_options *e, const otel_filter_rule *r, const otel_filter_rule *d)
{
    e->enabled = r->enabled >= 0 ? r->enabled : d && d->enabled >= 0 ? d->enabled : 1;
    const otel_filter_rule *a = r->has_allowed ? r : d && d->has_allowed ? d : NULL;
    e->has_allowed = a != NULL;
    e->allowed = a ? a->allowed : NULL;
    e->nallowed = a ? a->nallowed : 0;
}

/* r's eff (r over d, masks: d's and r's) and eff_all (masks: all). */
static void resolve_rule(otel_filter_rule *r, const otel_filter_rule *d, const otel_regex_set *all)
{
    free_hide(&r->eff.hide);
    resolve_options(&r->eff, r, d);
    const otel_regex *pair[2] = {d ? d->hide : NULL, r->hide};
    r->eff.hide = make_set(pair, 2);
    for (int e = 0; e < 2; e++) {
        r->eff_all[e] = r->eff;
        r->eff_all[e].enabled = e;
        r->eff_all[e].hide = all;
    }
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
    free_hide(&fs->hide_all);
    size_t n = fs->nrules;
    otel_filter_rule *d = &fs->defaults;
    const otel_regex **all = malloc((n + 1) * sizeof *all);
    if (all) {
        all[0] = d->hide;
        for (size_t i = 0; i < n; i++)
            all[i + 1] = fs->rules[i].hide;
        fs->hide_all = make_set(all, n + 1);
        free(all);
    } else {
        fs->hide_all = &whole_set;
    }
    resolve_rule(d, NULL, fs->hide_all);
    for (size_t i = 0; i < n; i++)
        resolve_rule(&fs->rules[i], d, fs->hide_all);
}

void otel_filter_set_free(otel_filter_set *fs)
{
    free_combos(fs);
    for (size_t i = 0; i < fs->nrules; i++)
        otel_filter_rule_free(&fs->rules[i]);
    free(fs->rules);
    otel_filter_rule_free(&fs->defaults);
    free_hide(&fs->hide_all);
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
/* Adds rule index r to a combination's key; past COMBO_KEY_MAX the
 * combination is over (the fallback options apply). */
static inline void add_key(size_t *key, size_t *nkey, int *over, size_t r)
{
    if (*nkey < COMBO_KEY_MAX)
        key[(*nkey)++] = r;
    else
        *over = 1;
}

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

#define COMBOS_MAX 1024 /* distinct combinations remembered; more: the fallback options */

/* The options when a combination cannot be remembered: enabled e, aw's
 * allowedAttributes, every rule's and the defaults' masks. */
static const otel_log_options *fallback(const otel_filter_set *fs, int e, size_t aw)
{
    const otel_filter_rule *a = aw != NO_RULE ? &fs->rules[aw] : &fs->defaults;
    return &a->eff_all[e != 0];
}

/* The `enabled` that applies when rule ew (NO_RULE: none) is the first
 * matching rule to set it. */
static int enabled_of(const otel_filter_set *fs, size_t ew)
{
    return ew != NO_RULE ? fs->rules[ew].enabled : fs->defaults.eff.enabled;
}

/* The options for enabled e, aw's allowedAttributes and the masks of
 * key[0..nkey): found, or built and remembered. */
static const otel_log_options *combo_options(const otel_filter_set *fs, const size_t *key, size_t nkey, int e,
                                             size_t aw)
{
    otel_filter_set *m = (otel_filter_set *)fs; /* the combinations are a cache */
    otel_filter_combo *head = atomic_load_explicit(&m->combos, memory_order_acquire);
    for (otel_filter_combo *c = head; c; c = c->next)
        if (c->enabled == e && c->aw == aw && c->nkey == nkey && memcmp(c->key, key, nkey * sizeof *key) == 0)
            return &c->o;
    if (head && head->count >= COMBOS_MAX)
        return fallback(fs, e, aw);
    otel_filter_combo *c = malloc(sizeof *c + nkey * sizeof *key);
    const otel_regex **re = malloc((nkey + 1) * sizeof *re);
    if (!c || !re) {
        free(c);
        free(re);
        return fallback(fs, e, aw);
    }
    re[0] = fs->defaults.hide;
    for (size_t i = 0; i < nkey; i++)
        re[i + 1] = fs->rules[key[i]].hide;
    c->o = aw != NO_RULE ? fs->rules[aw].eff : fs->defaults.eff; /* its allowedAttributes */
    c->o.enabled = e;
    c->o.hide = make_set(re, nkey + 1);
    free(re);
    if (c->o.hide == &whole_set) {
        free(c);
        return fallback(fs, e, aw);
    }
    c->enabled = e;
    c->aw = aw;
    c->nkey = nkey;
    memcpy(c->key, key, nkey * sizeof *key);
    do {
        c->next = head;
        c->count = head ? head->count + 1 : 1;
    } while (!atomic_compare_exchange_weak_explicit(&m->combos, &head, c, memory_order_acq_rel,
                                                    memory_order_acquire));
    return &c->o;
}

/* Options for enabled e, aw's allowedAttributes and the masks of
 * key[0..nkey) (over: more rules than fit). */
static const otel_log_options *options_for(const otel_filter_set *fs, const size_t *key, size_t nkey, int e,
                                           size_t aw, int over)
{
    if (over)
        return fallback(fs, e, aw);
    if (nkey == 0 && e == fs->defaults.eff.enabled)
        return &fs->defaults.eff;
    if (nkey == 1) { /* one rule: its own options over the defaults, when they are these */
        const otel_filter_rule *r = &fs->rules[key[0]];
        if (e == r->eff.enabled && (aw == key[0] || (aw == NO_RULE && !r->has_allowed)))
            return &r->eff;
    }
    return combo_options(fs, key, nkey, e, aw);
}

const otel_log_options *otel_filter_select(const otel_filter_set *fs, const char *category, int sev,
                                           const char *body, size_t body_len)
{
    const char *cat = category ? category : "";
    const char *b = body ? body : "";
    size_t blen = body ? body_len : 0;
    size_t key[COMBO_KEY_MAX], nkey = 0, ew = NO_RULE, aw = NO_RULE;
    int over = 0, runaway = 0;
    size_t i = 0;
    for (const otel_filter_rule *r; (r = next_rule(fs, cat, sev, &i)) != NULL;) {
        int sets_e = ew == NO_RULE && r->enabled >= 0;
        int sets_a = aw == NO_RULE && r->has_allowed;
        /* a rule that would add nothing is not searched (after a runaway
         * search, every candidate's hideRegex applies anyway) */
        if (!sets_e && !sets_a && (!r->hide || runaway))
            continue;
        if (r->body_re) {
            /* a search that hits its limit counts as a match */
            int hit = 0;
            int m = otel_regex_search(r->body_re, b, blen, &hit);
            runaway |= hit;
            if (!m)
                continue;
        }
        if (sets_e)
            ew = i - 1;
        if (sets_a)
            aw = i - 1;
        if (!sets_a && !r->hide)
            continue; /* gave `enabled` only: not part of the key */
        add_key(key, &nkey, &over, i - 1);
    }
    if (runaway) { /* aw, and every rule matching on category and severity adds its masks */
        nkey = 0;
        over = 0;
        i = 0;
        for (const otel_filter_rule *r; (r = next_rule(fs, cat, sev, &i)) != NULL;) {
            if (i - 1 != aw && !r->hide)
                continue;
            add_key(key, &nkey, &over, i - 1);
        }
    }
    return options_for(fs, key, nkey, enabled_of(fs, ew), aw, over);
}

otel_filter_decision otel_filter_decide(const otel_filter_set *fs, const char *category, int sev,
                                        const otel_log_options **kept)
{
    const char *cat = category ? category : "";
    size_t key[COMBO_KEY_MAX], nkey = 0, ew = NO_RULE, aw = NO_RULE;
    int over = 0;
    unsigned body_e = 0; /* bit v: a bodyRegex rule before the enabled winner sets enabled to v */
    int body_other = 0;  /* a bodyRegex rule would set allowedAttributes (before its winner) or add masks */
    size_t i = 0;
    for (const otel_filter_rule *r; (r = next_rule(fs, cat, sev, &i)) != NULL;) {
        int sets_e = ew == NO_RULE && r->enabled >= 0;
        int sets_a = aw == NO_RULE && r->has_allowed;
        if (r->body_re) { /* what it contributes depends on the body */
            if (sets_e)
                body_e |= 1u << r->enabled;
            body_other |= sets_a || r->hide;
            continue;
        }
        if (sets_e)
            ew = i - 1;
        if (sets_a)
            aw = i - 1;
        if (!sets_a && !r->hide)
            continue;
        add_key(key, &nkey, &over, i - 1);
    }
    unsigned e = 1u << enabled_of(fs, ew) | body_e; /* the values `enabled` can take */
    if (e == 1u)
        return OTEL_FILTER_DROP;
    if (e != 2u || body_other)
        return OTEL_FILTER_UNDECIDED;
    if (kept)
        *kept = options_for(fs, key, nkey, 1, aw, over);
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
