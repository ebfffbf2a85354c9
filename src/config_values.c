/*
 * config_values.c - the value readers every section parser of the JSON
 * configuration shares: booleans, bounded integers, strings with %VAR%
 * references, URLs, compression and protocol names, header and attribute objects. Each
 * returns 0, or -1 after otel_config_error_set() at the value's key path.
 */
#include "config_values.h"
#include "filter.h"
#include "grpc_exporter.h"
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int otel_config_want_bool(const json_t *v, const char *path, int *out, otel_config_error *err)
{
    if (!json_is_boolean(v))
        return otel_config_error_set(err, path, "expected true or false, got %s", otel_json_type_name(v));
    *out = json_is_true(v);
    return 0;
}

/* An integer >= min (milliseconds, sizes, counts). */
int otel_config_want_long(const json_t *v, const char *path, long min, long *out, otel_config_error *err)
{
    if (!json_is_integer(v)) {
        if (json_is_real(v))
            return otel_config_error_set(err, path, "expected %s, got %g",
                                         min == 0 ? "a non-negative integer" : "a positive integer", json_real_value(v));
        return otel_config_error_set(err, path, "expected %s, got %s",
                                     min == 0 ? "a non-negative integer" : "a positive integer", otel_json_type_name(v));
    }
    json_int_t n = json_integer_value(v);
    if (n < min)
        return otel_config_error_set(err, path, "expected %s, got %lld",
                                     min == 0 ? "a non-negative integer" : "a positive integer", (long long)n);
    *out = n > (json_int_t)(~0ul >> 1) ? (long)(~0ul >> 1) : (long)n;
    return 0;
}

/* A string with %VAR% references expanded. *out NULL (and a warning) when a
 * variable is unset without fallback and unset_ok; an error otherwise. */
int otel_config_want_string(const json_t *v, const char *path, int expand, int unset_ok, char **out, otel_getenv_fn get,
                       otel_config_error *err)
{
    *out = NULL;
    if (!json_is_string(v))
        return otel_config_error_set(err, path, "expected a string, got %s", otel_json_type_name(v));
    if (!expand) {
        if (!(*out = strdup(json_string_value(v))))
            return otel_config_error_set(err, path, "out of memory");
        return 0;
    }
    char missing[128];
    int rc = otel_env_substitute(json_string_value(v), get, out, missing, sizeof missing);
    if (rc == OTEL_SUBST_NOMEM)
        return otel_config_error_set(err, path, "out of memory");
    if (rc == OTEL_SUBST_UNSET) {
        if (!unset_ok)
            return otel_config_error_set(err, path,
                                         "environment variable %s is not set and has no fallback (%%%s?fallback%%)",
                                         missing, missing);
        otel_config_warn(err, path, "environment variable %s is not set and has no fallback: omitted", missing);
    }
    return 0;
}

int otel_config_ignored(otel_config_error *err, const char *path)
{
    if (err && err->note)
        err->note(err->note_ctx, OTEL_CONFIG_NOTE_UNKNOWN_KEY, path,
                  "an io.Insights setting log4c-otel does not support, ignored");
    return 0;
}

/* ---- attributes -------------------------------------------------------- */

/* Adds value v under key to l: scalars as they are, strings expanded,
 * nested objects flattened to dotted keys down to max_depth levels (-1: no
 * limit), arrays as their compact JSON text, null omitted. */
