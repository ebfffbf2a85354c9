/*
 * lane_entry.c - a log event as a flat entry in the logging thread's lane,
 * and the record built from it (lane_entry.h).
 *
 * Entry layout (8-aligned, one lane entry): entry_head, then the
 * attributes as otel_attr structs whose string pointers hold offsets from
 * the entry's start (0: NULL) — per-call, then thread context, then
 * loc_data — then every string, NUL-terminated.
 */
#include "lane_entry.h"
#include "decision_cache.h"
#include "event_attrs.h"
#include "pipeline.h"
#include "thread_id.h"
#include "span.h"

#include <stdlib.h>
#include <string.h>

#define ABSENT UINT32_MAX /* an optional string that is not there */
#define MAX_LEN (UINT32_MAX - 1)

typedef struct entry_head {
    uint64_t time_ns;
    int64_t thread_id;
    int32_t priority;
    int32_t line;
    uint32_t cat_len, msg_len;
    uint32_t file_len, func_len;             /* ABSENT: no real location / no function */
    uint32_t app_name_len, app_instance_len; /* ABSENT: none */
    uint32_t n_call, n_ctx, n_ld;
    uint8_t has_ld, traced, trace_flags, pad_;
    uint8_t trace_id[16], span_id[8];
} entry_head;

_Static_assert(sizeof(entry_head) % 8 == 0, "attributes follow the head 8-aligned");

static uint32_t clamp_len(size_t n) { return n > MAX_LEN ? MAX_LEN : (uint32_t)n; }
static size_t opt_bytes(uint32_t len) { return len == ABSENT ? 0 : (size_t)len + 1; }

/* bytes the strings of attrs take in an entry */
static size_t attrs_bytes(const otel_attr *a, size_t n)
{
    size_t b = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i].key)
            b += strlen(a[i].key) + 1;
        if (a[i].type == OTEL_VALUE_STRING && a[i].v.str.s)
            b += a[i].v.str.s_len + 1;
    }
    return b;
}

/* copies len bytes of s (NUL-terminated) at base+*off; returns its offset */
static size_t put(char *base, size_t *off, const char *s, size_t len)
{
    size_t at = *off;
    memcpy(base + at, s, len);
    base[at + len] = '\0';
    *off += len + 1;
    return at;
}

/* copies the NUL-terminated s at base+*off in one pass (attrs_bytes has
 * measured it already); returns its offset */
static size_t put_cstr(char *base, size_t *off, const char *s)
{
    size_t at = *off;
    *off = (size_t)(stpcpy(base + at, s) - base) + 1;
    return at;
}

/* the attributes as offset-carrying structs at dst, their strings at *off */
static void put_attrs(char *base, otel_attr *dst, size_t *off, const otel_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = a[i];
        dst[i].key = a[i].key ? (const char *)(uintptr_t)put_cstr(base, off, a[i].key) : NULL;
        if (a[i].type == OTEL_VALUE_STRING)
            dst[i].v.str.s = a[i].v.str.s ? (const char *)(uintptr_t)put(base, off, a[i].v.str.s, a[i].v.str.s_len)
                                          : NULL;
    }
}

/* What an event's entry holds and how big it is, measured once. */
typedef struct entry_plan {
    const otel_log_event *ev;
    size_t msg_len, cat_len;
    uint32_t file_len, func_len, app_name_len, app_instance_len;
    const otel_attr *ctx; /* the thread's attribute context */
    size_t nctx, ncall, nld;
    size_t size;
} entry_plan;

/* inlined: the logging thread's one pass over the event */
static inline __attribute__((always_inline)) void plan(entry_plan *p, const otel_log_event *ev)
{
    p->ev = ev;
    p->msg_len = strlen(ev->message);
    p->cat_len = strlen(ev->category);
    p->file_len = p->func_len = ABSENT;
    if (ev->file) {
        p->file_len = clamp_len(strlen(ev->file));
        if (ev->function)
            p->func_len = clamp_len(strlen(ev->function));
    }
    const otel_loc_data *ld = ev->ld;
    const otel_call_attrs *call = ev->call;
    p->app_name_len = ld && ld->app_name ? clamp_len(strlen(ld->app_name)) : ABSENT;
    p->app_instance_len = ld && ld->app_instance ? clamp_len(strlen(ld->app_instance)) : ABSENT;
    p->ctx = otel_thread_attrs(&p->nctx);
    p->ncall = call ? call->nattrs : 0;
    p->nld = ld ? ld->nattrs : 0;
    if (p->msg_len > MAX_LEN)
        p->msg_len = MAX_LEN;
    if (p->cat_len > MAX_LEN)
        p->cat_len = MAX_LEN;

    size_t size = sizeof(entry_head) + (p->ncall + p->nctx + p->nld) * sizeof(otel_attr) + p->cat_len + 1 +
                  p->msg_len + 1 + opt_bytes(p->file_len) + opt_bytes(p->func_len) + opt_bytes(p->app_name_len) +
                  opt_bytes(p->app_instance_len);
    if (p->ncall | p->nctx | p->nld)
        size += attrs_bytes(call ? call->attrs : NULL, p->ncall) + attrs_bytes(p->ctx, p->nctx) +
                attrs_bytes(ld ? ld->attrs : NULL, p->nld);
    p->size = size;
}

