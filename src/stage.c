/*
 * stage.c - per-thread lanes of raw entries (see stage.h).
 *
 * A lane is single-producer single-consumer: its thread appends to the tail
 * chunk and publishes each entry with a release store of the chunk's `used`;
 * the consumer (under drain_lock) reads up to `used`, and moves on to the
 * next chunk only once the producer has linked one (after which the old
 * chunk is never written again). A lane's first chunk is small (a thread
 * that logs once keeps 4 KiB); later ones double up to 64 KiB. A chunk the
 * consumer has read goes back to its lane as the spare for the producer's
 * next chunks (one per lane, and up to OTEL_STAGE_SPARES while the
 * stage's spare bytes stay under spare_cap, in slots each side exchanges
 * one chunk at a time; all dropped when the lane is idle at a drain).
 * Read 64 KiB chunks that no spare slot takes go to the stage's cache (up
 * to cache_cap bytes and, with a room hook, the budget's room left;
 * released from the budget while cached) instead of back to malloc: a
 * burst's backlog drains into it, and the next burst's chunks come from it
 * before malloc, so they are not page-faulted afresh (malloc gives a
 * drained heap back to the system). Should the room shrink below what is
 * cached (a chunk made from malloc, records queued), the cache gives
 * chunks back to malloc. After CACHE_IDLE_DRAINS drains in a row with no
 * chunk taken from the cache since the drain before (nothing logged, or a
 * trickle the lanes' own chunks hold), and at least cache_idle_ns since the
 * first of them, the cache is freed.
 * A whole chunk is reserved only while it fits the lowest band's share of
 * the budget (any entry may then fill it); past that, an entry gets a chunk
 * of its own size under its own band's share, so a lower band never fills
 * room a higher one was given (band.h).
 *
 * The calling thread finds its lane through a thread-local list keyed by
 * the stage's generation (a stage freed and another allocated at the same
 * address never share lanes). Thread exit marks the lanes dead; the
 * consumer frees a dead lane's chunks once it has read them.
 */
#include "stage.h"
#include "clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN ((size_t)4 << 10)
#define CHUNK_MAX ((size_t)64 << 10)
#define ENTRY_HEAD 8 /* a uint32 size, padded to keep entries 8-aligned */
#define CACHE_IDLE_DRAINS 4 /* the export thread drains once per schedule delay when idle */

typedef struct chunk {
    _Atomic(struct chunk *) next; /* producer links the next one; then this one is final
                                   * (in the stage's cache: the next cached chunk) */
    atomic_size_t used;           /* producer: bytes published */
    size_t cap;                   /* bytes of data[] */
    size_t reserved;              /* bytes counted against the budget (0: the sentinel) */
    _Alignas(8) unsigned char data[];
} chunk;

struct otel_stage_lane {
    otel_stage *stage;
    otel_stage_lane *next_lane; /* the stage's list, under lanes_lock */
    atomic_int dead;            /* the thread exited: free once read */
    atomic_int refs;            /* the thread's and the stage's */
    atomic_int orphan;          /* the stage let go (freed): the thread drops it too */
    /* producer's */
    chunk *tail;
    size_t tail_used;
    size_t since_kick;
    unsigned chunks_made;
    atomic_uint_fast64_t produced;
    atomic_uint_fast64_t refused[OTEL_BANDS];
    /* The consumer's fields start a cache line after the producer's: the
     * producer writes its own per entry and the consumer its own while it
     * reads the same lane; on one line each write would wait for the other
     * side's (false sharing). Not measurable on the shared 2-core machine
     * (its noise is larger); the usual single-producer/consumer layout. */
    char pad_[64];
    /* chunks the consumer has read, handed back for the producer's next
     * ones, still reserved (each slot exchanged whole by either side:
     * whoever takes a chunk owns it). Several, not one: the export thread
     * drains a lane's several chunks at once, and a chunk taken from the
     * stage's cache instead costs the producer two locks (the cache's and
     * the budget's), measured at 360-600 ns a call against ~180 from a slot */
    _Atomic(chunk *) spare[OTEL_STAGE_SPARES];
    /* consumer's */
    chunk *head;
    size_t head_read; /* bytes of head read (a chunk's header is the producer's) */
    atomic_uint chunks_freed; /* read by the producer to size its next chunk */
    atomic_uint_fast64_t consumed;
    uint64_t refused_seen[OTEL_BANDS];
    chunk sentinel; /* an empty first chunk: head is never NULL (flexible member unused) */
};

