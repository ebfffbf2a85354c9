/*
 * pipeline.c - filter, attributes, record, masking and limits for one log
 * entry, on the thread that builds its record (order and rules in
 * pipeline.h).
 */
#include "pipeline.h"
#include "sources.h"
#include "log4c-otel.h"
#include "mask.h"
#include "tls_scratch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int otel_pipeline_init(otel_pipeline *p, otel_config *cfg, const otel_settings *s)
{
    memset(p, 0, sizeof *p);
    otel_logs_config *l = &cfg->logs;
    p->disabled = !otel_config_logs_enabled(cfg) || (s && s->sdk_disabled);
    p->filters = l->filters;
    otel_filter_set_resolve(&p->filters); /* also when no configuration gave any */
    memset(&l->filters, 0, sizeof l->filters);
    l->filters.defaults.enabled = -1;
    p->additional = l->additional_attributes;
    memset(&l->additional_attributes, 0, sizeof l->additional_attributes);
    p->attr_value_limit = l->attr_value_length_limit > 0 ? (size_t)l->attr_value_length_limit : 0;
    p->attr_count_limit = l->attr_count_limit >= 0 ? (size_t)l->attr_count_limit : SIZE_MAX;
    if (l->add_resource_attrs_to_attrs > 0 && s)
        for (size_t i = 0; i < s->nresource; i++)
            if (otel_attr_list_set(&p->resource, &s->resource[i]) != 0) {
                otel_pipeline_free(p);
                return LOG4C_OTEL_ENOMEM;
            }
    return LOG4C_OTEL_OK;
}

void otel_pipeline_free(otel_pipeline *p)
{
    otel_filter_set_free(&p->filters);
    otel_attr_list_free(&p->additional);
    otel_attr_list_free(&p->resource);
    memset(p, 0, sizeof *p);
}

/* ---- per-thread scratch for the gathered attributes --------------------- */

typedef struct scratch {
    otel_attr *a;
    size_t n, cap;
    const char **dropped; /* keys the count limit left out (each counted once) */
    size_t ndropped, dropped_cap;
} scratch;

static void scratch_fini(void *p)
{
    scratch *s = p;
    free(s->a);
    free(s->dropped);
}

static otel_tls_kind scratch_kind = {.size = sizeof(scratch), .fini = scratch_fini};

static scratch *get_scratch(void) { return otel_tls_get(&scratch_kind); }

static int has_key(const otel_attr *a, size_t n, const char *key)
{
    /* the first byte settles most comparisons without a call */
    for (size_t j = 0; j < n; j++)
        if (a[j].key[0] == key[0] && strcmp(a[j].key, key) == 0)
            return 1;
    return 0;
}

/* Counts key as left out by the count limit, once per key. */
static int note_dropped(scratch *s, const char *key)
{
    for (size_t j = 0; j < s->ndropped; j++)
        if (strcmp(s->dropped[j], key) == 0)
            return 0;
    if (s->ndropped == s->dropped_cap) {
        size_t cap = s->dropped_cap ? s->dropped_cap * 2 : 16;
        const char **nd = realloc(s->dropped, cap * sizeof *nd);
        if (!nd)
            return -1;
        s->dropped = nd;
        s->dropped_cap = cap;
    }
    s->dropped[s->ndropped++] = key;
    return 0;
}

/* Appends the attributes of list that the options allow, skipping keys
 * already gathered (earlier sources win), up to the count limit; the ones
 * past it are counted (OTLP dropped_attributes_count). */
static int gather_list(scratch *s, const otel_attr *list, size_t n, const otel_log_options *o, size_t limit)
{
    for (size_t i = 0; i < n; i++) {
        const otel_attr *a = &list[i];
        if (!a->key || (o->has_allowed && !otel_options_allow(o, a->key)))
            continue;
        if (has_key(s->a, s->n, a->key))
            continue;
        if (s->n >= limit) {
            if (note_dropped(s, a->key) != 0)
                return -1;
            continue;
        }
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 32;
            otel_attr *na = realloc(s->a, cap * sizeof *na);
            if (!na)
                return -1;
            s->a = na;
            s->cap = cap;
        }
        s->a[s->n++] = *a;
    }
    return 0;
}