static inline __attribute__((always_inline)) void pack(char *base, const entry_plan *p)
{
    const otel_log_event *ev = p->ev;
    const otel_loc_data *ld = ev->ld;
    const otel_call_attrs *call = ev->call;
    size_t ncall = p->ncall, nctx = p->nctx, nld = p->nld;
    entry_head *h = (entry_head *)base;
    h->time_ns = ev->time_ns;
    h->thread_id = otel_thread_id();
    h->priority = ev->priority;
    h->line = ev->file ? ev->line : 0;
    h->cat_len = (uint32_t)p->cat_len;
    h->msg_len = (uint32_t)p->msg_len;
    h->file_len = p->file_len;
    h->func_len = p->func_len;
    h->app_name_len = p->app_name_len;
    h->app_instance_len = p->app_instance_len;
    h->n_call = (uint32_t)ncall;
    h->n_ctx = (uint32_t)nctx;
    h->n_ld = (uint32_t)nld;
    h->has_ld = ld != NULL;
    h->trace_flags = 0;
    h->traced = (uint8_t)otel_context_current_ids(h->trace_id, h->span_id, &h->trace_flags);

    otel_attr *packed = (otel_attr *)(base + sizeof *h);
    size_t off = sizeof *h + (ncall + nctx + nld) * sizeof(otel_attr);
    put(base, &off, ev->category, p->cat_len);
    put(base, &off, ev->message, p->msg_len);
    if (p->file_len != ABSENT)
        put(base, &off, ev->file, p->file_len);
    if (p->func_len != ABSENT)
        put(base, &off, ev->function, p->func_len);
    if (p->app_name_len != ABSENT)
        put(base, &off, ld->app_name, p->app_name_len);
    if (p->app_instance_len != ABSENT)
        put(base, &off, ld->app_instance, p->app_instance_len);
    if (ncall | nctx | nld) {
        put_attrs(base, packed, &off, call ? call->attrs : NULL, ncall);
        put_attrs(base, packed + ncall, &off, p->ctx, nctx);
        put_attrs(base, packed + ncall + nctx, &off, ld ? ld->attrs : NULL, nld);
    }
}

int otel_lane_entry_put(otel_stage *s, const otel_log_event *ev)
{
    entry_plan p;
    plan(&p, ev);
    otel_stage_lane *lane;
    char *base = otel_stage_begin(s, p.size, otel_band_of_priority(ev->priority), &lane);
    if (!base)
        return -1;
    pack(base, &p);
    otel_stage_commit(lane, p.size);
    return 0;
}

size_t otel_lane_entry_pack(void *dst, size_t cap, const otel_log_event *ev)
{
    entry_plan p;
    plan(&p, ev);
    if (dst && cap >= p.size)
        pack(dst, &p);
    return p.size;
}

/* ---- the consumer's side ---- */

static const char *at(const char *base, const char *offset)
{
    return offset ? base + (uintptr_t)offset : NULL;
}

/* the next optional string of the entry, or NULL when absent */
static const char *take(const char **s, uint32_t len)
{
    if (len == ABSENT)
        return NULL;
    const char *v = *s;
    *s += (size_t)len + 1;
    return v;
}

/* one memo per consuming thread: drains are serialised, but a flush or the
 * shutdown may drain on another thread than the worker */
static __thread otel_decision_memo memo = OTEL_DECISION_MEMO_EMPTY;

static void classify(void *owner, const char *category, otel_source_class *cls)
{
    const otel_record_builder *b = owner;
    otel_event_classify(b->sources, category, cls);
}