struct otel_stage {
    otel_stage_hooks hooks;
    size_t wake_at;
    uint64_t gen;
    pthread_mutex_t lanes_lock; /* the lane list */
    otel_stage_lane *lanes;
    pthread_mutex_t drain_lock; /* one consumer at a time */
    atomic_uint_fast64_t refused_nolane[OTEL_BANDS]; /* a lane could not be made */
    uint64_t refused_nolane_seen[OTEL_BANDS];
    atomic_size_t reserved;
    uint64_t retired_committed;  /* under lanes_lock: committed + refused of freed lanes */
    atomic_uint_fast64_t taken;  /* entries passed to fn + refusals reported, ever */
    unsigned round;              /* drain_lock: which lane a bounded drain starts at */
    unsigned idle_drains;        /* drain_lock: drains in a row after which no lane had
                                  * taken a chunk from the cache */
    uint64_t idle_since;         /* drain_lock: when the first of them ran */
    uint64_t takes_seen;         /* drain_lock: cache_takes at the previous drain */
    /* read CHUNK_MAX chunks kept for reuse, not counted in the budget; taken
     * by a producer growing its lane (once per 64 KiB) and filled by the
     * consumer, under cache_lock */
    pthread_mutex_t cache_lock;
    chunk *cache;
    size_t cache_bytes, cache_cap;
    uint64_t cache_idle_ns;            /* otel_stage_set_cache */
    atomic_uint_fast64_t cache_takes; /* chunks lanes took from the cache, ever */
    /* bytes of chunks in the lanes' spare slots past their first, and the
     * most there may be (otel_stage_set_spares) */
    atomic_size_t spare_bytes;
    size_t spare_cap;
};

/* A lane is shared by its thread and its stage until both let go (refs):
 * the thread at its exit, the stage when it frees the lane's chunks (the
 * thread is gone, or the stage is freed). No global lock: nothing for a
 * fork() to inherit held. */
static atomic_uint_fast64_t next_gen = 1;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static int key_ok;

/* A thread's lanes, one per stage it has written to. */
typedef struct tls_lane {
    otel_stage *stage;
    uint64_t gen;
    otel_stage_lane *lane;
    struct tls_lane *next;
} tls_lane;

static __thread tls_lane *my_lanes;

static void unref_lane(otel_stage_lane *lane)
{
    if (atomic_fetch_sub_explicit(&lane->refs, 1, memory_order_acq_rel) == 1)
        free(lane);
}

static void thread_exit(void *p)
{
    for (tls_lane *t = p, *next; t; t = next) {
        next = t->next;
        atomic_store_explicit(&t->lane->dead, 1, memory_order_release);
        unref_lane(t->lane);
        free(t);
    }
    my_lanes = NULL;
}

static void make_key(void) { key_ok = pthread_key_create(&key, thread_exit) == 0; }

otel_stage *otel_stage_new(const otel_stage_hooks *hooks, size_t wake_at)
{
    pthread_once(&key_once, make_key);
    if (!key_ok)
        return NULL;
    otel_stage *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (hooks)
        s->hooks = *hooks;
    s->wake_at = wake_at ? wake_at : 1;
    if (!s->hooks.admit || !s->hooks.unadmit)
        s->hooks.admit = NULL, s->hooks.unadmit = NULL;
    pthread_mutex_init(&s->lanes_lock, NULL);
    pthread_mutex_init(&s->drain_lock, NULL);
    pthread_mutex_init(&s->cache_lock, NULL);
    s->gen = atomic_fetch_add(&next_gen, 1);
    return s;
}