/* gather_list, without a call for an empty list: most of the five lists
 * a record is gathered from are empty */
static inline int gather(scratch *s, const otel_attr *list, size_t n, const otel_log_options *o, size_t limit)
{
    return n ? gather_list(s, list, n, o, limit) : 0;
}

/* 1 when gathering would return the record's own attributes (in->rec)
 * unchanged, so they need no copy: the only non-empty list, no allow-list,
 * within the count limit, every key present and none repeated (the common
 * record: thread.id, code.*, log.source with nothing configured). */
static int only_own(const otel_pipeline_input *in, size_t nctx, const otel_pipeline *p, const otel_log_options *o,
                    size_t limit)
{
    const otel_attr *a = in->rec.attrs;
    size_t n = in->rec.nattrs;
    if (in->ncall_attrs | nctx | p->additional.n | p->resource.n || o->has_allowed || n > limit)
        return 0;
    if (in->own_distinct)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (!a[i].key || has_key(a, i, a[i].key))
            return 0;
    return 1;
}

/* 1 when k is one of the key names the library itself gives a record's
 * own attributes (event_attrs.c, sources.h): fixed text that holds no
 * data, so masking it could only break the semantic conventions (a
 * pattern meant for data turning code.file.path into ****.file.path).
 * Checked by length first: most keys are rejected in a comparison or two. */
_Static_assert(sizeof OTEL_ATTR_APP_NAME == 9 && sizeof OTEL_ATTR_SOURCE == 11 && sizeof OTEL_ATTR_APP_INSTANCE == 13,
               "library_key() checks these names by length");

static int library_key(const char *k, size_t len)
{
    const char *name;
    switch (len) {
    case 8: name = OTEL_ATTR_APP_NAME; break;
    case 9: name = "thread.id"; break;
    case 10: name = OTEL_ATTR_SOURCE; break;
    case 12: name = OTEL_ATTR_APP_INSTANCE; break;
    case 14: name = "code.file.path"; break;
    case 16: name = "code.line.number"; break;
    case 18: name = "code.function.name"; break;
    default: return 0;
    }
    return memcmp(k, name, len) == 0;
}

const otel_log_options *otel_pipeline_select(const otel_pipeline *p, const char *category, int log4c_priority,
                                             const char *body, size_t body_len, int *why)
{
    int dummy;
    if (!why)
        why = &dummy;
    if (!p) {
        *why = OTEL_PIPELINE_NOCONFIG;
        return NULL;
    }
    if (p->disabled) {
        *why = OTEL_PIPELINE_FILTERED;
        return NULL;
    }
    /* category and severity first, the body regex last */
    const otel_log_options *o =
        otel_filter_select(&p->filters, category, otel_severity_number(log4c_priority), body, body ? body_len : 0);
    if (!o->enabled) {
        *why = OTEL_PIPELINE_FILTERED;
        return NULL;
    }
    return o;
}

otel_filter_decision otel_pipeline_decide(const otel_pipeline *p, const char *category, int log4c_priority,
                                          const otel_log_options **kept)
{
    if (!p)
        return OTEL_FILTER_UNDECIDED;
    if (p->disabled)
        return OTEL_FILTER_DROP;
    return otel_filter_decide(&p->filters, category, otel_severity_number(log4c_priority), kept);
}

otel_record *otel_pipeline_build_record(const otel_pipeline *p, const otel_pipeline_input *in, int *why)
{
    const otel_record_input *ri = &in->rec;
    /* 1. filter */
    const otel_log_options *o = otel_pipeline_select(p, ri->category, ri->log4c_priority, ri->body, ri->body_len, why);
    if (!o)
        return NULL;
    otel_pipeline_input own = *in; /* build_selected writes into it */
    return otel_pipeline_build_selected(p, o, &own, why);
}

