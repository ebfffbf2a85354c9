/*
 * preinit.c - the pre-initialisation buffer: one allocation per entry (the
 * struct, its attribute arrays and every string), a FIFO under one lock.
 */
#include "preinit.h"

#include <stdlib.h>
#include <string.h>

/* every piece starts 8-byte aligned, so attribute arrays and strings can interleave */
#define ROUND8(n) (((n) + 7u) & ~(size_t)7u)

static size_t str_size(const char *s, size_t len) { return s ? ROUND8(len + 1) : 0; }

static size_t attrs_size(const otel_attr *a, size_t n)
{
    size_t sz = n * sizeof *a;
    for (size_t i = 0; i < n; i++) {
        sz += a[i].key ? ROUND8(strlen(a[i].key) + 1) : 0;
        if (a[i].type == OTEL_VALUE_STRING)
            sz += str_size(a[i].v.str.s, a[i].v.str.s_len);
    }
    return sz;
}

/* A bump allocator over the entry's allocation (sizes computed first). */
typedef struct arena {
    char *p;
} arena;

static void *take(arena *ar, size_t n)
{
    void *r = ar->p;
    ar->p += ROUND8(n);
    return r;
}

static const char *copy_str(arena *ar, const char *s, size_t len)
{
    if (!s)
        return NULL;
    char *d = take(ar, len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

static otel_attr *copy_attrs(arena *ar, const otel_attr *a, size_t n)
{
    if (n == 0)
        return NULL;
    otel_attr *d = take(ar, n * sizeof *d);
    for (size_t i = 0; i < n; i++) {
        d[i] = a[i];
        d[i].key = a[i].key ? copy_str(ar, a[i].key, strlen(a[i].key)) : NULL;
        if (a[i].type == OTEL_VALUE_STRING)
            d[i].v.str.s = copy_str(ar, a[i].v.str.s, a[i].v.str.s_len);
    }
    return d;
}

otel_preinit_entry *otel_preinit_entry_new(const char *tag, const otel_pipeline_input *in, const otel_loc_data *ld)
{
    const otel_record_input *r = &in->rec;
    size_t sz = sizeof(otel_preinit_entry) + attrs_size(r->attrs, r->nattrs) +
                attrs_size(in->call_attrs, in->ncall_attrs) + (ld ? attrs_size(ld->attrs, ld->nattrs) : 0);
    sz += ROUND8(strlen(tag) + 1) + str_size(r->category, r->category ? strlen(r->category) : 0) +
          str_size(r->body, r->body_len) + 16 + 8;
    if (ld)
        sz += str_size(ld->app_name, ld->app_name ? strlen(ld->app_name) : 0) +
              str_size(ld->app_instance, ld->app_instance ? strlen(ld->app_instance) : 0);
    otel_preinit_entry *e = malloc(sz);
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    arena ar = {(char *)(e + 1)};
    e->size = sz;
    e->in = *in;
    otel_record_input *d = &e->in.rec;
    d->attrs = copy_attrs(&ar, r->attrs, r->nattrs);
    e->in.call_attrs = copy_attrs(&ar, in->call_attrs, in->ncall_attrs);
    if (ld) {
        e->has_ld = 1;
        e->ld = *ld;
        e->ld.attrs = copy_attrs(&ar, ld->attrs, ld->nattrs);
        e->ld.app_name = ld->app_name ? copy_str(&ar, ld->app_name, strlen(ld->app_name)) : NULL;
        e->ld.app_instance = ld->app_instance ? copy_str(&ar, ld->app_instance, strlen(ld->app_instance)) : NULL;
    }
    e->tag = copy_str(&ar, tag, strlen(tag));
    d->category = r->category ? copy_str(&ar, r->category, strlen(r->category)) : NULL;
    d->body = r->body ? copy_str(&ar, r->body, r->body_len) : NULL;
    if (r->trace_id) {
        uint8_t *t = take(&ar, 16);
        memcpy(t, r->trace_id, 16);
        d->trace_id = t;
    }
    if (r->span_id) {
        uint8_t *t = take(&ar, 8);
        memcpy(t, r->span_id, 8);
        d->span_id = t;
    }
    return e;
}

void otel_preinit_entry_free(otel_preinit_entry *e) { free(e); }

int otel_preinit_push(otel_preinit *b, otel_preinit_entry *e)
{
    pthread_mutex_lock(&b->lock);
    int fits = b->count < b->max_records && e->size <= b->max_bytes && b->bytes <= b->max_bytes - e->size;
    if (fits) {
        e->next = NULL;
        if (b->tail)
            b->tail->next = e;
        else
            b->head = e;
        b->tail = e;
        b->count++;
        b->bytes += e->size;
    }
    pthread_mutex_unlock(&b->lock);
    if (!fits)
        free(e);
    return fits ? 0 : -1;
}

otel_preinit_entry *otel_preinit_take(otel_preinit *b)
{
    pthread_mutex_lock(&b->lock);
    otel_preinit_entry *h = b->head;
    b->head = b->tail = NULL;
    b->count = b->bytes = 0;
    pthread_mutex_unlock(&b->lock);
    return h;
}