static void release(otel_stage *s, size_t bytes)
{
    if (!bytes)
        return;
    atomic_fetch_sub_explicit(&s->reserved, bytes, memory_order_relaxed);
    if (s->hooks.release)
        s->hooks.release(s->hooks.ctx, bytes);
}

static size_t chunk_bytes(const chunk *c) { return sizeof(chunk) + c->cap; }

/* Gives a chunk's reservation back and keeps it in the cache when it is a
 * CHUNK_MAX one and the cache has room; else frees it. */
static void free_chunk(otel_stage *s, otel_stage_lane *lane, chunk *c)
{
    if (c == &lane->sentinel)
        return;
    release(s, c->reserved);
    c->reserved = 0;
    size_t bytes = chunk_bytes(c);
    if (c->cap == CHUNK_MAX && s->cache_cap) {
        /* the budget's room, read before the cache's lock (a leaf) */
        size_t room = s->hooks.room ? s->hooks.room(s->hooks.ctx) : SIZE_MAX;
        pthread_mutex_lock(&s->cache_lock);
        int keep = s->cache_bytes + bytes <= s->cache_cap && s->cache_bytes + bytes <= room;
        if (keep) {
            atomic_store_explicit(&c->next, s->cache, memory_order_relaxed);
            s->cache = c;
            s->cache_bytes += bytes;
        }
        pthread_mutex_unlock(&s->cache_lock);
        if (keep)
            return;
    }
    free(c);
}

/* The cache's first chunk taken out of it (cache_lock held), or NULL. */
static chunk *cache_pop_locked(otel_stage *s)
{
    chunk *c = s->cache;
    if (c) {
        s->cache = atomic_load_explicit(&c->next, memory_order_relaxed);
        s->cache_bytes -= chunk_bytes(c);
    }
    return c;
}

/* A cached chunk (unreserved), or NULL when the cache is empty. */
static chunk *cache_take(otel_stage *s)
{
    if (!s->cache_cap)
        return NULL;
    pthread_mutex_lock(&s->cache_lock);
    chunk *c = cache_pop_locked(s);
    if (c)
        atomic_fetch_add_explicit(&s->cache_takes, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->cache_lock);
    return c;
}

/* Gives cached chunks back to malloc until the cache holds at most keep
 * bytes (freed after the lock). */
static void cache_trim(otel_stage *s, size_t keep)
{
    chunk *out = NULL;
    pthread_mutex_lock(&s->cache_lock);
    while (s->cache && s->cache_bytes > keep) {
        chunk *c = cache_pop_locked(s);
        atomic_store_explicit(&c->next, out, memory_order_relaxed);
        out = c;
    }
    pthread_mutex_unlock(&s->cache_lock);
    for (chunk *next; out; out = next) {
        next = atomic_load_explicit(&out->next, memory_order_relaxed);
        free(out);
    }
}

/* Gives cached chunks back to malloc until the cache holds at most the
 * budget's room (with a room hook). */
static void cache_fit_room(otel_stage *s)
{
    if (s->hooks.room)
        cache_trim(s, s->hooks.room(s->hooks.ctx));
}

/* Frees every cached chunk. */
static void cache_clear(otel_stage *s) { cache_trim(s, 0); }

void otel_stage_set_cache(otel_stage *s, size_t bytes, uint64_t idle_ns)
{
    pthread_mutex_lock(&s->cache_lock);
    s->cache_cap = bytes;
    s->cache_idle_ns = idle_ns;
    pthread_mutex_unlock(&s->cache_lock);
    if (!bytes)
        cache_clear(s);
}

void otel_stage_set_spares(otel_stage *s, size_t bytes) { s->spare_cap = bytes; }

size_t otel_stage_cached(otel_stage *s)
{
    pthread_mutex_lock(&s->cache_lock);
    size_t n = s->cache_bytes;
    pthread_mutex_unlock(&s->cache_lock);
    return n;
}

/* Takes the chunk in the lane's spare slot i, or NULL; a slot past the
 * first gives its bytes back to the stage's spare count. */
