/*
 * span.c - spans: random ids, typed attributes, status, start/end with the
 * per-thread stack of active contexts (which holds references to the spans
 * on it), the filtering context and the span filter decision taken from it
 * at start, and the traces-as-logs line handed to the sink at end (see
 * span.h).
 */
#include "span.h"
#include "clock.h"
#include "traces_as_logs.h"
#include "random_bytes.h"
#include "tls_scratch.h"

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
    otel_attr *fctx; /* the filtering context (own pairs over the parent's); set at start, then read-only */
    size_t nfctx;
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
static otel_traces_config builtin = {
    .enabled = 1,
    .category = (char *)OTEL_TRACES_DEFAULT_CATEGORY,
    .defaults = {.enabled = -1, .log = -1, .min_duration_ms = -1},
};
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

static void span_retain(otel_span *s) { atomic_fetch_add(&s->refs, 1); }

static void attrs_free(otel_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)a[i].key);
        if (a[i].type == OTEL_VALUE_STRING)
            free((char *)a[i].v.str.s);
    }
    free(a);
}

static void span_free(otel_span *s)
{
    attrs_free(s->attrs, s->nattrs);
    attrs_free(s->fctx, s->nfctx);
    free(s->status_message);
    free(s->name);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void span_release(otel_span *s)
{
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        span_free(s);
}

static int span_is_ended(const otel_span *s) { return atomic_load_explicit(&s->ended, memory_order_acquire); }

/* ---- the calling thread's active context ----
 * Each thread keeps a stack of frames: a span it started (holding a
 * reference to it) or an attached context. The active context is the top
 * frame whose span has not ended; frames of spans ended elsewhere (another
 * thread) are dropped lazily when they come to the top. */

typedef struct frame {
    otel_span_context ctx;
    otel_span *span; /* NULL: an attached context */
} frame;

typedef struct thread_stack {
    frame *frames;
    size_t depth, cap;
} thread_stack;

static __thread thread_stack *stack;               /* created at the first push */
/* while the traces line of an ended span is logged, the context
 * otel_context_current answers on this thread, so that the record is
 * correlated with that span */
static __thread const otel_span_context *override;

static void release_frames(thread_stack *st, size_t from)
{
    for (size_t i = from; i < st->depth; i++)
        if (st->frames[i].span)
            span_release(st->frames[i].span);
    st->depth = from;
}

/* At thread exit: the spans still on the stack lose this thread's reference
 * (a span ended later on another thread is then freed there). */
static void stack_fini(void *p)
{
    thread_stack *st = p;
    release_frames(st, 0);
    free(st->frames);
    stack = NULL;
}

static otel_tls_kind stack_kind = {.size = sizeof(thread_stack), .fini = stack_fini};

static thread_stack *own_stack(void)
{
    if (!stack)
        stack = otel_tls_get(&stack_kind);
    return stack;
}

/* Drops frames of spans that ended (on another thread) from the top. */
static void prune(thread_stack *st)
{
    while (st->depth > 0) {
        frame *f = &st->frames[st->depth - 1];
        if (!f->span || !span_is_ended(f->span))
            break;
        span_release(f->span);
        st->depth--;
    }
}

/* The thread's current context: an attached one, else its innermost live
 * span's; NULL when there is none. */
static const otel_span_context *current_ctx(void)
{
    if (override)
        return override;
    thread_stack *st = stack;
    if (!st)
        return NULL;
    prune(st);
    return st->depth ? &st->frames[st->depth - 1].ctx : NULL;
}

/* The span of the thread's current context: its innermost live span when
 * that is the top frame; NULL when the current context is an attached one,
 * the override, or none. */
static otel_span *current_span(void)
{
    thread_stack *st = stack;
    if (override || !st)
        return NULL;
    prune(st);
    return st->depth ? st->frames[st->depth - 1].span : NULL;
}

int otel_context_current(otel_span_context *out)
{
    const otel_span_context *c = current_ctx();
    if (!c)
        return 0;
    *out = *c;
    return 1;
}

int otel_context_current_ids(uint8_t trace_id[16], uint8_t span_id[8], uint8_t *flags)
{
    const otel_span_context *c = current_ctx();
    if (!c)
        return 0;
    memcpy(trace_id, c->trace_id, 16);
    memcpy(span_id, c->span_id, 8);
    *flags = c->flags;
    return 1;
}

static int push(const otel_span_context *ctx, otel_span *span)
{
    thread_stack *st = own_stack();
    if (!st)
        return -1;
    if (st->depth == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 8;
        frame *f = realloc(st->frames, cap * sizeof *f);
        if (!f)
            return -1;
        st->frames = f;
        st->cap = cap;
    }
    st->frames[st->depth].ctx = *ctx;
    st->frames[st->depth].span = span;
    st->depth++;
    return 0;
}

void otel_context_set_current(const otel_span_context *c)
{
    if (stack)
        release_frames(stack, 0);
    if (c)
        (void)push(c, NULL);
}

/* Pushes a frame for span (whose context is ctx); the stack takes one
 * reference. Returns 0, -1 out of memory. */
static int push_span(otel_span *span, const otel_span_context *ctx)
{
    if (push(ctx, span) != 0)
        return -1;
    span_retain(span);
    return 0;
}

static void remove_at(thread_stack *st, size_t i)
{
    memmove(&st->frames[i], &st->frames[i + 1], (st->depth - i - 1) * sizeof st->frames[0]);
    st->depth--;
}

/* Removes span's frame from the calling thread's stack, wherever it is, and
 * releases the stack's reference. Returns 1 when it was there, else 0. */
static int remove_span(otel_span *span)
{
    thread_stack *st = stack;
    if (!st)
        return 0;
    for (size_t i = st->depth; i-- > 0;)
        if (st->frames[i].span == span) {
            remove_at(st, i);
            span_release(span);
            prune(st);
            return 1;
        }
    return 0;
}

int otel_context_attach(const otel_span_context *c) { return push(c, NULL); }

int otel_context_detach(void)
{
    thread_stack *st = stack;
    if (!st)
        return -1;
    for (size_t i = st->depth; i-- > 0;)
        if (!st->frames[i].span) {
            remove_at(st, i);
            prune(st);
            return 0;
        }
    return -1;
}

size_t otel_context_depth(void) { return stack ? stack->depth : 0; }

/* ---- start ---- */

/* Copies one pair (key and string value) into *dst. Returns 0, -1 out of memory. */
static int pair_copy(otel_attr *dst, const otel_attr *src)
{
    *dst = *src;
    dst->key = NULL;
    if (src->type == OTEL_VALUE_STRING) {
        size_t n = src->v.str.s ? src->v.str.s_len : 0;
        char *v = malloc(n + 1);
        if (!v)
            return -1;
        if (n)
            memcpy(v, src->v.str.s, n);
        v[n] = '\0';
        dst->v.str.s = v;
        dst->v.str.s_len = n;
    }
    if (!(dst->key = strdup(src->key))) {
        if (src->type == OTEL_VALUE_STRING)
            free((char *)dst->v.str.s);
        return -1;
    }
    return 0;
}

static int has_key(const otel_attr *a, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].key, key) == 0)
            return 1;
    return 0;
}