otel_record *otel_lane_entry_record(const otel_record_builder *b, const void *entry, size_t size, uint64_t now,
                                    int *why_out)
{
    (void)size;
    const char *base = entry;
    const entry_head *h = entry;
    size_t na = (size_t)h->n_call + h->n_ctx + h->n_ld;
    const char *s = base + sizeof *h + na * sizeof(otel_attr);
    const char *cat = s;
    s += (size_t)h->cat_len + 1;
    const char *msg = s;
    s += (size_t)h->msg_len + 1;
    const char *file = NULL, *func = NULL, *app_name = NULL, *app_instance = NULL;
    if ((h->file_len & h->func_len & h->app_name_len & h->app_instance_len) != ABSENT) { /* not all absent */
        file = take(&s, h->file_len);
        func = take(&s, h->func_len);
        app_name = take(&s, h->app_name_len);
        app_instance = take(&s, h->app_instance_len);
    }

    /* 1. filter: a dropped entry costs nothing more. Category and priority
     * usually decide it (remembered); a bodyRegex rule needs the body. */
    int why = OTEL_PIPELINE_FILTERED;
    const otel_pipeline *p = b->pipeline;
    const otel_decision_memo *m =
        otel_decision_memo_get(&memo, atomic_load_explicit(&otel_decision_cache_generation, memory_order_acquire),
                               (void *)b, p, cat, h->cat_len, h->priority, classify);
    const otel_log_options *o = NULL;
    if (m && m->decision == OTEL_FILTER_KEEP)
        o = m->kept;
    else if (!m || m->decision == OTEL_FILTER_UNDECIDED)
        o = otel_pipeline_select(p, cat, h->priority, msg, h->msg_len, &why);
    if (!o) {
        otel_record_builder_drop(b, why);
        if (why_out)
            *why_out = why;
        return NULL;
    }

    /* 2. the attributes, back to pointers */
    otel_attr small[32], *attrs = small;
    if (na > 32 && !(attrs = malloc(na * sizeof *attrs))) {
        otel_record_builder_drop(b, OTEL_PIPELINE_NOMEM);
        if (why_out)
            *why_out = OTEL_PIPELINE_NOMEM;
        return NULL;
    }
    if (na)
        memcpy(attrs, base + sizeof *h, na * sizeof *attrs);
    for (size_t i = 0; i < na; i++) {
        attrs[i].key = at(base, attrs[i].key);
        if (attrs[i].type == OTEL_VALUE_STRING)
            attrs[i].v.str.s = at(base, attrs[i].v.str.s);
    }
    otel_loc_data ld, *ldp = NULL;
    if (h->has_ld) {
        ld = (otel_loc_data){.magic = OTEL_LOC_DATA_MAGIC,
                             .app_name = app_name,
                             .app_instance = app_instance,
                             .attrs = attrs + h->n_call + h->n_ctx,
                             .nattrs = h->n_ld};
        ldp = &ld;
    }
    otel_attr own[OTEL_APPEND_MAX_ATTRS];
    size_t n = otel_event_own_attrs(own, h->thread_id, file, h->line, func);
    otel_source_class cls;
    if (m)
        otel_decision_memo_class(m, cat, &cls);
    else
        otel_event_classify(b->sources, cat, &cls);
    n = otel_event_source_class_attrs(&cls, ldp, own, n);
    size_t nstatic = n; /* keys so far: the library's constants */
    if (ldp)
        n = otel_event_ld_attrs(ldp, own, n);

    /* 3. the record. Every member is named, zeros too, so that the
     * compiler stores each one instead of clearing the whole struct first;
     * a member added later and not named here is still zero (a designated
     * initialiser zeroes the rest), only the clearing may come back. */
    otel_record_input ri = {.time_unix_nano = h->time_ns,
                            .observed_time_unix_nano = now > h->time_ns ? now : h->time_ns,
                            .log4c_priority = h->priority,
                            .category = cat,
                            .category_len = h->cat_len,
                            .body = msg,
                            .body_len = h->msg_len,
                            .body_limit = b->body_limit,
                            .trace_id = h->traced ? h->trace_id : NULL,
                            .span_id = h->traced ? h->span_id : NULL,
                            .flags = h->trace_flags,
                            .dropped_attrs = 0,
                            .attrs = own,
                            .nattrs = n,
                            .keys_measured = 1, /* event_attrs.h and .c set key_len */
                            .static_keys = nstatic,
                            .changed_after = 0,
                            .attr_limit = 0};
    otel_record *r;
    int own_only = !(h->n_call | h->n_ctx) && otel_pipeline_takes_own(p, o, n);
    if (own_only) { /* the usual record: the pipeline's last step alone, without its input */
        if (!(r = otel_pipeline_record(p, o, &ri)))
            why = OTEL_PIPELINE_NOMEM;
    } else { /* attributes, masking, limits (pipeline.c) */
        otel_pipeline_input in = {
            .rec = ri,
            .call_attrs = attrs,
            .ncall_attrs = h->n_call,
            .ctx_attrs = attrs + h->n_call,
            .nctx_attrs = h->n_ctx,
            .ctx_given = 1,
            .own_distinct = 1, /* event_attrs.c: distinct keys, none missing */
        };
        r = otel_pipeline_build_selected(p, o, &in, &why);
    }
    if (attrs != small)
        free(attrs);
    if (!r) {
        otel_record_builder_drop(b, why);
        if (why_out)
            *why_out = why;
    }
    return r;
}