static chunk *spare_out(otel_stage *s, otel_stage_lane *lane, unsigned i)
{
    if (!atomic_load_explicit(&lane->spare[i], memory_order_relaxed))
        return NULL;
    chunk *c = atomic_exchange_explicit(&lane->spare[i], NULL, memory_order_acquire);
    if (c && i)
        atomic_fetch_sub_explicit(&s->spare_bytes, chunk_bytes(c), memory_order_relaxed);
    return c;
}

/* Frees the lane's spare chunks, if it has any. */
static void drop_spare(otel_stage *s, otel_stage_lane *lane)
{
    for (unsigned i = 0; i < OTEL_STAGE_SPARES; i++) {
        chunk *c = spare_out(s, lane, i);
        if (c)
            free_chunk(s, lane, c);
    }
}

/* A chunk the consumer has read: kept as one of the lane's spares when a
 * slot is free, else freed. The producer reuses it for a next chunk, so a
 * busy lane allocates no chunks and the consumer frees none into the
 * logging thread's malloc arena (whose lock the logging thread's own
 * mallocs then contended for: measured as futex waits on both sides). */
static void retire_chunk(otel_stage *s, otel_stage_lane *lane, chunk *c)
{
    if (c == &lane->sentinel)
        return;
    size_t bytes = chunk_bytes(c);
    for (unsigned i = 0; i < OTEL_STAGE_SPARES; i++) {
        if (atomic_load_explicit(&lane->spare[i], memory_order_relaxed))
            continue;
        /* past the first slot only within the stage's spare bytes (the
         * consumer alone adds to them: drains are serialised) */
        if (i && atomic_load_explicit(&s->spare_bytes, memory_order_relaxed) + bytes > s->spare_cap)
            break;
        chunk *expected = NULL;
        if (atomic_compare_exchange_strong_explicit(&lane->spare[i], &expected, c, memory_order_release,
                                                    memory_order_relaxed)) {
            if (i)
                atomic_fetch_add_explicit(&s->spare_bytes, bytes, memory_order_relaxed);
            return;
        }
    }
    free_chunk(s, lane, c);
}

/* The producer takes a spare chunk, or NULL when the lane has none. */
static chunk *take_spare(otel_stage *s, otel_stage_lane *lane)
{
    for (unsigned i = 0; i < OTEL_STAGE_SPARES; i++) {
        chunk *c = spare_out(s, lane, i);
        if (c)
            return c;
    }
    return NULL;
}

/* The stage lets go of a lane: its chunks now, the struct when the thread
 * has let go too. */
static void free_lane(otel_stage *s, otel_stage_lane *lane)
{
    drop_spare(s, lane);
    for (chunk *c = lane->head, *next; c; c = next) {
        next = atomic_load_explicit(&c->next, memory_order_acquire);
        free_chunk(s, lane, c);
    }
    lane->head = lane->tail = NULL;
    atomic_store_explicit(&lane->orphan, 1, memory_order_release);
    unref_lane(lane);
}

void otel_stage_free(otel_stage *s)
{
    if (!s)
        return;
    for (otel_stage_lane *l = s->lanes, *next; l; l = next) {
        next = l->next_lane;
        free_lane(s, l);
    }
    cache_clear(s);
    pthread_mutex_destroy(&s->lanes_lock);
    pthread_mutex_destroy(&s->drain_lock);
    pthread_mutex_destroy(&s->cache_lock);
    free(s);
}

/* The calling thread's lane of s when it is not the first of its list
 * (otel_stage_begin looks there): found further on, or made; NULL when out
 * of memory. */
