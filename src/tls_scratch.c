/*
 * tls_scratch.c - per-thread objects created on first use and freed at
 * thread exit (see tls_scratch.h). Each object is allocated behind a small
 * header that names its kind, so one thread-exit destructor serves every
 * kind.
 */
#include "tls_scratch.h"

#include <stdlib.h>

typedef union tls_head {
    otel_tls_kind *kind;
    max_align_t align; /* the object after the header is aligned for anything */
} tls_head;

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;

static void release(void *obj)
{
    tls_head *h = (tls_head *)obj - 1;
    if (h->kind->fini)
        h->kind->fini(obj);
    free(h);
}

static int make_key(otel_tls_kind *kind)
{
    pthread_mutex_lock(&key_lock);
    int ready = atomic_load_explicit(&kind->ready, memory_order_relaxed);
    if (ready == 0) {
        ready = pthread_key_create(&kind->key, release) == 0 ? 1 : -1;
        atomic_store_explicit(&kind->ready, ready, memory_order_release);
    }
    pthread_mutex_unlock(&key_lock);
    return ready;
}

void *otel_tls_create(otel_tls_kind *kind)
{
    int ready = atomic_load_explicit(&kind->ready, memory_order_acquire);
    if (ready == 0)
        ready = make_key(kind);
    if (ready != 1)
        return NULL;
    void *obj = pthread_getspecific(kind->key);
    if (obj)
        return obj;
    tls_head *h = calloc(1, sizeof *h + kind->size);
    if (!h)
        return NULL;
    h->kind = kind;
    obj = h + 1;
    if (kind->init && kind->init(obj) != 0) {
        release(obj);
        return NULL;
    }
    if (pthread_setspecific(kind->key, obj) != 0) {
        release(obj);
        return NULL;
    }
    return obj;
}