static int add_attr_value(otel_attr_list *l, const char *key, const json_t *v, const char *path, long depth,
                          long max_depth, otel_getenv_fn get, otel_config_error *err)
{
    otel_attr a;
    memset(&a, 0, sizeof a);
    a.key = key;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        char *s;
        if (otel_config_want_string(v, path, 1, 1, &s, get, err))
            return -1;
        if (!s)
            return 0; /* unset variable: the attribute is omitted (warned) */
        a.type = OTEL_VALUE_STRING;
        a.v.str.s = s;
        a.v.str.s_len = strlen(s);
        int rc = otel_attr_list_set(l, &a);
        free(s);
        return rc ? otel_config_error_set(err, path, "out of memory") : 0;
    }
    case JSON_INTEGER:
        a.type = OTEL_VALUE_INT;
        a.v.i = (int64_t)json_integer_value(v);
        break;
    case JSON_REAL:
        a.type = OTEL_VALUE_DOUBLE;
        a.v.d = json_real_value(v);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        a.type = OTEL_VALUE_BOOL;
        a.v.b = json_is_true(v);
        break;
    case JSON_NULL:
        return 0;
    case JSON_ARRAY: {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s)
            return otel_config_error_set(err, path, "out of memory");
        a.type = OTEL_VALUE_STRING;
        a.v.str.s = s;
        a.v.str.s_len = strlen(s);
        int rc = otel_attr_list_set(l, &a);
        free(s);
        return rc ? otel_config_error_set(err, path, "out of memory") : 0;
    }
    case JSON_OBJECT: {
        if (max_depth >= 0 && depth >= max_depth) {
            otel_config_warn(err, path, "nested deeper than maxAttributeDepth (%ld): omitted", max_depth);
            return 0;
        }
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            size_t n = strlen(key) + 1 + strlen(k) + 1;
            char *sub = malloc(n);
            char mp[OTEL_CONFIG_PATH_MAX];
            if (!sub)
                return otel_config_error_set(err, path, "out of memory");
            snprintf(sub, n, "%s.%s", key, k);
            otel_config_path_member(mp, sizeof mp, path, k);
            int rc = add_attr_value(l, sub, m, mp, depth + 1, max_depth, get, err);
            free(sub);
            if (rc)
                return -1;
        }
        return 0;
    }
    }
    return otel_attr_list_set(l, &a) ? otel_config_error_set(err, path, "out of memory") : 0;
}

int otel_config_want_attrs(const json_t *v, const char *path, long max_depth, otel_attr_list *l, otel_getenv_fn get,
                      otel_config_error *err)
{
    if (!json_is_object(v))
        return otel_config_error_set(err, path, "expected an object of attribute names and values, got %s",
                                     otel_json_type_name(v));
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
        char mp[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(mp, sizeof mp, path, k);
        if (!*k)
            return otel_config_error_set(err, mp, "expected a non-empty attribute name");
        if (add_attr_value(l, k, m, mp, 0, max_depth, get, err))
            return -1;
    }
    return 0;
}

/* A name of object v before key k, equal to k in another case; NULL if none. */
static const char *same_name_before(const json_t *v, const char *k)
{
    const char *o;
    json_t *m;
    json_object_foreach((json_t *)v, o, m) {
        if (o == k || strcmp(o, k) == 0)
            return NULL;
        if (strcasecmp(o, k) == 0)
            return o;
    }
    return NULL;
}

/* Removes every header named name in any case (names are case-insensitive:
 * a later object's header replaces an earlier one's, however spelt). */
static void drop_header_any_case(otel_attr_list *l, const char *name)
{
    for (size_t i = l->n; i-- > 0;)
        if (strcasecmp(l->a[i].key, name) == 0)
            otel_attr_list_remove(l, l->a[i].key);
}

int otel_config_want_headers(const json_t *v, const char *path, otel_attr_list *l, otel_getenv_fn get,
                        otel_config_error *err)
{
    if (!json_is_object(v))
        return otel_config_error_set(err, path, "expected an object of header names and string values, got %s",
                                     otel_json_type_name(v));
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
        char mp[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(mp, sizeof mp, path, k);
        if (!otel_http_header_name_ok(k)) /* as the variable's names (settings.h) */
            return otel_config_error_set(err, mp, "expected a valid HTTP header name");
        const char *twin = same_name_before(v, k);
        if (twin)
            return otel_config_error_set(err, mp, "the header \"%s\" is given twice (header names ignore case)",
                                         twin);
        char *s;
        if (!json_is_string(m)) /* never echo a header value */
            return otel_config_error_set(err, mp, "expected a string header value, got %s", otel_json_type_name(m));
        if (otel_config_want_string(m, mp, 1, 1, &s, get, err))
            return -1;
        if (!s)
            continue; /* unset variable: header omitted (warned) */
        if (strpbrk(s, "\r\n")) {
            free(s);
            return otel_config_error_set(err, mp, "expected a header value without line breaks");
        }
        otel_attr a = {.key = k, .type = OTEL_VALUE_STRING, .v.str = {s, strlen(s)}};
        drop_header_any_case(l, k);
        int rc = otel_attr_list_set(l, &a);
        free(s);
        if (rc)
            return otel_config_error_set(err, mp, "out of memory");
    }
    return 0;
}