otel_record *otel_pipeline_build_selected(const otel_pipeline *p, const otel_log_options *o, otel_pipeline_input *in,
                                          int *why)
{
    int dummy;
    if (!why)
        why = &dummy;
    const otel_record_input *ri = &in->rec;
    otel_record_input *r_in = &in->rec; /* the record's input, written in place (no copy) */
    /* 2. attributes, in precedence order */
    size_t nctx = in->nctx_attrs;
    const otel_attr *ctx = in->ctx_given ? in->ctx_attrs : otel_thread_attrs(&nctx);
    size_t lim = p->attr_count_limit;
    if (only_own(in, nctx, p, o, lim)) {
        /* what gathering would give: the record's own list as it is */
        r_in->dropped_attrs = 0;
    } else {
        scratch *s = get_scratch();
        if (!s) {
            *why = OTEL_PIPELINE_NOMEM;
            return NULL;
        }
        s->n = s->ndropped = 0;
        if (gather(s, in->call_attrs, in->ncall_attrs, o, lim) || gather(s, ctx, nctx, o, lim) ||
            gather(s, ri->attrs, ri->nattrs, o, lim) || gather(s, p->additional.a, p->additional.n, o, lim) ||
            gather(s, p->resource.a, p->resource.n, o, lim)) {
            *why = OTEL_PIPELINE_NOMEM;
            return NULL;
        }
        r_in->attrs = s->a;
        r_in->nattrs = s->n;
        r_in->keys_measured = 0; /* gathered from lists that may not carry key_len */
        r_in->static_keys = 0;   /* nor keep the library's own first */
        r_in->dropped_attrs = s->ndropped > UINT32_MAX ? UINT32_MAX : (uint32_t)s->ndropped;
    }
    otel_record *r = otel_pipeline_record(p, o, r_in);
    if (!r)
        *why = OTEL_PIPELINE_NOMEM;
    return r;
}

otel_record *otel_pipeline_record_masked(const otel_pipeline *p, const otel_log_options *o, otel_record_input *r_in)
{
    /* the body is length-limited by logRecordLimits too */
    size_t body_limit = otel_pipeline_value_limit(p, r_in->body_limit);
    size_t attr_limit = body_limit;
    /* 3. mask (the body, every attribute key and string value) on the
     * whole text, then cut: a cut must not split a secret into a part the
     * pattern no longer recognises */
    r_in->body_limit = 0;
    r_in->attr_limit = 0;
    r_in->changed_after = 1; /* its size is measured once masked */
    otel_record *r = otel_record_new(r_in);
    if (!r)
        return NULL;
    /* the record's strings are valid UTF-8: one shorter than any match of
     * the set's patterns is left as masking would leave it, without the call */
    size_t mask_floor = otel_regex_set_floor(o->hide);
    if (r->body_len >= mask_floor)
        r->body_len = otel_mask_in_place(o, (char *)r->body, r->body_len);
    int too_long = body_limit && r->body_len > body_limit;
    for (size_t i = 0; i < r->nattrs; i++) {
        otel_attr *a = &r->attrs[i];
        /* keys too (the record's own NUL-terminated copy), but the
         * library's own key names: their content is known, not data (the
         * first static_keys are such names, constants, and not looked at) */
        if (i >= r_in->static_keys && a->key_len >= mask_floor && !library_key(a->key, a->key_len)) {
            size_t klen = otel_mask_in_place(o, (char *)a->key, a->key_len);
            ((char *)a->key)[klen] = '\0';
            a->key_len = (uint32_t)klen;
        }
        if (a->type != OTEL_VALUE_STRING)
            continue;
        if (a->v.str.s_len >= mask_floor)
            a->v.str.s_len = otel_mask_in_place(o, (char *)a->v.str.s, a->v.str.s_len);
        too_long |= attr_limit && a->v.str.s_len > attr_limit;
    }
    r->wire_size = 0; /* its size changed: measured again when encoded */
    if (!too_long)
        return r;
    /* rebuild at the limits from the masked record (rare: long values only) */
    otel_record_input cut = *r_in;
    cut.body = r->body;
    cut.body_len = r->body_len;
    cut.attrs = r->attrs;
    cut.nattrs = r->nattrs;
    cut.body_limit = body_limit;
    cut.attr_limit = attr_limit;
    cut.changed_after = 0;
    cut.trace_id = r->trace_id;
    cut.span_id = r->span_id;
    otel_record *c = otel_record_new(&cut);
    otel_record_free(r);
    return c;
}
