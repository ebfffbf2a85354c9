/*
 * tls_scratch.h - per-thread objects: "this thread's object of this kind,
 * created on first use, freed at thread exit". A kind is a static
 * otel_tls_kind naming the object's size and what to do after allocating
 * it and before freeing it; the thread-specific key behind it is created
 * at the first use of the kind, by whichever thread comes first.
 *
 *     static otel_tls_kind scratch_kind = {.size = sizeof(scratch), .fini = scratch_fini};
 *     scratch *s = otel_tls_get(&scratch_kind);   NULL only when out of memory
 *
 * The object of a thread that never asked for one is never created.
 */
#ifndef LOG4C_OTEL_TLS_SCRATCH_H
#define LOG4C_OTEL_TLS_SCRATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct otel_tls_kind {
    size_t size;             /* bytes of an object, zeroed when created */
    int (*init)(void *obj);  /* optional: fills a new object; non-zero: failed (fini, if any, then runs) */
    void (*fini)(void *obj); /* optional: releases what the object holds, at thread exit */
    atomic_int ready;        /* 0 at first, 1 once key exists, -1 when it could not be created */
    pthread_key_t key;
} otel_tls_kind;

/* The slow path of otel_tls_get: creates the key when needed, then this
 * thread's object. NULL when the key or the object cannot be created. */
void *otel_tls_create(otel_tls_kind *kind);

/* This thread's object of kind, created on first use. NULL only when out of
 * memory (or out of thread-specific keys). The fast path is one atomic load
 * and one pthread_getspecific. */
static inline void *otel_tls_get(otel_tls_kind *kind)
{
    if (atomic_load_explicit(&kind->ready, memory_order_acquire) == 1) {
        void *obj = pthread_getspecific(kind->key);
        if (obj)
            return obj;
    }
    return otel_tls_create(kind);
}

/* This thread's object of kind when it has one, else NULL (never creates). */
static inline void *otel_tls_peek(otel_tls_kind *kind)
{
    if (atomic_load_explicit(&kind->ready, memory_order_acquire) != 1)
        return NULL;
    return pthread_getspecific(kind->key);
}

#endif