int otel_config_want_url(const json_t *v, const char *path, char **out, otel_getenv_fn get, otel_config_error *err)
{
    char *s;
    if (otel_config_want_string(v, path, 1, 0, &s, get, err))
        return -1;
    if (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0) {
        free(s);
        return otel_config_error_set(err, path, "expected a URL starting with http:// or https://");
    }
    free(*out);
    *out = s;
    return 0;
}

int otel_config_want_compression(const json_t *v, const char *path, int *out, otel_config_error *err)
{
    if (json_is_string(v) && strcmp(json_string_value(v), "gzip") == 0)
        *out = OTEL_COMPRESSION_GZIP;
    else if (json_is_string(v) && strcmp(json_string_value(v), "none") == 0)
        *out = OTEL_COMPRESSION_NONE;
    else
        return otel_config_error_set(err, path, "expected \"none\" or \"gzip\", got %s%s%s",
                                     json_is_string(v) ? "\"" : "",
                                     json_is_string(v) ? json_string_value(v) : otel_json_type_name(v),
                                     json_is_string(v) ? "\"" : "");
    return 0;
}

int otel_config_want_protocol(const json_t *v, const char *path, int *out, otel_config_error *err)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (s && strcmp(s, "http/protobuf") == 0)
        *out = OTEL_PROTOCOL_HTTP_PROTOBUF;
    else if (s && strcmp(s, "http/json") == 0)
        *out = OTEL_PROTOCOL_HTTP_JSON;
    else if (s && strcmp(s, "grpc") == 0 && otel_grpc_supported())
        *out = OTEL_PROTOCOL_GRPC;
    else if (s && strcmp(s, "grpc") == 0)
        return otel_config_error_set(err, path,
                                     "\"grpc\" needs a libcurl with HTTP/2, and this one has none: use "
                                     "\"http/protobuf\" or \"http/json\"");
    else
        return otel_config_error_set(err, path, "expected \"http/protobuf\", \"http/json\" or \"grpc\", got %s%s%s",
                                     s ? "\"" : "", s ? s : otel_json_type_name(v), s ? "\"" : "");
    return 0;
}

int otel_config_want_object(const json_t *v, const char *path, otel_config_error *err)
{
    if (!json_is_object(v))
        return otel_config_error_set(err, path, "expected an object, got %s", otel_json_type_name(v));
    return 0;
}

/* ---- key tables ---------------------------------------------------------- */

const otel_config_key *otel_config_key_find(const otel_config_key *table, const char *name, size_t *base)
{
    for (const otel_config_key *r = table; r->name; r++) {
        if (r->kind == OTEL_CONFIG_INCLUDE) {
            size_t sub = 0;
            const otel_config_key *found = otel_config_key_find(r->sub, name, &sub);
            if (found) {
                *base += r->offset + sub;
                return found;
            }
        } else if (strcmp(r->name, name) == 0 || (r->alias && strcmp(r->alias, name) == 0)) {
            return r;
        }
    }
    return NULL;
}

int otel_config_key_read(const otel_config_key *row, const json_t *v, const char *path, void *dest,
                         otel_config_error *err, otel_getenv_fn get)
{
    void *field = (char *)dest + row->offset;
    switch (row->kind) {
    case OTEL_CONFIG_BOOL: return otel_config_want_bool(v, path, field, err);
    case OTEL_CONFIG_LONG: return otel_config_want_long(v, path, row->min, field, err);
    case OTEL_CONFIG_URL: return otel_config_want_url(v, path, field, get, err);
    case OTEL_CONFIG_HEADERS: return otel_config_want_headers(v, path, field, get, err);
    case OTEL_CONFIG_COMPRESSION: return otel_config_want_compression(v, path, field, err);
    case OTEL_CONFIG_PROTOCOL: return otel_config_want_protocol(v, path, field, err);
    case OTEL_CONFIG_OBJECT: return otel_config_walk(v, path, row->sub, dest, err, get);
    case OTEL_CONFIG_CUSTOM: return row->parse(v, path, dest, err, get);
    case OTEL_CONFIG_IGNORED: return otel_config_ignored(err, path);
    case OTEL_CONFIG_ELSEWHERE:
    case OTEL_CONFIG_INCLUDE: return 0;
    }
    return 0;
}

