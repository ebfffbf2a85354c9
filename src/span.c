/*
 * span.c - spans: random ids, typed attributes, status, start/end with the
 * per-thread active context, the span filter decision, and the
 * traces-as-logs line handed to the sink at end (see span.h).
 */
#include "span.h"
#include "clock.h"
#include "traces_as_logs.h"
#include "random_bytes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct otel_span {
    atomic_int refs;  /* the caller's handle + the starting thread's stack frame */
    atomic_int ended;
    pthread_mutex_t lock; /* attributes and status */
    otel_span_context ctx;
    uint8_t parent_span_id[8];
    int has_parent;
    otel_span_decision decision;
    char *name;
    uint64_t start_ns;
    int status;
    char *status_message;
    otel_attr *attrs; /* keys and string values malloc'd */
    size_t nattrs, cap;
};

/* ---- ids ---- */

int otel_random_id(uint8_t *p, size_t n)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        if (otel_random_bytes(p, n) != 0)
            return -1;
        if (!otel_bytes_all_zero(p, n))
            return 0;
    }
    return -1; /* eight all-zero draws: the random source is broken */
}

/* ---- configuration, sink, clock ---- */

static otel_span_sink_fn sink;
static otel_traces_config builtin = {1, (char *)OTEL_TRACES_DEFAULT_CATEGORY, {NULL, -1, -1, -1}, NULL, 0};
static otel_traces_config *_Atomic config = &builtin;
static uint64_t (*clock_fn)(void) = otel_now_ns;

void otel_span_set_sink(otel_span_sink_fn fn) { sink = fn; }

void otel_span_set_config(otel_traces_config *cfg)
{
    otel_traces_config *old = atomic_exchange(&config, cfg ? cfg : &builtin);
    if (old != &builtin) {
        otel_traces_config_free(old);
        free(old);
    }
}

const otel_traces_config *otel_span_config(void) { return atomic_load(&config); }

void otel_span_set_clock(uint64_t (*now_ns)(void)) { clock_fn = now_ns ? now_ns : otel_now_ns; }

/* ---- lifetime ---- */

void otel_span_retain(otel_span *s) { atomic_fetch_add(&s->refs, 1); }

static void span_free(otel_span *s)
{
    for (size_t i = 0; i < s->nattrs; i++) {
        free((char *)s->attrs[i].key);
        if (s->attrs[i].type == OTEL_VALUE_STRING)
            free((char *)s->attrs[i].v.str.s);
    }
    free(s->attrs);
    free(s->status_message);
    free(s->name);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void otel_span_release(otel_span *s)
{
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        span_free(s);
}

int otel_span_is_ended(const otel_span *s) { return atomic_load_explicit(&s->ended, memory_order_acquire); }

/* ---- start ---- */

int otel_span_start(const char *name, const otel_span_context *parent, int use_current, otel_span **out)
{
    otel_span_context current;
    if (!parent && use_current && otel_context_current(&current))
        parent = &current;

    otel_span *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    if (!(s->name = strdup(name))) {
        free(s);
        return -1;
    }
    atomic_init(&s->refs, 1);
    atomic_init(&s->ended, 0);
    pthread_mutex_init(&s->lock, NULL);
    if (parent) {
        memcpy(s->ctx.trace_id, parent->trace_id, 16);
        memcpy(s->parent_span_id, parent->span_id, 8);
        s->has_parent = 1;
    } else if (otel_random_id(s->ctx.trace_id, 16) != 0) {
        span_free(s);
        return -1;
    }
    if (otel_random_id(s->ctx.span_id, 8) != 0) {
        span_free(s);
        return -1;
    }
    otel_traces_decide(otel_span_config(), name, &s->decision);
    s->ctx.flags = s->decision.enabled ? OTEL_TRACE_FLAG_SAMPLED : 0;
    s->start_ns = clock_fn();
    if (otel_context_push_span(s, &s->ctx) != 0) {
        span_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* ---- attributes, status ---- */

int otel_span_set_attr(otel_span *s, const char *key, const otel_attr *value)
{
    if (!key || !*key)
        return -1;
    char *str = NULL;
    if (value->type == OTEL_VALUE_STRING) {
        const char *v = value->v.str.s ? value->v.str.s : "";
        size_t n = value->v.str.s ? value->v.str.s_len : 0;
        if (!(str = malloc(n + 1)))
            return -1;
        memcpy(str, v, n);
        str[n] = '\0';
    }
    pthread_mutex_lock(&s->lock);
    otel_attr *a = NULL;
    for (size_t i = 0; i < s->nattrs; i++)
        if (strcmp(s->attrs[i].key, key) == 0) {
            a = &s->attrs[i];
            if (a->type == OTEL_VALUE_STRING)
                free((char *)a->v.str.s);
            break;
        }
    if (!a) {
        char *k = NULL;
        if (s->nattrs == OTEL_SPAN_MAX_ATTRS || !(k = strdup(key))) {
            int full = s->nattrs == OTEL_SPAN_MAX_ATTRS;
            pthread_mutex_unlock(&s->lock);
            free(str);
            return full ? -2 : -1;
        }
        if (s->nattrs == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 8;
            otel_attr *na = realloc(s->attrs, cap * sizeof *na);
            if (!na) {
                pthread_mutex_unlock(&s->lock);
                free(k);
                free(str);
                return -1;
            }
            s->attrs = na;
            s->cap = cap;
        }
        a = &s->attrs[s->nattrs++];
        a->key = k;
    }
    a->type = value->type;
    a->v = value->v;
    if (str)
        a->v.str.s = str;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

int otel_span_set_status(otel_span *s, int status, const char *message)
{
    if (status < 0 || status > 2)
        return -1;
    char *m = NULL;
    if (status == 2 && message && !(m = strdup(message)))
        return -1;
    pthread_mutex_lock(&s->lock);
    free(s->status_message);
    s->status_message = m;
    s->status = status;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

void otel_span_get_context(const otel_span *s, otel_span_context *out) { *out = s->ctx; }

/* ---- end ---- */

static void emit_line(otel_span *s, uint64_t duration_ms)
{
    otel_span_sink_fn fn = sink;
    if (!fn || !s->decision.enabled || !s->decision.log || (long long)duration_ms < s->decision.min_duration_ms)
        return;
    otel_buf b = OTEL_BUF_INIT;
    pthread_mutex_lock(&s->lock);
    otel_span_line line = {
        .trace_id = s->ctx.trace_id,
        .span_id = s->ctx.span_id,
        .parent_span_id = s->has_parent ? s->parent_span_id : NULL,
        .name = s->name,
        .status = s->status,
        .duration_ms = duration_ms,
        .attrs = s->attrs,
        .nattrs = s->nattrs,
        .status_message = s->status_message,
    };
    int rc = otel_traces_line_format(&line, &b);
    pthread_mutex_unlock(&s->lock);
    if (rc == 0 && otel_buf_append(&b, "", 1) == 0) {
        /* the record(s) the line becomes belong to this span, though it ended */
        otel_context_set_override(&s->ctx);
        fn(b.data, b.len - 1, &s->ctx, s->status);
        otel_context_set_override(NULL);
    }
    otel_buf_free(&b);
}

void otel_span_end(otel_span *s)
{
    uint64_t end = clock_fn();
    if (atomic_exchange_explicit(&s->ended, 1, memory_order_acq_rel))
        return;
    uint64_t ns = end > s->start_ns ? end - s->start_ns : 0;
    emit_line(s, ns / 1000000u);
    (void)otel_context_remove_span(s); /* when ended on another thread, that thread drops it lazily */
    otel_span_release(s);
}