/* The span's filtering context: own[0..n) over the parent's pairs (own
 * win). Returns 0, -1 out of memory. */
static int fctx_build(otel_span *s, const otel_attr *own, size_t n, const otel_span *parent)
{
    size_t np = parent ? parent->nfctx : 0;
    if (n + np == 0)
        return 0;
    if (!(s->fctx = calloc(n + np, sizeof *s->fctx)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (has_key(s->fctx, s->nfctx, own[i].key))
            continue; /* a key given twice: the first wins */
        if (pair_copy(&s->fctx[s->nfctx], &own[i]) != 0)
            return -1;
        s->nfctx++;
    }
    for (size_t i = 0; i < np; i++) {
        if (has_key(s->fctx, s->nfctx, parent->fctx[i].key))
            continue;
        if (pair_copy(&s->fctx[s->nfctx], &parent->fctx[i]) != 0)
            return -1;
        s->nfctx++;
    }
    return 0;
}

int otel_span_start(const char *name, const otel_span_context *parent, int use_current, otel_span **out)
{
    return otel_span_start_with_filter_context(name, parent, use_current, NULL, 0, out);
}

int otel_span_start_with_filter_context(const char *name, const otel_span_context *parent, int use_current,
                                        const otel_attr *fctx, size_t nfctx, otel_span **out)
{
    otel_span_context current;
    const otel_span *parent_span = NULL;
    if (!parent && use_current && otel_context_current(&current)) {
        parent = &current;
        parent_span = current_span();
    }

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
    if (fctx_build(s, fctx, nfctx, parent_span) != 0) {
        span_free(s);
        return -1;
    }
    otel_traces_decide(otel_span_config(), name, s->fctx, s->nfctx, &s->decision);
    s->ctx.flags = s->decision.enabled ? OTEL_TRACE_FLAG_SAMPLED : 0;
    s->start_ns = clock_fn();
    if (push_span(s, &s->ctx) != 0) {
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
        override = &s->ctx;
        fn(b.data, b.len - 1, &s->ctx, s->status);
        override = NULL;
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
    (void)remove_span(s); /* when ended on another thread, that thread drops it lazily */
    span_release(s);
}
