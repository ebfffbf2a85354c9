/*
 * record_pool.c - per-thread recycling of record memory (record_pool.h).
 */
#include "record_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ON 0
#endif
#endif
#ifndef POOL_ON
#define POOL_ON 1
#endif

/* Classes of 256, 512, ... 4096 bytes: a typical record (100-byte body, a
 * dozen attributes) takes 512 to 1024. */
#define MIN_SHIFT 8
#define NCLASS 5

typedef struct block {
    struct block *next;
} block;

typedef struct pool {
    block *head[NCLASS];
    size_t bytes;
    int registered; /* the thread-exit destructor knows this pool */
    int dead;       /* the destructor ran: free directly from now on */
} pool;

static __thread pool tpool;
static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static int pool_key_ok;

static size_t class_size(int c) { return (size_t)1 << (MIN_SHIFT + c); }

/* The smallest class that holds bytes, or -1 above the largest. */
static int class_of(size_t bytes)
{
    if (bytes <= class_size(0))
        return 0;
    /* ceil(log2(bytes)) - MIN_SHIFT, without a loop */
    int c = (int)(sizeof(unsigned long long) * 8) - __builtin_clzll((unsigned long long)(bytes - 1)) - MIN_SHIFT;
    return c < NCLASS ? c : -1;
}

static void release_all(pool *p)
{
    for (int c = 0; c < NCLASS; c++)
        while (p->head[c]) {
            block *b = p->head[c];
            p->head[c] = b->next;
            free(b);
        }
    p->bytes = 0;
}

static void pool_exit(void *arg)
{
    pool *p = arg;
    release_all(p);
    p->dead = 1; /* a later destructor may still free a record */
}

static void make_key(void) { pool_key_ok = pthread_key_create(&pool_key, pool_exit) == 0; }

/* Registers the calling thread's pool for release at thread exit; 0 when
 * it cannot (then nothing is kept). */
static int ensure_registered(pool *p)
{
    if (p->registered)
        return 1;
    pthread_once(&pool_once, make_key);
    if (!pool_key_ok || pthread_setspecific(pool_key, p) != 0)
        return 0;
    p->registered = 1;
    return 1;
}

void *otel_record_mem_alloc(size_t bytes)
{
    int c = POOL_ON ? class_of(bytes) : -1;
    if (c < 0)
        return malloc(bytes);
    pool *p = &tpool;
    block *b = p->head[c];
    if (!b)
        return malloc(class_size(c));
    p->head[c] = b->next;
    p->bytes -= class_size(c);
    return b;
}

void otel_record_mem_free(void *mem, size_t bytes)
{
    if (!mem)
        return;
    int c = POOL_ON ? class_of(bytes) : -1;
    pool *p = &tpool;
    if (c < 0 || p->dead || p->bytes + class_size(c) > OTEL_RECORD_POOL_MAX_BYTES || !ensure_registered(p)) {
        free(mem);
        return;
    }
    block *b = mem;
    b->next = p->head[c];
    p->head[c] = b;
    p->bytes += class_size(c);
}

void otel_record_mem_free_n(void *const *mems, size_t n, size_t size_at)
{
    if (!n)
        return;
    pool *p = &tpool;
    /* the checks that do not depend on the block, once for all */
    int keep = POOL_ON && !p->dead && ensure_registered(p);
    size_t bytes = p->bytes;
    for (size_t i = 0; i < n; i++) {
        void *mem = mems[i];
        if (!mem)
            continue;
        size_t size;
        memcpy(&size, (const char *)mem + size_at, sizeof size);
        int c = keep ? class_of(size) : -1;
        if (c < 0 || bytes + class_size(c) > OTEL_RECORD_POOL_MAX_BYTES) {
            free(mem);
            continue;
        }
        block *b = mem;
        b->next = p->head[c];
        p->head[c] = b;
        bytes += class_size(c);
    }
    p->bytes = bytes;
}

size_t otel_record_pool_bytes(void) { return tpool.bytes; }

int otel_record_pool_enabled(void) { return POOL_ON; }