__attribute__((noinline)) static otel_stage_lane *my_lane_slow(otel_stage *s)
{
    tls_lane *t;
    for (tls_lane **p = &my_lanes; (t = *p) != NULL; p = &t->next)
        if (t->stage == s && t->gen == s->gen) {
            *p = t->next; /* to the front: found at once next time */
            t->next = my_lanes;
            my_lanes = t;
            pthread_setspecific(key, my_lanes); /* the exit handler walks from the head */
            return t->lane;
        }
    /* a new lane: first drop the ones of stages freed since (a long-lived
     * thread would otherwise keep one per stage it ever wrote to) */
    for (tls_lane **p = &my_lanes; (t = *p) != NULL;)
        if (atomic_load_explicit(&t->lane->orphan, memory_order_acquire)) {
            *p = t->next;
            unref_lane(t->lane);
            free(t);
        } else
            p = &t->next;
    otel_stage_lane *lane = calloc(1, sizeof *lane);
    t = malloc(sizeof *t);
    if (!lane || !t) {
        free(lane);
        free(t);
        return NULL;
    }
    lane->stage = s;
    atomic_init(&lane->refs, 2);
    for (unsigned i = 0; i < OTEL_STAGE_SPARES; i++)
        atomic_init(&lane->spare[i], NULL);
    lane->tail = lane->head = &lane->sentinel;
    t->stage = s;
    t->gen = s->gen;
    t->lane = lane;
    t->next = my_lanes;
    my_lanes = t;
    pthread_setspecific(key, my_lanes);
    pthread_mutex_lock(&s->lanes_lock);
    lane->next_lane = s->lanes;
    s->lanes = lane;
    pthread_mutex_unlock(&s->lanes_lock);
    return lane;
}

static size_t entry_bytes(size_t size) { return ENTRY_HEAD + ((size + 7) & ~(size_t)7); }

/* Reserves a chunk of cap bytes of data for an entry of band `band` (a
 * CHUNK_MAX one from the cache when it holds one); NULL when the budget has
 * no room or out of memory. */
static chunk *new_chunk(otel_stage *s, size_t cap, unsigned band)
{
    size_t total = sizeof(chunk) + cap;
    if (s->hooks.reserve && s->hooks.reserve(s->hooks.ctx, total, band) != 0)
        return NULL;
    chunk *c = cap == CHUNK_MAX ? cache_take(s) : NULL;
    if (!c) {
        c = malloc(total);
        /* new memory: what is cached must still fit the room left */
        if (c && s->cache_cap)
            cache_fit_room(s);
    }
    if (!c) {
        if (s->hooks.release)
            s->hooks.release(s->hooks.ctx, total);
        return NULL;
    }
    c->cap = cap;
    c->reserved = total;
    atomic_fetch_add_explicit(&s->reserved, total, memory_order_relaxed);
    return c;
}

/* A new tail for the lane with room for need bytes: 4 KiB first, then
 * doubling up to 64 KiB, while that fits the lowest band's share; else one
 * of need bytes under the entry's band's share. */
static chunk *grow(otel_stage *s, otel_stage_lane *lane, size_t need, unsigned band)
{
    unsigned outstanding = lane->chunks_made - atomic_load_explicit(&lane->chunks_freed, memory_order_relaxed);
    size_t cap = CHUNK_MIN;
    /* measured: resetting to 4 KiB whenever the consumer keeps up (only the
     * tail outstanding) cost ~100 ns p50 per call in make bench, so a busy
     * lane stays at its size; a lane's first chunk is small */
    if (outstanding > 0 && lane->tail != &lane->sentinel) {
        cap = lane->tail->cap * 2;
        if (cap > CHUNK_MAX)
            cap = CHUNK_MAX;
    }
    if (cap < need)
        cap = need;
    /* a spare, when big enough: already allocated and counted */
    chunk *c = take_spare(s, lane);
    if (c && c->cap < cap) {
        free_chunk(s, lane, c);
        c = NULL;
    }
    if (!c && !(c = new_chunk(s, cap, OTEL_BAND_DEBUG)) && !(c = new_chunk(s, need, band)))
        return NULL;
    atomic_store_explicit(&c->next, NULL, memory_order_relaxed);
    atomic_store_explicit(&c->used, 0, memory_order_relaxed);
    lane->chunks_made++;
    /* publish: the old tail is final from here on */
    atomic_store_explicit(&lane->tail->next, c, memory_order_release);
    lane->tail = c;
    lane->tail_used = 0;
    return c;
}

/* otel_stage_begin past its common case: a record bound to admit under,
 * or a tail without room (a new chunk, or a refusal), or no lane. */
