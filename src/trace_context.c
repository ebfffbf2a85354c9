/*
 * trace_context.c - the per-thread stack of active contexts (spans started
 * on the thread, contexts attached to it) and the W3C traceparent format
 * (version 00; later versions parsed as the spec says: the first four
 * fields, anything after must start with '-').
 */
#include "trace_context.h"
#include "record.h"
#include "tls_scratch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
    otel_span_context ctx;
    struct otel_span *span; /* NULL: an attached context */
} frame;

typedef struct thread_stack {
    frame *frames;
    size_t depth, cap;
} thread_stack;

static __thread thread_stack *stack;               /* created at the first push */
static __thread const otel_span_context *override; /* see otel_context_set_override */

static void release_frames(thread_stack *st, size_t from)
{
    for (size_t i = from; i < st->depth; i++)
        if (st->frames[i].span)
            otel_span_release(st->frames[i].span);
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
        if (!f->span || !otel_span_is_ended(f->span))
            break;
        otel_span_release(f->span);
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

static int push(const otel_span_context *ctx, struct otel_span *span)
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

int otel_context_push_span(struct otel_span *span, const otel_span_context *ctx)
{
    if (push(ctx, span) != 0)
        return -1;
    otel_span_retain(span);
    return 0;
}

static void remove_at(thread_stack *st, size_t i)
{
    memmove(&st->frames[i], &st->frames[i + 1], (st->depth - i - 1) * sizeof st->frames[0]);
    st->depth--;
}

int otel_context_remove_span(struct otel_span *span)
{
    thread_stack *st = stack;
    if (!st)
        return 0;
    for (size_t i = st->depth; i-- > 0;)
        if (st->frames[i].span == span) {
            remove_at(st, i);
            otel_span_release(span);
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

void otel_context_set_override(const otel_span_context *c) { override = c; }

size_t otel_context_depth(void) { return stack ? stack->depth : 0; }

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
}

void otel_traceparent_format(const otel_span_context *c, char out[OTEL_TRACEPARENT_LEN + 1])
{
    memcpy(out, "00-", 3);
    hex(out + 3, c->trace_id, 16);
    out[35] = '-';
    hex(out + 36, c->span_id, 8);
    out[52] = '-';
    hex(out + 53, &c->flags, 1);
    out[55] = '\0';
}

/* Lowercase hex only, as the spec requires. */
static int unhex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) {
        int v;
        char ch = s[i];
        if (ch >= '0' && ch <= '9')
            v = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            v = ch - 'a' + 10;
        else
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return 0;
}

int otel_traceparent_parse_n(const char *s, size_t len, otel_span_context *out)
{
    otel_span_context c;
    uint8_t version;
    if (!s || !out || len < OTEL_TRACEPARENT_LEN)
        return -1;
    if (unhex(s, &version, 1) != 0 || version == 0xff || s[2] != '-' || s[35] != '-' || s[52] != '-')
        return -1;
    memset(&c, 0, sizeof c);
    if (unhex(s + 3, c.trace_id, 16) != 0 || unhex(s + 36, c.span_id, 8) != 0 || unhex(s + 53, &c.flags, 1) != 0)
        return -1;
    /* version 00 is exactly 55 characters; a future version may add fields
     * after a '-' (their content is not ours to judge, but a NUL is no header) */
    if (len > OTEL_TRACEPARENT_LEN) {
        if (version == 0 || s[OTEL_TRACEPARENT_LEN] != '-' || memchr(s, '\0', len))
            return -1;
    }
    if (otel_bytes_all_zero(c.trace_id, 16) || otel_bytes_all_zero(c.span_id, 8))
        return -1;
    *out = c;
    return 0;
}

int otel_traceparent_parse(const char *s, otel_span_context *out)
{
    return s ? otel_traceparent_parse_n(s, strlen(s), out) : -1;
}