/* ---- unknown keys ------------------------------------------------------ */

const char *const OTEL_CONFIG_MASKING_KEYS[] = {"hideRegex", "bodyRegex", "categoryName", "severity",
                                                "enabled",   "allowedAttributes", "filters", "defaults",
                                                "source",    "log", NULL};

const char *const OTEL_CONFIG_FILTER_RULE_KEYS[] = {"categoryName", "severity", "bodyRegex", "enabled",
                                                    "hideRegex", "allowedAttributes", NULL};

unsigned otel_config_edit_distance(const char *a, const char *b, unsigned limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    unsigned row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0], best;
        row[0] = (unsigned)i;
        best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = diag + cost;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[lb] > limit ? limit + 1 : row[lb];
}

static int is_masking_key(const char *name)
{
    for (size_t i = 0; OTEL_CONFIG_MASKING_KEYS[i]; i++)
        if (strcmp(name, OTEL_CONFIG_MASKING_KEYS[i]) == 0)
            return 1;
    return 0;
}

int otel_config_unknown_key_near(otel_config_error *err, const char *path, const char *key,
                                 const char *const *candidates)
{
    const char *best = NULL;
    unsigned best_d = 3;
    for (size_t i = 0; candidates && candidates[i]; i++) {
        if (!is_masking_key(candidates[i]))
            continue;
        unsigned d = otel_config_edit_distance(key, candidates[i], 2);
        if (d > 0 && d < best_d) { /* 0: a key of another position (categoryName in defaults): noted */
            best_d = d;
            best = candidates[i];
        }
    }
    if (best)
        return otel_config_error_set(err, path, "unknown key; did you mean %s?", best);
    otel_config_unknown_key(err, path);
    return 0;
}

int otel_config_check_keys(const json_t *obj, const char *path, const char *const *known, otel_config_error *err)
{
    const char *k;
    json_t *v;
    if (!json_is_object(obj))
        return 0;
    json_object_foreach((json_t *)obj, k, v) {
        size_t i;
        for (i = 0; known[i]; i++)
            if (strcmp(k, known[i]) == 0)
                break;
        if (known[i])
            continue;
        char p[OTEL_CONFIG_PATH_MAX];
        otel_config_path_member(p, sizeof p, path, k);
        if (otel_config_unknown_key_near(err, p, k, known))
            return -1;
    }
    return 0;
}

/* The names (and aliases) of a table's rows, included tables too, into
 * out (at most max - 1, NULL-ended). */
static size_t table_names(const otel_config_key *table, const char **out, size_t n, size_t max)
{
    for (const otel_config_key *r = table; r->name && n + 1 < max; r++) {
        if (r->kind == OTEL_CONFIG_INCLUDE) {
            n = table_names(r->sub, out, n, max);
            continue;
        }
        out[n++] = r->name;
        if (r->alias && n + 1 < max)
            out[n++] = r->alias;
    }
    out[n] = NULL;
    return n;
}

int otel_config_walk(const json_t *obj, const char *path, const otel_config_key *table, void *dest,
                     otel_config_error *err, otel_getenv_fn get)
{
    if (otel_config_want_object(obj, path, err))
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char p[OTEL_CONFIG_PATH_MAX];
        if (*path)
            otel_config_path_member(p, sizeof p, path, k);
        else
            snprintf(p, sizeof p, "%s", k);
        size_t base = 0;
        const otel_config_key *row = otel_config_key_find(table, k, &base);
        if (!row) {
            const char *names[64];
            table_names(table, names, 0, sizeof names / sizeof names[0]);
            if (otel_config_unknown_key_near(err, p, k, names))
                return -1;
        } else if (otel_config_key_read(row, v, p, (char *)dest + base, err, get))
            return -1;
    }
    return 0;
}
