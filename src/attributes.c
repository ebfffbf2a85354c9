/*
 * attributes.c - owned attribute lists and the per-thread attribute context.
 */
#include "attributes.h"
#include "tls_scratch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void attr_free(otel_attr *a)
{
    free((char *)a->key);
    if (a->type == OTEL_VALUE_STRING)
        free((char *)a->v.str.s);
}

int otel_attr_list_set(otel_attr_list *l, const otel_attr *v)
{
    otel_attr c = *v;
    c.key = strdup(v->key);
    if (!c.key)
        return -1;
    if (v->type == OTEL_VALUE_STRING) {
        const char *s = v->v.str.s ? v->v.str.s : "";
        size_t n = v->v.str.s ? v->v.str.s_len : 0;
        char *d = malloc(n + 1);
        if (!d) {
            free((char *)c.key);
            return -1;
        }
        memcpy(d, s, n);
        d[n] = '\0';
        c.v.str.s = d;
        c.v.str.s_len = n;
    }
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->a[i].key, v->key) == 0) {
            attr_free(&l->a[i]);
            l->a[i] = c;
            return 0;
        }
    otel_attr *a = realloc(l->a, (l->n + 1) * sizeof *a);
    if (!a) {
        attr_free(&c);
        return -1;
    }
    l->a = a;
    l->a[l->n++] = c;
    return 0;
}

int otel_attr_list_remove(otel_attr_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->a[i].key, key) == 0) {
            attr_free(&l->a[i]);
            memmove(&l->a[i], &l->a[i + 1], (l->n - i - 1) * sizeof *l->a);
            l->n--;
            return 1;
        }
    return 0;
}

const otel_attr *otel_attr_list_get(const otel_attr_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->a[i].key, key) == 0)
            return &l->a[i];
    return NULL;
}

void otel_attr_list_free(otel_attr_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        attr_free(&l->a[i]);
    free(l->a);
    l->a = NULL;
    l->n = 0;
}

/* ---- the per-thread context ------------------------------------------ */

static void ctx_fini(void *p) { otel_attr_list_free(p); }

static otel_tls_kind ctx_kind = {.size = sizeof(otel_attr_list), .fini = ctx_fini};

static otel_attr_list *ctx(int create) { return create ? otel_tls_get(&ctx_kind) : otel_tls_peek(&ctx_kind); }

int otel_thread_attrs_put(const otel_attr *v)
{
    otel_attr_list *l = ctx(1);
    return l ? otel_attr_list_set(l, v) : -1;
}

int otel_thread_attrs_remove(const char *key)
{
    otel_attr_list *l = ctx(0);
    return l ? otel_attr_list_remove(l, key) : 0;
}

void otel_thread_attrs_clear(void)
{
    otel_attr_list *l = ctx(0);
    if (l)
        otel_attr_list_free(l);
}

const otel_attr *otel_thread_attrs(size_t *n)
{
    otel_attr_list *l = ctx(0);
    *n = l ? l->n : 0;
    return l ? l->a : NULL;
}