__attribute__((noinline)) static void *begin_slow(otel_stage *s, otel_stage_lane *lane, size_t size,
                                                  unsigned band)
{
    if (band >= OTEL_BANDS)
        band = OTEL_BAND_ERROR;
    if (!lane) {
        atomic_fetch_add_explicit(&s->refused_nolane[band], 1, memory_order_relaxed);
        return NULL;
    }
    size_t need = entry_bytes(size);
    chunk *c = lane->tail;
    int admitted = s->hooks.admit && s->hooks.admit(s->hooks.ctx, band) == 0;
    if ((s->hooks.admit && !admitted) || (c->cap - lane->tail_used < need && !(c = grow(s, lane, need, band)))) {
        if (admitted)
            s->hooks.unadmit(s->hooks.ctx, 1);
        atomic_store_explicit(&lane->refused[band],
                              atomic_load_explicit(&lane->refused[band], memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return NULL;
    }
    unsigned char *p = c->data + lane->tail_used;
    uint32_t sz = (uint32_t)size;
    memcpy(p, &sz, sizeof sz);
    return p + ENTRY_HEAD;
}

/* otel_stage_begin for a thread whose first lane is not this stage's. */
__attribute__((noinline)) static void *begin_other_lane(otel_stage *s, size_t size, unsigned band,
                                                        otel_stage_lane **out)
{
    otel_stage_lane *lane = my_lane_slow(s);
    *out = lane;
    return begin_slow(s, lane, size, band);
}

/* The common case inline, with no call to save registers around (the
 * others are tail calls): the thread's first lane is this stage's, no
 * record bound, room in the tail. */
void *otel_stage_begin(otel_stage *s, size_t size, unsigned band, otel_stage_lane **out)
{
    tls_lane *t = my_lanes;
    if (__builtin_expect(!t || t->stage != s || t->gen != s->gen, 0))
        return begin_other_lane(s, size, band, out);
    otel_stage_lane *lane = t->lane;
    *out = lane;
    if (__builtin_expect(!s->hooks.admit, 1)) {
        chunk *c = lane->tail;
        if (__builtin_expect(c->cap - lane->tail_used >= entry_bytes(size), 1)) {
            unsigned char *p = c->data + lane->tail_used;
            uint32_t sz = (uint32_t)size;
            memcpy(p, &sz, sizeof sz);
            return p + ENTRY_HEAD;
        }
    }
    return begin_slow(s, lane, size, band);
}

void otel_stage_commit(otel_stage_lane *lane, size_t size)
{
    lane->tail_used += entry_bytes(size);
    atomic_store_explicit(&lane->tail->used, lane->tail_used, memory_order_release);
    atomic_store_explicit(&lane->produced, atomic_load_explicit(&lane->produced, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    otel_stage *s = lane->stage;
    if (++lane->since_kick >= s->wake_at) {
        lane->since_kick = 0;
        if (s->hooks.kick)
            s->hooks.kick(s->hooks.ctx);
    }
}

/* Reads everything the lane has published; frees the chunks left behind.
 * The read position stays in a local until the end: the chunk's header is
 * the producer's line. */
static size_t drain_lane(otel_stage *s, otel_stage_lane *lane, otel_stage_fn fn, void *ctx, size_t max)
{
    size_t n = 0, rd = lane->head_read;
    chunk *c = lane->head;
    while (n < max) {
        size_t used = atomic_load_explicit(&c->used, memory_order_acquire);
        while (rd < used && n < max) {
            uint32_t sz;
            memcpy(&sz, c->data + rd, sizeof sz);
            fn(ctx, c->data + rd + ENTRY_HEAD, sz);
            rd += entry_bytes(sz);
            n++;
        }
        if (rd < used)
            break; /* max reached */
        chunk *next = atomic_load_explicit(&c->next, memory_order_acquire);
        if (!next)
            break;
        /* linked: c is final; anything published before the link is read first */
        if (rd < atomic_load_explicit(&c->used, memory_order_acquire))
            continue;
        lane->head = next;
        rd = 0;
        if (c != &lane->sentinel)
            atomic_fetch_add_explicit(&lane->chunks_freed, 1, memory_order_relaxed);
        retire_chunk(s, lane, c);
        c = next;
    }
    lane->head_read = rd;
    return n;
}

/* Unlinks a lane whose thread has exited and which has been read to the
 * end; its counts move to the stage's. Under drain_lock. */
static void retire_lane(otel_stage *s, otel_stage_lane *l)
{
    pthread_mutex_lock(&s->lanes_lock);
    for (otel_stage_lane **p = &s->lanes; *p; p = &(*p)->next_lane)
        if (*p == l) {
            *p = l->next_lane;
            break;
        }
    s->retired_committed += atomic_load_explicit(&l->produced, memory_order_relaxed);
    for (unsigned b = 0; b < OTEL_BANDS; b++)
        s->retired_committed += atomic_load_explicit(&l->refused[b], memory_order_relaxed);
    pthread_mutex_unlock(&s->lanes_lock);
    free_lane(s, l);
}

/* Adds the refusals no drain has reported yet (of every lane, also those a
 * bounded drain did not reach) to r by band; with mark, they count as
 * reported from now on. Caller holds lanes_lock, and drain_lock to mark. */
static void unreported_locked(otel_stage *s, int mark, uint64_t r[OTEL_BANDS])
{
    for (unsigned b = 0; b < OTEL_BANDS; b++) {
        uint64_t nl = atomic_load_explicit(&s->refused_nolane[b], memory_order_relaxed);
        r[b] += nl - s->refused_nolane_seen[b];
        if (mark)
            s->refused_nolane_seen[b] = nl;
        for (otel_stage_lane *l = s->lanes; l; l = l->next_lane) {
            uint64_t lr = atomic_load_explicit(&l->refused[b], memory_order_relaxed);
            r[b] += lr - l->refused_seen[b];
            if (mark)
                l->refused_seen[b] = lr;
        }
    }
}

static uint64_t band_sum(const uint64_t r[OTEL_BANDS])
{
    uint64_t t = 0;
    for (unsigned b = 0; b < OTEL_BANDS; b++)
        t += r[b];
    return t;
}

size_t otel_stage_drain(otel_stage *s, otel_stage_fn fn, void *ctx, size_t max, uint64_t *refused)
{
    uint64_t r[OTEL_BANDS];
    size_t n = otel_stage_drain_then(s, fn, NULL, ctx, max, r);
    if (refused)
        *refused = band_sum(r);
    return n;
}

size_t otel_stage_drain_then(otel_stage *s, otel_stage_fn fn, void (*done)(void *ctx), void *ctx, size_t max,
                             uint64_t refused[OTEL_BANDS])
{
    size_t n = 0;
    uint64_t ref[OTEL_BANDS] = {0};
    pthread_mutex_lock(&s->drain_lock);
    pthread_mutex_lock(&s->lanes_lock);
    otel_stage_lane *lanes = s->lanes; /* new lanes go to the front: the rest is stable */
    pthread_mutex_unlock(&s->lanes_lock);
    size_t nlanes = 0;
    for (otel_stage_lane *l = lanes; l; l = l->next_lane)
        nlanes++;
    /* a bounded drain starts one lane further each time: no lane waits on a busier one */
    size_t first = nlanes && max != SIZE_MAX ? s->round++ % nlanes : 0;
    otel_stage_lane *start = lanes;
    for (size_t i = 0; i < first; i++)
        start = start->next_lane;
    otel_stage_lane *l = start;
    for (size_t i = 0; i < nlanes; i++) {
        otel_stage_lane *next = l->next_lane ? l->next_lane : lanes;
        int dead = atomic_load_explicit(&l->dead, memory_order_acquire);
        size_t got = drain_lane(s, l, fn, ctx, max - n);
        n += got;
        if (got)
            atomic_fetch_add_explicit(&l->consumed, got, memory_order_relaxed);
        else /* an idle lane keeps no spares: only its tail */
            drop_spare(s, l);
        /* its thread is gone and everything it wrote was read above */
        if (dead && atomic_load_explicit(&l->consumed, memory_order_relaxed) ==
                        atomic_load_explicit(&l->produced, memory_order_relaxed)) {
            for (unsigned b = 0; b < OTEL_BANDS; b++) /* final: its thread is gone */
                ref[b] += atomic_load_explicit(&l->refused[b], memory_order_relaxed) - l->refused_seen[b];
            retire_lane(s, l);
        }
        if (n >= max)
            break;
        l = next;
    }
    pthread_mutex_lock(&s->lanes_lock);
    unreported_locked(s, 1, ref);
    pthread_mutex_unlock(&s->lanes_lock);
    /* the cache is idle while no lane takes from it: nothing logged, or a
     * trickle its lanes' tails and spares hold (the clock is read only
     * then, and only with an idle time) */
    uint64_t takes = atomic_load_explicit(&s->cache_takes, memory_order_relaxed);
    if (takes != s->takes_seen) {
        s->takes_seen = takes;
        s->idle_drains = 0;
    } else if (s->cache_cap) {
        uint64_t now = s->cache_idle_ns ? otel_now_ns() : 0;
        if (s->idle_drains++ == 0)
            s->idle_since = now;
        if (s->idle_drains >= CACHE_IDLE_DRAINS && now - s->idle_since >= s->cache_idle_ns) {
            cache_clear(s);
            s->idle_drains = 0; /* what the cache takes next starts a new count */
        }
    }
    if (done)
        done(ctx);
    /* what was read is queued now: the cache fits the room left */
    if (n && s->cache_cap)
        cache_fit_room(s);
    /* what was read is the owner's to count now (done handed it on) */
    if (n && s->hooks.unadmit)
        s->hooks.unadmit(s->hooks.ctx, n);
    atomic_fetch_add_explicit(&s->taken, n + band_sum(ref), memory_order_release);
    pthread_mutex_unlock(&s->drain_lock);
    if (refused)
        for (unsigned b = 0; b < OTEL_BANDS; b++)
            refused[b] = ref[b];
    return n;
}

uint64_t otel_stage_committed(otel_stage *s)
{
    pthread_mutex_lock(&s->lanes_lock);
    uint64_t c = s->retired_committed;
    for (otel_stage_lane *l = s->lanes; l; l = l->next_lane) {
        c += atomic_load_explicit(&l->produced, memory_order_acquire);
        for (unsigned b = 0; b < OTEL_BANDS; b++)
            c += atomic_load_explicit(&l->refused[b], memory_order_relaxed);
    }
    pthread_mutex_unlock(&s->lanes_lock);
    for (unsigned b = 0; b < OTEL_BANDS; b++)
        c += atomic_load_explicit(&s->refused_nolane[b], memory_order_relaxed);
    return c;
}

uint64_t otel_stage_taken(otel_stage *s) { return atomic_load_explicit(&s->taken, memory_order_acquire); }


void otel_stage_counts(otel_stage *s, uint64_t *pending, uint64_t *refused)
{
    uint64_t r[OTEL_BANDS];
    otel_stage_counts_by_band(s, pending, r);
    *refused = band_sum(r);
}

void otel_stage_counts_by_band(otel_stage *s, uint64_t *pending, uint64_t refused[OTEL_BANDS])
{
    /* a drain holds drain_lock while it builds (and masks) records: never
     * wait for it; without it the counts are a snapshot in flux */
    int drain_held = pthread_mutex_trylock(&s->drain_lock) == 0;
    uint64_t taken = otel_stage_taken(s), committed = otel_stage_committed(s);
    uint64_t r[OTEL_BANDS] = {0};
    pthread_mutex_lock(&s->lanes_lock);
    unreported_locked(s, 0, r);
    pthread_mutex_unlock(&s->lanes_lock);
    if (drain_held)
        pthread_mutex_unlock(&s->drain_lock);
    uint64_t waiting = committed > taken ? committed - taken : 0, unreported = band_sum(r);
    for (unsigned b = 0; b < OTEL_BANDS; b++)
        refused[b] = r[b];
    *pending = waiting > unreported ? waiting - unreported : 0;
}

size_t otel_stage_reserved(otel_stage *s) { return atomic_load_explicit(&s->reserved, memory_order_relaxed); }
