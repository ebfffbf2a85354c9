/*
 * test_stage.c - the per-thread staging lanes (src/stage.h): entries of every
 * size come back in order with their bytes intact; the byte budget refuses
 * what does not fit, counts the refusals and gets every reserved byte back;
 * a busy lane reuses its read chunks, keeping as many as its spare bytes
 * allow; read chunks are cached within the cap and the budget's room, and
 * freed when idle; kicks come every wake_at entries; an owner's record bound (admit) holds
 * over every lane; the budget refuses the lowest severity band first; bounded drains take the lanes in turn; committed and taken add
 * up; many producers against a draining consumer lose, repeat and reorder
 * nothing; the lanes of exited threads are read and then freed; a thread
 * that wrote to a freed stage writes to a new one cleanly, and one whose
 * last entry comes from a thread-exit destructor still exits.
 *
 * LOG4C_OTEL_TEST_SANITIZER (set by tools/check-hardening.sh) makes the
 * threaded tests smaller: the same interleavings, fewer of them.
 */
#include <check.h>
#include "run_suite.h"
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"

static int under_sanitizer(void)
{
    const char *s = getenv("LOG4C_OTEL_TEST_SANITIZER");
    return s != NULL && *s != '\0';
}

/* ---- entries: a recognisable byte pattern from two numbers ---- */

/* Byte j of the entry (a, b): not periodic below 16 MiB, so a misplaced or
 * spliced block shows. */
static uint8_t pat(uint64_t a, uint64_t b, size_t j)
{
    return (uint8_t)(a * 131u + b * 7u + j * 13u + (j >> 8) * 3u + (j >> 16) * 5u + 1u);
}

static void fill(void *p, uint64_t a, uint64_t b, size_t from, size_t size)
{
    uint8_t *u = p;
    for (size_t j = from; j < size; j++)
        u[j] = pat(a, b, j);
}

/* index of the first wrong byte, or size when all are right */
static size_t first_bad(const void *p, uint64_t a, uint64_t b, size_t from, size_t size)
{
    const uint8_t *u = p;
    for (size_t j = from; j < size; j++)
        if (u[j] != pat(a, b, j))
            return j;
    return size;
}

/* What a drain callback found wrong: a count and the first message. */
struct faults {
    long n;
    char first[256];
};

static void fault(struct faults *f, const char *fmt, ...)
{
    if (f->n++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->first, sizeof f->first, fmt, ap);
        va_end(ap);
    }
}

#define ck_assert_no_faults(f) \
    ck_assert_msg((f).n == 0, "%ld bad entries, the first: %s", (f).n, (f).first)

static int aligned8(const void *p)
{
    return ((uintptr_t)p & 7u) == 0;
}

/* otel_stage_counts: entries waiting in the lanes */
static uint64_t pending(otel_stage *s)
{
    uint64_t p = 99, r = 99;
    otel_stage_counts(s, &p, &r);
    return p;
}

/* otel_stage_counts: refusals no drain has reported yet */
static uint64_t unreported(otel_stage *s)
{
    uint64_t p = 99, r = 99;
    otel_stage_counts(s, &p, &r);
    return r;
}

/* ---- hooks that count: a budget (limit 0: unlimited) and kicks ---- */

struct budget {
    pthread_mutex_t mu;
    size_t limit;
    size_t reserved;     /* bytes reserved now */
    size_t max_reserved; /* the most ever reserved at once */
    long reserves, refusals, releases;
    int went_negative; /* a release of more than was reserved */
    int banded;        /* each band gets its share of limit (band.h) */
    size_t other;      /* bytes of the limit held elsewhere (queued records) */
    atomic_long kicks;
};

static int budget_reserve(void *ctx, size_t bytes, unsigned band)
{
    struct budget *b = ctx;
    int rc = 0;
    pthread_mutex_lock(&b->mu);
    size_t limit = b->banded ? otel_band_limit(b->limit, band) : b->limit;
    if (b->limit != 0 && (b->reserved > limit || bytes > limit - b->reserved)) {
        b->refusals++;
        rc = -1;
    } else {
        b->reserved += bytes;
        b->reserves++;
        if (b->reserved > b->max_reserved)
            b->max_reserved = b->reserved;
    }
    pthread_mutex_unlock(&b->mu);
    return rc;
}

static void budget_release(void *ctx, size_t bytes)
{
    struct budget *b = ctx;
    pthread_mutex_lock(&b->mu);
    if (bytes > b->reserved) {
        b->went_negative = 1;
        b->reserved = 0;
    } else
        b->reserved -= bytes;
    b->releases++;
    pthread_mutex_unlock(&b->mu);
}

/* The limit's bytes neither the lanes nor `other` hold (the room hook). */
static size_t budget_room(void *ctx)
{
    struct budget *b = ctx;
    pthread_mutex_lock(&b->mu);
    size_t used = b->reserved + b->other;
    size_t room = b->limit == 0 ? SIZE_MAX : used < b->limit ? b->limit - used : 0;
    pthread_mutex_unlock(&b->mu);
    return room;
}

static void budget_kick(void *ctx)
{
    struct budget *b = ctx;
    atomic_fetch_add(&b->kicks, 1);
}

static void budget_init(struct budget *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    pthread_mutex_init(&b->mu, NULL);
    b->limit = limit;
    atomic_init(&b->kicks, 0);
}

static size_t budget_now(struct budget *b)
{
    pthread_mutex_lock(&b->mu);
    size_t r = b->reserved;
    pthread_mutex_unlock(&b->mu);
    return r;
}

static otel_stage *stage_with(struct budget *b, size_t wake_at)
{
    otel_stage_hooks h = {budget_reserve, budget_release, budget_kick, b, NULL, NULL, NULL};
    otel_stage *s = otel_stage_new(&h, wake_at);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* ---- 1. one thread: every size, in order, intact ---- */

#define SIZES_N 1200

/* 1..5000 bytes mostly, with the edges of the usual chunk sizes and entries
 * far bigger than a 4 KiB or a 64 KiB chunk */
static size_t size_of(size_t i)
{
    if (i == 0)
        return 1;
    if (i == 1)
        return 5000;
    if (i % 101 == 50)
        return 70000 + i; /* > 64 KiB */
    if (i % 101 == 77)
        return 300000 + i; /* far > 64 KiB */
    if (i % 101 == 90)
        return 65536;
    if (i % 101 == 91)
        return 4096;
    if (i % 37 == 5)
        return 9000 + i; /* > 4 KiB */
    return 1 + (i * 7919u) % 5000u;
}

/* an entry of size_of(i): index and size first when they fit, then the pattern */
static void write_indexed(void *p, size_t i, size_t size)
{
    size_t from = 0;
    if (size >= 8) {
        uint32_t h[2] = {(uint32_t)i, (uint32_t)size};
        memcpy(p, h, sizeof h);
        from = 8;
    }
    fill(p, i, size, from, size);
}

struct in_order {
    size_t next;  /* the index the next entry must have */
    size_t limit; /* how many were written */
    struct faults f;
};

static void check_in_order(void *ctx, const void *entry, size_t size)
{
    struct in_order *c = ctx;
    size_t i = c->next++;
    if (i >= c->limit) {
        fault(&c->f, "entry at position %zu (size %zu): only %zu were written", i, size, c->limit);
        return;
    }
    size_t want = size_of(i);
    if (size != want) {
        uint32_t h[2] = {0, 0};
        if (size >= 8)
            memcpy(h, entry, sizeof h);
        fault(&c->f, "entry at position %zu: size %zu, want %zu (its header says index %u size %u)", i,
              size, want, h[0], h[1]);
        return;
    }
    size_t from = 0;
    if (size >= 8) {
        uint32_t h[2];
        memcpy(h, entry, sizeof h);
        if (h[0] != (uint32_t)i || h[1] != (uint32_t)size) {
            fault(&c->f, "entry at position %zu: header says index %u size %u", i, h[0], h[1]);
            return;
        }
        from = 8;
    }
    size_t bad = first_bad(entry, i, size, from, size);
    if (bad != size)
        fault(&c->f, "entry %zu (size %zu): byte %zu is wrong", i, size, bad);
}

static void write_range(otel_stage *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        size_t size = size_of(i);
        otel_stage_lane *lane = NULL;
        void *p = otel_stage_begin(s, size, OTEL_BAND_INFO, &lane);
        ck_assert_msg(p != NULL, "begin refused entry %zu of %zu bytes (no budget)", i, size);
        ck_assert_msg(aligned8(p), "entry %zu at %p: not 8-byte aligned", i, p);
        ck_assert_ptr_nonnull(lane);
        write_indexed(p, i, size);
        otel_stage_commit(lane, size);
    }
}

START_TEST(one_thread_every_size_in_order)
{
    otel_stage_hooks none = {NULL, NULL, NULL, NULL, NULL, NULL, NULL}; /* no budget, no wake */
    otel_stage *s = otel_stage_new(&none, 16);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(pending(s), 0);

    write_range(s, 0, SIZES_N);
    ck_assert_uint_eq(pending(s), SIZES_N);
    ck_assert_uint_eq(otel_stage_committed(s), SIZES_N);
    ck_assert_uint_eq(otel_stage_taken(s), 0);
    struct in_order c = {.limit = SIZES_N};
    uint64_t refused = 99;
    ck_assert_uint_eq(otel_stage_drain(s, check_in_order, &c, SIZE_MAX, &refused), SIZES_N);
    ck_assert_no_faults(c.f);
    ck_assert_uint_eq(c.next, SIZES_N);
    ck_assert_uint_eq(refused, 0);
    ck_assert_uint_eq(pending(s), 0);
    ck_assert_uint_eq(otel_stage_taken(s), SIZES_N);

    /* nothing is read twice */
    refused = 99;
    ck_assert_uint_eq(otel_stage_drain(s, check_in_order, &c, SIZE_MAX, &refused), 0);
    ck_assert_uint_eq(c.next, SIZES_N);
    ck_assert_uint_eq(refused, 0);
    ck_assert_uint_eq(pending(s), 0);

    /* the lane goes on after a drain (its partly read tail chunk included),
     * drain by drain: each reads exactly what is new */
    size_t at = SIZES_N;
    for (size_t round = 1; round <= 4; round++) {
        size_t more = round * 45;
        write_range(s, at, at + more);
        ck_assert_uint_eq(pending(s), more);
        c.limit = at + more;
        ck_assert_uint_eq(otel_stage_drain(s, check_in_order, &c, SIZE_MAX, NULL), more);
        ck_assert_no_faults(c.f);
        ck_assert_uint_eq(c.next, at + more);
        at += more;
    }
    ck_assert_uint_eq(otel_stage_drain(s, check_in_order, &c, SIZE_MAX, NULL), 0);
    ck_assert_uint_eq(pending(s), 0);
    ck_assert_uint_eq(otel_stage_committed(s), at);
    ck_assert_uint_eq(otel_stage_taken(s), at);
    otel_stage_free(s);
}
END_TEST

/* ---- 2. the budget ---- */

#define BUDGET (256u * 1024u)
#define BUDGET_BIGGEST 10000u
#define CHUNK_MAX (64u * 1024u)

static size_t budget_size_of(size_t i)
{
    return i % 23 == 7 ? BUDGET_BIGGEST : 100 + (i * 577u) % 2901u;
}

struct budget_check {
    size_t next;
    struct faults f;
};

static void check_budget_entry(void *ctx, const void *entry, size_t size)
{
    struct budget_check *c = ctx;
    size_t i = c->next++;
    if (size != budget_size_of(i)) {
        fault(&c->f, "entry %zu: size %zu, want %zu", i, size, budget_size_of(i));
        return;
    }
    size_t bad = first_bad(entry, i, 2, 0, size);
    if (bad != size)
        fault(&c->f, "entry %zu (size %zu): byte %zu is wrong", i, size, bad);
}

START_TEST(budget_refuses_counts_and_releases)
{
    struct budget b;
    budget_init(&b, BUDGET);
    otel_stage *s = stage_with(&b, 1000000);

    size_t accepted = 0, accepted_bytes = 0;
    uint64_t nulls = 0;
    /* log until refused, then 9 more tries (some may still fit the tail
     * chunk); bounded far above what the budget can hold */
    for (size_t i = 0; i < 100000 && nulls < 10; i++) {
        size_t size = budget_size_of(accepted);
        otel_stage_lane *lane = NULL;
        void *p = otel_stage_begin(s, size, OTEL_BAND_INFO, &lane);
        size_t stage_now = otel_stage_reserved(s);
        ck_assert_msg(stage_now <= BUDGET, "the stage holds %zu bytes of chunks, over the budget %u",
                      stage_now, BUDGET);
        ck_assert_msg(stage_now <= budget_now(&b),
                      "the stage holds %zu bytes of chunks, only %zu were reserved", stage_now,
                      budget_now(&b));
        if (p == NULL) {
            nulls++;
            continue;
        }
        ck_assert(aligned8(p));
        fill(p, accepted, 2, 0, size);
        otel_stage_commit(lane, size);
        accepted++;
        accepted_bytes += size;
        ck_assert_msg(accepted_bytes <= BUDGET, "%zu bytes of entries accepted, over the budget %u",
                      accepted_bytes, BUDGET);
    }
    ck_assert_msg(nulls > 0, "nothing refused after %zu entries (%zu bytes) with a budget of %u",
                  accepted, accepted_bytes, BUDGET);
    ck_assert_uint_gt(accepted, 0);
    ck_assert_uint_gt(b.refusals, 0); /* the refusals were the budget's */

    size_t before = budget_now(&b);
    ck_assert_uint_le(b.max_reserved, BUDGET);
    ck_assert_uint_eq(otel_stage_reserved(s), before);
    ck_assert_uint_eq(pending(s), accepted);
    ck_assert_uint_eq(unreported(s), nulls); /* shown before any drain */
    ck_assert_uint_eq(otel_stage_committed(s), accepted + nulls); /* refusals count */
    ck_assert_uint_eq(otel_stage_taken(s), 0);

    struct budget_check c = {0};
    uint64_t refused = 0;
    ck_assert_uint_eq(otel_stage_drain(s, check_budget_entry, &c, SIZE_MAX, &refused), accepted);
    ck_assert_no_faults(c.f);
    ck_assert_uint_eq(refused, nulls);
    ck_assert_uint_eq(pending(s), 0);
    ck_assert_uint_eq(unreported(s), 0);
    ck_assert_uint_eq(otel_stage_taken(s), accepted + nulls);

    /* all read: at most the lane's tail chunk stays reserved */
    size_t after = budget_now(&b);
    ck_assert_msg(after < before, "nothing released by the drain (%zu bytes reserved)", after);
    ck_assert_msg(after <= CHUNK_MAX + BUDGET_BIGGEST, "%zu bytes still reserved after the drain", after);
    ck_assert_uint_eq(otel_stage_reserved(s), after);
    ck_assert_int_eq(b.went_negative, 0);

    /* refusals are reported once */
    refused = 99;
    ck_assert_uint_eq(otel_stage_drain(s, check_budget_entry, &c, SIZE_MAX, &refused), 0);
    ck_assert_uint_eq(refused, 0);

    /* room again: the next entries are accepted */
    for (size_t k = 0; k < 20; k++) {
        size_t size = budget_size_of(accepted);
        otel_stage_lane *lane = NULL;
        void *p = otel_stage_begin(s, size, OTEL_BAND_INFO, &lane);
        ck_assert_msg(p != NULL, "entry %zu refused after the drain released the budget", k);
        fill(p, accepted, 2, 0, size);
        otel_stage_commit(lane, size);
        accepted++;
    }
    refused = 99;
    ck_assert_uint_eq(otel_stage_drain(s, check_budget_entry, &c, SIZE_MAX, &refused), 20);
    ck_assert_no_faults(c.f);
    ck_assert_uint_eq(refused, 0);

    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert_int_eq(b.went_negative, 0);
    ck_assert_uint_le(b.max_reserved, BUDGET);
}
END_TEST

/* entries not drained are lost by free, their chunks' bytes are not */
/* ---- chunk reuse: a busy lane allocates nothing once warm; an idle one
 * keeps only its tail ---- */

static void count_only(void *ctx, const void *entry, size_t size)
{
    struct in_order *o = ctx;
    size_t i = o->next++;
    if (size != 1000 || first_bad(entry, i, 1000, 0, size) != size)
        fault(&o->f, "entry %zu: size %zu or bytes wrong", i, size);
}

START_TEST(busy_lane_reuses_its_chunks)
{
    struct budget b;
    budget_init(&b, 0);
    otel_stage *s = stage_with(&b, 1000000);
    struct in_order o = {0};
    size_t written = 0;
    long reserves_warm = -1;
    for (int round = 0; round < 200; round++) {
        if (round == 20) /* the lane has grown to 64 KiB chunks by now */
            reserves_warm = b.reserves;
        for (int k = 0; k < 50; k++) { /* ~50 KB: under one 64 KiB chunk a round */
            otel_stage_lane *lane;
            void *p = otel_stage_begin(s, 1000, OTEL_BAND_INFO, &lane);
            ck_assert_ptr_nonnull(p);
            fill(p, written++, 1000, 0, 1000);
            otel_stage_commit(lane, 1000);
        }
        otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
        /* the tail and at most one spare */
        ck_assert_uint_le(budget_now(&b), 2 * (65536 + 256));
    }
    ck_assert_no_faults(o.f);
    ck_assert_uint_eq(o.next, written);
    /* 180 rounds, ~140 new chunks' worth of entries: all in reused chunks */
    ck_assert_int_eq(b.reserves, reserves_warm);
    /* a drain that finds nothing drops the spare: the tail alone is left */
    size_t before = budget_now(&b);
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_lt(budget_now(&b), before);
    ck_assert_uint_le(budget_now(&b), 65536 + 256);
    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert(!b.went_negative);
}
END_TEST

/* Drains of several chunks at once: with spare bytes for them, the lane
 * keeps them all (still reserved) and reserves nothing once warm; without,
 * it keeps one and reserves the others again each round; either way an idle
 * drain gives every spare up, and the spare bytes stay within their cap. */
static long rounds_of_three_chunks(size_t spare_cap, size_t *held_max, size_t *held_idle)
{
    struct budget b;
    budget_init(&b, 0);
    otel_stage *s = stage_with(&b, 1000000);
    otel_stage_set_spares(s, spare_cap);
    struct in_order o = {0};
    size_t written = 0;
    long reserves_warm = -1;
    *held_max = 0;
    for (int round = 0; round < 100; round++) {
        if (round == 20)
            reserves_warm = b.reserves;
        for (int k = 0; k < 190; k++) { /* ~190 KB: three 64 KiB chunks a round */
            otel_stage_lane *lane;
            void *p = otel_stage_begin(s, 1000, OTEL_BAND_INFO, &lane);
            ck_assert_ptr_nonnull(p);
            fill(p, written++, 1000, 0, 1000);
            otel_stage_commit(lane, 1000);
        }
        otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
        if (budget_now(&b) > *held_max)
            *held_max = budget_now(&b);
    }
    ck_assert_no_faults(o.f);
    ck_assert_uint_eq(o.next, written);
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL); /* idle */
    *held_idle = budget_now(&b);
    long reserved_warm = b.reserves - reserves_warm;
    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert(!b.went_negative);
    return reserved_warm;
}

START_TEST(busy_lane_keeps_spares_within_their_bytes)
{
    size_t held_max, held_idle;
    /* room for three spares past the first: nothing reserved once warm */
    ck_assert_int_eq(rounds_of_three_chunks(3 * (65536 + 256), &held_max, &held_idle), 0);
    ck_assert_uint_le(held_max, 5 * (65536 + 256)); /* the tail, the first spare and three more */
    ck_assert_uint_le(held_idle, 65536 + 256);      /* idle: the tail alone */
    /* room for one past the first: the third chunk of each round is reserved again */
    long again = rounds_of_three_chunks(65536 + 256, &held_max, &held_idle);
    ck_assert_int_ge(again, 70);
    ck_assert_uint_le(held_max, 3 * (65536 + 256));
    ck_assert_uint_le(held_idle, 65536 + 256);
    /* none past the first (the default) */
    ck_assert_int_ge(rounds_of_three_chunks(0, &held_max, &held_idle), 140);
    ck_assert_uint_le(held_max, 2 * (65536 + 256));
}
END_TEST

/* Writes n entries of 1000 bytes (indexed from *written); returns how many
 * were refused. */
static size_t write_thousands(otel_stage *s, size_t n, size_t *written)
{
    size_t refused = 0;
    for (size_t k = 0; k < n; k++) {
        otel_stage_lane *lane;
        void *p = otel_stage_begin(s, 1000, OTEL_BAND_INFO, &lane);
        if (!p) {
            refused++;
            continue;
        }
        fill(p, (*written)++, 1000, 0, 1000);
        otel_stage_commit(lane, 1000);
    }
    return refused;
}

#define CACHE_CHUNK (65536 + 256) /* a 64 KiB chunk with its header, at most */

/* a burst's read chunks wait in the cache (up to its cap, outside the
 * budget) for the next burst, which takes them before malloc and reserves
 * them again; drains that find nothing free the cache */
START_TEST(read_chunks_are_cached_within_the_cap)
{
    struct budget b;
    budget_init(&b, 24 * CACHE_CHUNK);
    otel_stage *s = stage_with(&b, 1000000);
    ck_assert_uint_eq(otel_stage_cached(s), 0);
    otel_stage_set_cache(s, 3 * CACHE_CHUNK, 0);
    struct in_order o = {0};
    size_t written = 0;

    /* a burst of ~2 MB, none read meanwhile: the budget refuses the rest */
    size_t refused = write_thousands(s, 2000, &written);
    ck_assert_uint_gt(refused, 0);
    ck_assert_uint_eq(otel_stage_cached(s), 0);
    ck_assert_uint_eq(otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL), written);
    ck_assert_no_faults(o.f);
    /* read: the tail and the spare stay reserved; three chunks are cached,
     * not reserved; the rest went back to malloc */
    size_t cached = otel_stage_cached(s);
    ck_assert_uint_gt(cached, 2 * CACHE_CHUNK);
    ck_assert_uint_le(cached, 3 * CACHE_CHUNK);
    ck_assert_uint_le(budget_now(&b), 2 * CACHE_CHUNK);
    ck_assert_uint_eq(otel_stage_reserved(s), budget_now(&b));

    /* the next burst takes the cached chunks first, each reserved again:
     * the budget bounds it exactly as the first */
    long reserves = b.reserves;
    size_t before = written;
    refused = write_thousands(s, 2000, &written);
    ck_assert_uint_gt(refused, 0);
    ck_assert_uint_eq(otel_stage_cached(s), 0);
    ck_assert_int_gt(b.reserves, reserves);
    ck_assert_uint_le(b.max_reserved, b.limit);
    ck_assert_uint_eq(otel_stage_reserved(s), budget_now(&b));
    ck_assert_uint_eq(otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL), written - before);
    ck_assert_no_faults(o.f);
    ck_assert_uint_eq(o.next, written);
    cached = otel_stage_cached(s);
    ck_assert_uint_gt(cached, 0);
    ck_assert_uint_le(cached, 3 * CACHE_CHUNK);

    /* idle: three drains that read nothing keep the cache, the fourth frees it */
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL), 0);
        ck_assert_uint_gt(otel_stage_cached(s), 0);
    }
    ck_assert_uint_eq(otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL), 0);
    ck_assert_uint_eq(otel_stage_cached(s), 0);

    /* a lane taking chunks from the cache starts the count again; a drain
     * that only reads entries the lane's own chunks held does not */
    write_thousands(s, 200, &written); /* refills the cache */
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_gt(otel_stage_cached(s), 0);
    write_thousands(s, 200, &written); /* takes from it */
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    for (int i = 0; i < 3; i++)
        otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_gt(otel_stage_cached(s), 0);
    write_thousands(s, 1, &written); /* a trickle: the tail holds it */
    ck_assert_uint_eq(otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL), 1);
    ck_assert_uint_eq(otel_stage_cached(s), 0);
    ck_assert_no_faults(o.f);
    ck_assert_uint_eq(o.next, written);

    otel_stage_free(s); /* frees the cache too (the sanitizers' leak check) */
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert(!b.went_negative);
}
END_TEST

START_TEST(free_releases_undrained)
{
    struct budget b;
    budget_init(&b, 0);
    otel_stage *s = stage_with(&b, 1000000);
    write_range(s, 0, 300);
    ck_assert_uint_gt(budget_now(&b), 0);
    ck_assert_uint_eq(otel_stage_reserved(s), budget_now(&b));
    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert_int_eq(b.went_negative, 0);
}
END_TEST

/* with a room hook the cache holds at most the budget's room left: the
 * lanes, what is held elsewhere (queued records) and the cache together
 * stay within the limit; when the room shrinks, a drain that reads entries
 * gives cached chunks back. With an idle time, idle drains free the cache
 * only once that much time has passed since the first of them. */
static otel_stage *stage_with_room(struct budget *b, size_t cache, uint64_t idle_ns)
{
    otel_stage_hooks h = {budget_reserve, budget_release, budget_kick, b, NULL, NULL, budget_room};
    otel_stage *s = otel_stage_new(&h, 1000000);
    ck_assert_ptr_nonnull(s);
    otel_stage_set_cache(s, cache, idle_ns);
    return s;
}

static size_t held_total(otel_stage *s, struct budget *b)
{
    return otel_stage_cached(s) + budget_now(b) + b->other;
}

START_TEST(cache_stays_within_the_room)
{
    struct budget b;
    budget_init(&b, 16 * CACHE_CHUNK);
    otel_stage *s = stage_with_room(&b, 64 * CACHE_CHUNK, 0); /* the room binds, not the cap */
    struct in_order o = {0};
    size_t written = 0;
    b.other = 4 * CACHE_CHUNK;
    write_thousands(s, 1000, &written); /* ~15 chunks: the budget refuses the rest */
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_gt(otel_stage_cached(s), 2 * CACHE_CHUNK);
    ck_assert_uint_le(held_total(s, &b), b.limit);

    /* records queued meanwhile: the room shrinks; the next drain that reads
     * entries gives the cache back down to it */
    size_t cached = otel_stage_cached(s);
    pthread_mutex_lock(&b.mu);
    b.other += cached / 2;
    pthread_mutex_unlock(&b.mu);
    write_thousands(s, 5, &written); /* the lane's tail has room: no chunk taken */
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_lt(otel_stage_cached(s), cached);
    ck_assert_uint_le(held_total(s, &b), b.limit);

    /* no room at all: nothing stays cached */
    pthread_mutex_lock(&b.mu);
    b.other = b.limit;
    pthread_mutex_unlock(&b.mu);
    write_thousands(s, 1, &written);
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_eq(otel_stage_cached(s), 0);
    ck_assert_no_faults(o.f);
    ck_assert_uint_eq(o.next, written);
    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);

    /* an hour's idle time: any number of idle drains keep the cache */
    budget_init(&b, 0);
    s = stage_with_room(&b, 8 * CACHE_CHUNK, 3600ull * 1000000000ull);
    o = (struct in_order){0};
    written = 0;
    write_thousands(s, 600, &written);
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_gt(otel_stage_cached(s), 0);
    for (int i = 0; i < 20; i++)
        otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_gt(otel_stage_cached(s), 0);
    otel_stage_free(s);

    /* a nanosecond's: the fourth drain with nothing taken from the cache
     * frees it, as without one (the drain that read the burst is the
     * first: its lane took nothing from the cache, which was empty) */
    s = stage_with_room(&b, 8 * CACHE_CHUNK, 1);
    o = (struct in_order){0};
    written = 0;
    write_thousands(s, 600, &written);
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_gt(otel_stage_cached(s), 0);
    for (int i = 0; i < 2; i++)
        otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_gt(otel_stage_cached(s), 0);
    otel_stage_drain(s, count_only, &o, SIZE_MAX, NULL);
    ck_assert_uint_eq(otel_stage_cached(s), 0);
    ck_assert_no_faults(o.f);
    otel_stage_free(s);
    ck_assert(!b.went_negative);
}
END_TEST

/* ---- 3. kicks ---- */

static void count_entries(void *ctx, const void *entry, size_t size)
{
    (void)entry;
    (void)size;
    (*(long *)ctx)++;
}

START_TEST(kick_every_wake_at_entries)
{
    struct budget b;
    budget_init(&b, 0);
    otel_stage *s = stage_with(&b, 10);
    for (size_t i = 0; i < 35; i++) {
        otel_stage_lane *lane = NULL;
        void *p = otel_stage_begin(s, 24, OTEL_BAND_INFO, &lane);
        ck_assert_ptr_nonnull(p);
        fill(p, i, 3, 0, 24);
        otel_stage_commit(lane, 24);
        /* a kick once the 10th, 20th, 30th entry is in, not before, not later */
        ck_assert_msg(atomic_load(&b.kicks) == (long)(i + 1) / 10, "%ld kicks after %zu entries",
                      atomic_load(&b.kicks), i + 1);
    }
    ck_assert_int_eq(atomic_load(&b.kicks), 3);
    ck_assert_uint_eq(pending(s), 35);
    long count = 0;
    ck_assert_uint_eq(otel_stage_drain(s, count_entries, &count, SIZE_MAX, NULL), 35);
    ck_assert_int_eq(count, 35);
    otel_stage_free(s);
}
END_TEST

/* ---- 4. many producers, one draining consumer ---- */

#define PRODUCERS 4

struct tagged { /* the head of a stress entry */
    uint32_t thread;
    uint32_t body_len;
    uint64_t seq;
};

static size_t body_len_of(uint32_t t, uint64_t seq)
{
    return 16 + (size_t)((seq * 37u + t * 11u) % 185u); /* 16..200 */
}

struct stress {
    otel_stage *s;
    long per_thread;
    pthread_barrier_t start; /* producers and consumer set off together */
    atomic_int joined;       /* every producer has returned */
    long seen[PRODUCERS];
    uint64_t next_seq[PRODUCERS];
    long out_of_order, nonempty_drains;
    atomic_long drains; /* the producers wait on it now and then */
    uint64_t refused;
    struct faults f;
    long begin_nulls[PRODUCERS];
};

struct producer_arg {
    struct stress *st;
    uint32_t t;
};

static void *stress_producer(void *arg)
{
    struct producer_arg *pa = arg;
    struct stress *st = pa->st;
    pthread_barrier_wait(&st->start);
    for (long i = 0; i < st->per_thread; i++) {
        uint64_t seq = (uint64_t)i;
        if (i % 1024 == 1023) {
            /* wait for the consumer to finish a drain, so that drains and
             * writes overlap even where the scheduler favours producers
             * (bounded: the consumer drains until the producers are joined) */
            long d = atomic_load(&st->drains);
            while (atomic_load(&st->drains) == d)
                sched_yield();
        }
        size_t len = body_len_of(pa->t, seq);
        size_t size = sizeof(struct tagged) + len;
        otel_stage_lane *lane = NULL;
        void *p = otel_stage_begin(st->s, size, OTEL_BAND_INFO, &lane);
        if (p == NULL) {
            st->begin_nulls[pa->t]++;
            continue;
        }
        struct tagged h = {pa->t, (uint32_t)len, seq};
        memcpy(p, &h, sizeof h);
        fill((char *)p + sizeof h, pa->t, seq, 0, len);
        otel_stage_commit(lane, size);
    }
    return NULL;
}

static void check_tagged(void *ctx, const void *entry, size_t size)
{
    struct stress *st = ctx;
    struct tagged h;
    if (size < sizeof h) {
        fault(&st->f, "an entry of %zu bytes", size);
        return;
    }
    memcpy(&h, entry, sizeof h);
    if (h.thread >= PRODUCERS) {
        fault(&st->f, "an entry of thread %u", h.thread);
        return;
    }
    if (h.seq != st->next_seq[h.thread]) {
        if (st->out_of_order++ == 0)
            fault(&st->f, "thread %u: entry %llu where %llu was due", h.thread,
                  (unsigned long long)h.seq, (unsigned long long)st->next_seq[h.thread]);
    }
    st->next_seq[h.thread] = h.seq + 1;
    st->seen[h.thread]++;
    size_t len = body_len_of(h.thread, h.seq);
    if (h.body_len != len || size != sizeof h + len) {
        fault(&st->f, "thread %u entry %llu: %zu bytes (body %u), want body %zu", h.thread,
              (unsigned long long)h.seq, size, h.body_len, len);
        return;
    }
    size_t bad = first_bad((const char *)entry + sizeof h, h.thread, h.seq, 0, len);
    if (bad != len)
        fault(&st->f, "thread %u entry %llu: body byte %zu is wrong", h.thread,
              (unsigned long long)h.seq, bad);
}

static void *stress_consumer(void *arg)
{
    struct stress *st = arg;
    pthread_barrier_wait(&st->start);
    for (;;) {
        int done = atomic_load(&st->joined);
        uint64_t r = 0;
        size_t max = atomic_load(&st->drains) % 3 == 1 ? 97 : SIZE_MAX; /* bounded now and then */
        size_t n = otel_stage_drain(st->s, check_tagged, st, max, &r);
        if (n > max)
            fault(&st->f, "a drain bounded to %zu passed %zu entries", max, n);
        st->refused += r;
        atomic_fetch_add(&st->drains, 1);
        if (n > 0)
            st->nonempty_drains++;
        else if (done)
            break; /* producers gone and nothing left: the end */
        else
            sched_yield();
    }
    return NULL;
}

START_TEST(many_producers_one_consumer)
{
    struct budget b;
    budget_init(&b, 0); /* unlimited: counts, never refuses */
    struct stress *st = calloc(1, sizeof *st);
    ck_assert_ptr_nonnull(st);
    st->s = stage_with(&b, 64);
    /* spare slots past the first in use (as the worker sets them), and a
     * cache: chunks go back and forth between the lanes and the consumer
     * through all three */
    otel_stage_set_spares(st->s, 4 * (65536 + 256));
    otel_stage_set_cache(st->s, 4 * (65536 + 256), 0);
    st->per_thread = under_sanitizer() ? 20000 : 100000;
    atomic_init(&st->joined, 0);
    atomic_init(&st->drains, 0);
    pthread_barrier_init(&st->start, NULL, PRODUCERS + 1);

    pthread_t cons, prod[PRODUCERS];
    struct producer_arg pa[PRODUCERS];
    ck_assert_int_eq(pthread_create(&cons, NULL, stress_consumer, st), 0);
    for (uint32_t t = 0; t < PRODUCERS; t++) {
        pa[t] = (struct producer_arg){st, t};
        ck_assert_int_eq(pthread_create(&prod[t], NULL, stress_producer, &pa[t]), 0);
    }
    for (int t = 0; t < PRODUCERS; t++)
        pthread_join(prod[t], NULL);
    atomic_store(&st->joined, 1);
    pthread_join(cons, NULL);

    ck_assert_no_faults(st->f);
    ck_assert_int_eq(st->out_of_order, 0);
    for (int t = 0; t < PRODUCERS; t++) {
        ck_assert_msg(st->begin_nulls[t] == 0, "thread %d: %ld entries refused without a budget", t,
                      st->begin_nulls[t]);
        ck_assert_msg(st->seen[t] == st->per_thread, "thread %d: %ld entries seen of %ld", t,
                      st->seen[t], st->per_thread);
        ck_assert_uint_eq(st->next_seq[t], (uint64_t)st->per_thread);
    }
    ck_assert_uint_eq(st->refused, 0);
    ck_assert_uint_eq(pending(st->s), 0);
    ck_assert_uint_eq(otel_stage_committed(st->s), (uint64_t)st->per_thread * PRODUCERS);
    ck_assert_uint_eq(otel_stage_taken(st->s), (uint64_t)st->per_thread * PRODUCERS);
    ck_assert_uint_eq(otel_stage_reserved(st->s), budget_now(&b));
    ck_assert_int_eq(b.went_negative, 0);
    printf("stage stress: %ld entries from %d threads in %ld drains (%ld not empty), %ld kicks\n",
           st->per_thread * PRODUCERS, PRODUCERS, atomic_load(&st->drains), st->nonempty_drains,
           atomic_load(&b.kicks));
    otel_stage_free(st->s);
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert_int_eq(b.went_negative, 0);
    pthread_barrier_destroy(&st->start);
    free(st);
}
END_TEST

/* ---- 5. threads that exit ---- */

#define SHORT_THREADS 50
#define SHORT_ENTRIES 3

struct short_arg {
    otel_stage *s;
    uint32_t t;
    int refused;
};

static void write_tagged(otel_stage *s, uint32_t t, uint64_t seq, int *refused)
{
    size_t len = body_len_of(t, seq);
    size_t size = sizeof(struct tagged) + len;
    otel_stage_lane *lane = NULL;
    void *p = otel_stage_begin(s, size, OTEL_BAND_INFO, &lane);
    if (p == NULL) {
        (*refused)++;
        return;
    }
    struct tagged h = {t, (uint32_t)len, seq};
    memcpy(p, &h, sizeof h);
    fill((char *)p + sizeof h, t, seq, 0, len);
    otel_stage_commit(lane, size);
}

static void *short_writer(void *arg)
{
    struct short_arg *a = arg;
    for (uint64_t k = 0; k < SHORT_ENTRIES; k++)
        write_tagged(a->s, a->t, k, &a->refused);
    return NULL;
}

struct by_thread {
    uint32_t threads;
    uint64_t *next_seq; /* per thread */
    long total, out_of_order;
    struct faults f;
};

static void check_by_thread(void *ctx, const void *entry, size_t size)
{
    struct by_thread *c = ctx;
    struct tagged h;
    if (size < sizeof h) {
        fault(&c->f, "an entry of %zu bytes", size);
        return;
    }
    memcpy(&h, entry, sizeof h);
    if (h.thread >= c->threads) {
        fault(&c->f, "an entry of thread %u", h.thread);
        return;
    }
    if (h.seq != c->next_seq[h.thread]) {
        c->out_of_order++;
        fault(&c->f, "thread %u: entry %llu where %llu was due", h.thread, (unsigned long long)h.seq,
              (unsigned long long)c->next_seq[h.thread]);
    }
    c->next_seq[h.thread] = h.seq + 1;
    c->total++;
    size_t len = body_len_of(h.thread, h.seq);
    if (size != sizeof h + len || first_bad((const char *)entry + sizeof h, h.thread, h.seq, 0, len) != len)
        fault(&c->f, "thread %u entry %llu: wrong size or content", h.thread, (unsigned long long)h.seq);
}

START_TEST(exited_threads_are_read_then_freed)
{
    struct budget b;
    budget_init(&b, 0);
    otel_stage *s = stage_with(&b, 1000000);
    pthread_t th[SHORT_THREADS];
    struct short_arg a[SHORT_THREADS];
    for (uint32_t t = 0; t < SHORT_THREADS; t++) {
        a[t] = (struct short_arg){s, t, 0};
        ck_assert_int_eq(pthread_create(&th[t], NULL, short_writer, &a[t]), 0);
    }
    for (int t = 0; t < SHORT_THREADS; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(a[t].refused, 0);
    }
    ck_assert_uint_gt(budget_now(&b), 0);
    ck_assert_uint_eq(pending(s), SHORT_THREADS * SHORT_ENTRIES);

    uint64_t next[SHORT_THREADS] = {0};
    struct by_thread c = {.threads = SHORT_THREADS, .next_seq = next};
    ck_assert_uint_eq(otel_stage_drain(s, check_by_thread, &c, SIZE_MAX, NULL), SHORT_THREADS * SHORT_ENTRIES);
    ck_assert_no_faults(c.f);
    ck_assert_int_eq(c.total, SHORT_THREADS * SHORT_ENTRIES);
    for (int t = 0; t < SHORT_THREADS; t++)
        ck_assert_uint_eq(next[t], SHORT_ENTRIES);

    /* their lanes go: nothing stays reserved (this thread never wrote) */
    ck_assert_uint_eq(otel_stage_drain(s, check_by_thread, &c, SIZE_MAX, NULL), 0);
    ck_assert_uint_eq(otel_stage_reserved(s), 0);
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert_int_eq(b.went_negative, 0);
    ck_assert_uint_eq(pending(s), 0);
    /* the freed lanes' counts stay in the stage's */
    ck_assert_uint_eq(otel_stage_committed(s), SHORT_THREADS * SHORT_ENTRIES);
    ck_assert_uint_eq(otel_stage_taken(s), SHORT_THREADS * SHORT_ENTRIES);
    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);
}
END_TEST

/* threads come, write and exit while a consumer drains: a lane freed by a
 * drain races its thread's exit */
struct churn {
    otel_stage *s;
    atomic_int done;
    struct by_thread c;
};

static void *churn_consumer(void *arg)
{
    struct churn *ch = arg;
    for (long k = 0;; k++) {
        int done = atomic_load(&ch->done);
        /* bounded drains leave dead lanes half read now and then */
        size_t n = otel_stage_drain(ch->s, check_by_thread, &ch->c, k % 2 ? 5 : SIZE_MAX, NULL);
        if (n == 0 && done)
            break;
        if (n == 0)
            sched_yield();
    }
    return NULL;
}

START_TEST(threads_exit_while_draining)
{
    struct budget b;
    budget_init(&b, 0);
    int waves = under_sanitizer() ? 4 : 12;
    uint32_t threads = (uint32_t)waves * SHORT_THREADS;
    uint64_t *next = calloc(threads, sizeof *next);
    struct short_arg *a = calloc(threads, sizeof *a);
    ck_assert(next != NULL && a != NULL);
    struct churn ch = {.s = stage_with(&b, 2), .c = {.threads = threads, .next_seq = next}};
    otel_stage_set_spares(ch.s, 4 * (65536 + 256));
    atomic_init(&ch.done, 0);
    pthread_t cons;
    ck_assert_int_eq(pthread_create(&cons, NULL, churn_consumer, &ch), 0);
    for (int w = 0; w < waves; w++) {
        pthread_t th[SHORT_THREADS];
        for (int k = 0; k < SHORT_THREADS; k++) {
            uint32_t t = (uint32_t)(w * SHORT_THREADS + k);
            a[t] = (struct short_arg){ch.s, t, 0};
            ck_assert_int_eq(pthread_create(&th[k], NULL, short_writer, &a[t]), 0);
        }
        for (int k = 0; k < SHORT_THREADS; k++)
            pthread_join(th[k], NULL);
    }
    atomic_store(&ch.done, 1);
    pthread_join(cons, NULL);

    ck_assert_no_faults(ch.c.f);
    ck_assert_int_eq(ch.c.total, (long)threads * SHORT_ENTRIES);
    for (uint32_t t = 0; t < threads; t++) {
        ck_assert_int_eq(a[t].refused, 0);
        ck_assert_uint_eq(next[t], SHORT_ENTRIES);
    }
    ck_assert_uint_eq(otel_stage_drain(ch.s, check_by_thread, &ch.c, SIZE_MAX, NULL), 0);
    ck_assert_uint_eq(otel_stage_reserved(ch.s), 0);
    ck_assert_uint_eq(budget_now(&b), 0);
    ck_assert_int_eq(b.went_negative, 0);
    ck_assert_uint_eq(otel_stage_committed(ch.s), (uint64_t)threads * SHORT_ENTRIES);
    ck_assert_uint_eq(otel_stage_taken(ch.s), (uint64_t)threads * SHORT_ENTRIES);
    otel_stage_free(ch.s);
    free(next);
    free(a);
}
END_TEST

/* ---- 6. a new stage after the old one was freed ---- */

struct tag_check {
    char tag;
    size_t next;
    struct faults f;
};

static void write_tag(otel_stage *s, char tag, size_t i)
{
    char e[40];
    int n = snprintf(e, sizeof e, "%c%zu", tag, i);
    otel_stage_lane *lane = NULL;
    void *p = otel_stage_begin(s, (size_t)n, OTEL_BAND_INFO, &lane);
    ck_assert_msg(p != NULL, "stage %c: entry %zu refused", tag, i);
    memcpy(p, e, (size_t)n);
    otel_stage_commit(lane, (size_t)n);
}

static void check_tag(void *ctx, const void *entry, size_t size)
{
    struct tag_check *c = ctx;
    char want[40];
    int n = snprintf(want, sizeof want, "%c%zu", c->tag, c->next);
    if (size != (size_t)n || memcmp(entry, want, size) != 0)
        fault(&c->f, "entry %zu: \"%.*s\", want \"%s\"", c->next, (int)(size < 40 ? size : 40),
              (const char *)entry, want);
    c->next++;
}

/* ---- admit: a record bound over every lane ---- */

struct admit_bound {
    atomic_size_t held;
    size_t limit;
};

static int bound_admit(void *ctx, unsigned band)
{
    (void)band;
    struct admit_bound *a = ctx;
    if (atomic_fetch_add(&a->held, 1) < a->limit)
        return 0;
    atomic_fetch_sub(&a->held, 1);
    return -1;
}

static void bound_unadmit(void *ctx, size_t n)
{
    struct admit_bound *a = ctx;
    atomic_fetch_sub(&a->held, n);
}

static void *write_two(void *arg)
{
    otel_stage *s = arg;
    for (size_t i = 0; i < 2; i++)
        write_tag(s, 'T', i);
    return NULL;
}

struct two_tags {
    struct tag_check m, t;
};

static void check_two_tags(void *ctx, const void *entry, size_t size)
{
    struct two_tags *c = ctx;
    check_tag(size > 0 && *(const char *)entry == 'T' ? &c->t : &c->m, entry, size);
}

START_TEST(admit_bounds_every_lane)
{
    struct admit_bound ab = {.limit = 5};
    atomic_init(&ab.held, 0);
    otel_stage_hooks h = {NULL, NULL, NULL, &ab, bound_admit, bound_unadmit, NULL};
    otel_stage *s = otel_stage_new(&h, 1000000);
    ck_assert_ptr_nonnull(s);
    otel_stage_lane *lane = NULL;
    for (size_t i = 0; i < 3; i++)
        write_tag(s, 'M', i);
    /* another thread's lane counts against the same bound */
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, write_two, s), 0);
    pthread_join(t, NULL); /* write_tag fails the test (in the thread) on a refusal */
    for (int k = 0; k < 3; k++) /* the 6th, 7th, 8th: refused */
        ck_assert_msg(otel_stage_begin(s, 8, OTEL_BAND_INFO, &lane) == NULL, "entry %d beyond the bound accepted",
                      6 + k);
    ck_assert_uint_eq(atomic_load(&ab.held), 5);
    ck_assert_uint_eq(pending(s), 5);
    ck_assert_uint_eq(unreported(s), 3);

    /* a drain of 2 gives 2 back once it is done */
    struct two_tags c = {.m = {.tag = 'M'}, .t = {.tag = 'T'}};
    uint64_t refused = 0, refused_total = 0;
    ck_assert_uint_eq(otel_stage_drain(s, check_two_tags, &c, 2, &refused), 2);
    refused_total += refused;
    ck_assert_uint_eq(atomic_load(&ab.held), 3);
    write_tag(s, 'M', 3);
    write_tag(s, 'M', 4);
    ck_assert_msg(otel_stage_begin(s, 8, OTEL_BAND_INFO, &lane) == NULL, "a 6th waiting entry accepted");
    ck_assert_uint_eq(atomic_load(&ab.held), 5);
    ck_assert_uint_eq(otel_stage_drain(s, check_two_tags, &c, SIZE_MAX, &refused), 5);
    refused_total += refused;
    ck_assert_uint_eq(refused_total, 4); /* the 3 early ones and this one */
    ck_assert_uint_eq(atomic_load(&ab.held), 0);
    ck_assert_uint_eq(otel_stage_committed(s), 3 + 2 + 2 + 4);
    ck_assert_uint_eq(otel_stage_taken(s), 3 + 2 + 2 + 4);
    ck_assert_no_faults(c.m.f);
    ck_assert_no_faults(c.t.f);
    ck_assert_uint_eq(c.t.next, 2);
    ck_assert_uint_eq(c.m.next, 5);
    ck_assert_uint_eq(pending(s), 0);
    ck_assert_uint_eq(unreported(s), 0);
    otel_stage_free(s);
}
END_TEST

/* ---- shedding: the budget gives each band its share ---- */

#define SHED_BUDGET (256u << 10)
#define SHED_ENTRY 200

struct shed_count {
    size_t kept[OTEL_BANDS], refused[OTEL_BANDS];
};

/* one entry of band (its bytes say which); 1 when accepted */
static int try_band(otel_stage *s, unsigned band, struct shed_count *n)
{
    otel_stage_lane *lane = NULL;
    void *p = otel_stage_begin(s, SHED_ENTRY, band, &lane);
    if (!p) {
        n->refused[band]++;
        return 0;
    }
    memset(p, (int)band, SHED_ENTRY);
    otel_stage_commit(lane, SHED_ENTRY);
    n->kept[band]++;
    return 1;
}

static void count_bands(void *ctx, const void *entry, size_t size)
{
    size_t *n = ctx;
    if (size == SHED_ENTRY && *(const uint8_t *)entry < OTEL_BANDS)
        n[*(const uint8_t *)entry]++;
}

START_TEST(lowest_band_is_refused_first)
{
    struct budget b;
    budget_init(&b, SHED_BUDGET);
    b.banded = 1;
    otel_stage *s = stage_with(&b, 1000000);
    struct shed_count n = {{0}, {0}};
    /* each band in turn until refused: it stops at its share of the
     * budget (to within an entry: the last ones get chunks of their own
     * size), and the next band still finds room */
    for (unsigned band = 0; band < OTEL_BANDS; band++) {
        size_t before = n.kept[band];
        for (size_t i = 0; i < 100000 && try_band(s, band, &n); i++)
            ;
        ck_assert_msg(n.kept[band] > before, "band %u refused while only lower bands held the budget", band);
        ck_assert_uint_eq(n.refused[band], 1);
        size_t limit = otel_band_limit(SHED_BUDGET, band), now = budget_now(&b);
        ck_assert_msg(now <= limit, "band %u: %zu bytes in use, over its share %zu", band, now, limit);
        ck_assert_msg(now + SHED_ENTRY + 64 > limit, "band %u refused with %zu of its %zu bytes in use", band, now,
                      limit);
        for (unsigned lower = 0; lower < band; lower++)
            ck_assert_msg(!try_band(s, lower, &n), "band %u accepted past its share", lower);
    }
    size_t seen[OTEL_BANDS] = {0}, total = 0;
    uint64_t refused[OTEL_BANDS];
    for (unsigned band = 0; band < OTEL_BANDS; band++)
        total += n.kept[band];
    ck_assert_uint_eq(otel_stage_drain_then(s, count_bands, NULL, seen, SIZE_MAX, refused), total);
    for (unsigned band = 0; band < OTEL_BANDS; band++) {
        ck_assert_uint_eq(seen[band], n.kept[band]);
        ck_assert_msg(refused[band] == n.refused[band], "band %u: %llu refusals counted, %zu made", band,
                      (unsigned long long)refused[band], n.refused[band]);
    }
    /* the top band's reserve held a useful number of entries */
    ck_assert_uint_gt(n.kept[OTEL_BAND_WARN], SHED_BUDGET / 16 / (SHED_ENTRY + 64) / 2);
    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);
}
END_TEST

/* ---- bounded drains take the lanes in turn ---- */

#define TURN_THREADS 3
#define TURN_ENTRIES 10

struct turn_arg {
    otel_stage *s;
    uint32_t t;
    int refused;
};

static void *turn_writer(void *arg)
{
    struct turn_arg *a = arg;
    for (uint64_t k = 0; k < TURN_ENTRIES; k++)
        write_tagged(a->s, a->t, k, &a->refused);
    return NULL;
}

/* which threads' entries a drain passed */
struct last_thread {
    struct by_thread c;
    uint32_t last;
};

static void note_thread(void *ctx, const void *entry, size_t size)
{
    struct last_thread *lt = ctx;
    struct tagged h;
    if (size >= sizeof h) {
        memcpy(&h, entry, sizeof h);
        lt->last = h.thread;
    }
    check_by_thread(&lt->c, entry, size);
}

START_TEST(bounded_drains_take_turns)
{
    struct budget b;
    budget_init(&b, 0);
    otel_stage *s = stage_with(&b, 1000000);
    pthread_t th[TURN_THREADS];
    struct turn_arg a[TURN_THREADS];
    for (uint32_t t = 0; t < TURN_THREADS; t++) {
        a[t] = (struct turn_arg){s, t, 0};
        ck_assert_int_eq(pthread_create(&th[t], NULL, turn_writer, &a[t]), 0);
    }
    for (int t = 0; t < TURN_THREADS; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(a[t].refused, 0);
    }
    uint64_t next[TURN_THREADS] = {0};
    struct last_thread lt = {.c = {.threads = TURN_THREADS, .next_seq = next}};

    /* one entry at a time: three drains, three lanes */
    int from[TURN_THREADS] = {0};
    for (int k = 0; k < TURN_THREADS; k++) {
        lt.last = UINT32_MAX;
        ck_assert_uint_eq(otel_stage_drain(s, note_thread, &lt, 1, NULL), 1);
        ck_assert_uint_lt(lt.last, TURN_THREADS);
        from[lt.last]++;
    }
    for (int t = 0; t < TURN_THREADS; t++)
        ck_assert_msg(from[t] == 1, "3 drains of one entry: %d, %d, %d from the three lanes", from[0],
                      from[1], from[2]);

    /* the rest, 4 at a time, each lane still in order */
    long total = TURN_THREADS;
    for (int k = 0; k < TURN_THREADS * TURN_ENTRIES && total < TURN_THREADS * TURN_ENTRIES; k++) {
        size_t n = otel_stage_drain(s, note_thread, &lt, 4, NULL);
        ck_assert_uint_le(n, 4);
        ck_assert_uint_gt(n, 0);
        total += (long)n;
    }
    ck_assert_int_eq(total, TURN_THREADS * TURN_ENTRIES);
    ck_assert_no_faults(lt.c.f);
    for (int t = 0; t < TURN_THREADS; t++)
        ck_assert_uint_eq(next[t], TURN_ENTRIES);
    ck_assert_uint_eq(otel_stage_drain(s, note_thread, &lt, SIZE_MAX, NULL), 0);
    ck_assert_uint_eq(otel_stage_reserved(s), 0); /* the exited threads' lanes went */
    ck_assert_uint_eq(otel_stage_committed(s), TURN_THREADS * TURN_ENTRIES);
    ck_assert_uint_eq(otel_stage_taken(s), TURN_THREADS * TURN_ENTRIES);
    otel_stage_free(s);
    ck_assert_uint_eq(budget_now(&b), 0);
}
END_TEST

/* Fills glibc's per-thread cache for blocks of s's size, so that the stage
 * freed next goes where calloc looks first (calloc skips that cache): the
 * next stage then comes back at the same address. Only a nudge: other
 * allocators (ASan's, TSan's) do as they please. */
static void nudge_reuse(void *s)
{
    size_t u = malloc_usable_size(s);
    void *b[7];
    for (int i = 0; i < 7; i++)
        b[i] = malloc(u);
    for (int i = 0; i < 7; i++)
        free(b[i]);
}

/* the test's thread writes to stage after stage; each is drained and freed
 * before the next is made, most likely at the same address */
START_TEST(new_stage_after_free)
{
    otel_stage *prev = NULL;
    int same_address = 0;
    for (int round = 0; round < 4; round++) {
        struct budget b;
        budget_init(&b, 0);
        char tag = (char)('A' + round);
        otel_stage *s = stage_with(&b, 1000000);
        if (s == prev)
            same_address++;
        size_t n = 5 + (size_t)round * 2;
        for (size_t i = 0; i < n; i++)
            write_tag(s, tag, i);
        ck_assert_uint_eq(pending(s), n);
        struct tag_check c = {.tag = tag};
        ck_assert_uint_eq(otel_stage_drain(s, check_tag, &c, SIZE_MAX, NULL), n);
        ck_assert_no_faults(c.f);
        ck_assert_uint_eq(c.next, n);
        ck_assert_uint_eq(otel_stage_drain(s, check_tag, &c, SIZE_MAX, NULL), 0);
        nudge_reuse(s);
        otel_stage_free(s);
        ck_assert_uint_eq(budget_now(&b), 0);
        ck_assert_int_eq(b.went_negative, 0);
        prev = s;
    }
    printf("stage re-creation: %d of 3 new stages at the freed one's address\n", same_address);
}
END_TEST

/* a thread that wrote to a stage outlives it (the stage is drained and freed
 * while the thread lives), then writes to a new stage and exits: neither its
 * new entries nor its exit may touch the freed stage (ASan tells) */
struct outliver {
    pthread_barrier_t *bar;
    otel_stage **stage; /* the stage to write to, set by the test between barriers */
    int refused;
};

static void *outliver(void *arg)
{
    struct outliver *o = arg;
    for (size_t i = 0; i < 3; i++)
        write_tag(*o->stage, 'A', i);
    pthread_barrier_wait(o->bar); /* 1: written to A */
    pthread_barrier_wait(o->bar); /* 2: A freed, B made */
    for (size_t i = 0; i < 4; i++)
        write_tag(*o->stage, 'B', i);
    pthread_barrier_wait(o->bar); /* 3: written to B */
    pthread_barrier_wait(o->bar); /* 4: B drained */
    return NULL;
}

START_TEST(thread_outlives_its_stage)
{
    struct budget ba, bb;
    budget_init(&ba, 0);
    budget_init(&bb, 0);
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    otel_stage *current = stage_with(&ba, 1000000);
    struct outliver o = {&bar, &current, 0};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, outliver, &o), 0);

    pthread_barrier_wait(&bar); /* 1 */
    struct tag_check ca = {.tag = 'A'};
    ck_assert_uint_eq(otel_stage_drain(current, check_tag, &ca, SIZE_MAX, NULL), 3);
    ck_assert_no_faults(ca.f);
    nudge_reuse(current);
    otel_stage_free(current);
    ck_assert_uint_eq(budget_now(&ba), 0);
    current = stage_with(&bb, 1000000);
    pthread_barrier_wait(&bar); /* 2 */
    pthread_barrier_wait(&bar); /* 3 */
    ck_assert_uint_eq(pending(current), 4);
    struct tag_check cb = {.tag = 'B'};
    ck_assert_uint_eq(otel_stage_drain(current, check_tag, &cb, SIZE_MAX, NULL), 4);
    ck_assert_no_faults(cb.f);
    ck_assert_uint_eq(cb.next, 4);
    pthread_barrier_wait(&bar); /* 4 */
    pthread_join(t, NULL);
    ck_assert_uint_eq(otel_stage_drain(current, check_tag, &cb, SIZE_MAX, NULL), 0);
    ck_assert_uint_eq(otel_stage_reserved(current), 0); /* the exited thread's lane went */
    otel_stage_free(current);
    ck_assert_uint_eq(budget_now(&bb), 0);
    ck_assert_int_eq(ba.went_negative + bb.went_negative, 0);
    pthread_barrier_destroy(&bar);
}
END_TEST

/* A destructor of another thread-specific key that runs after the stage's
 * own (glibc runs them in key order: ours is made after the stage's) writes
 * to the stage, as a thread's last log line would: the thread still exits,
 * the entry is drained or counted as refused, the lanes still go. */
static otel_stage *late_stage;
static pthread_key_t late_key;

static void late_write(void *unused)
{
    (void)unused;
    write_tag(late_stage, 'L', 1);
}

static void *late_writer(void *arg)
{
    (void)arg;
    pthread_setspecific(late_key, &late_key); /* non-NULL: the destructor runs */
    write_tag(late_stage, 'L', 0);
    return NULL;
}

/* the two entries may come from two lanes: in any order, each once */
static void check_late(void *ctx, const void *entry, size_t size)
{
    int *seen = ctx; /* [0]: "L0", [1]: "L1", [2]: anything else */
    if (size == 2 && memcmp(entry, "L0", 2) == 0)
        seen[0]++;
    else if (size == 2 && memcmp(entry, "L1", 2) == 0)
        seen[1]++;
    else
        seen[2]++;
}

START_TEST(write_from_a_later_thread_exit_destructor)
{
    struct budget b;
    budget_init(&b, 0);
    late_stage = stage_with(&b, 1000000); /* the stage's key exists from here */
    ck_assert_int_eq(pthread_key_create(&late_key, late_write), 0);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, late_writer, NULL), 0);
    pthread_join(t, NULL); /* bounded by the test case's timeout */
    int seen[3] = {0, 0, 0};
    uint64_t refused = 0;
    size_t n = otel_stage_drain(late_stage, check_late, seen, SIZE_MAX, &refused);
    ck_assert_msg(n + refused == 2, "%zu entries drained, %llu refused: 2 were written", n,
                  (unsigned long long)refused);
    ck_assert_int_eq(seen[0], 1); /* the thread's own entry */
    ck_assert_int_le(seen[1], 1); /* the destructor's, unless refused */
    ck_assert_int_eq(seen[2], 0);
    ck_assert_uint_eq(otel_stage_drain(late_stage, check_late, seen, SIZE_MAX, NULL), 0);
    ck_assert_uint_eq(otel_stage_reserved(late_stage), 0); /* its lanes went */
    otel_stage_free(late_stage);
    ck_assert_uint_eq(budget_now(&b), 0);
    pthread_key_delete(late_key);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stage");
    TCase *tc = tcase_create("stage");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, one_thread_every_size_in_order);
    tcase_add_test(tc, budget_refuses_counts_and_releases);
    tcase_add_test(tc, free_releases_undrained);
    tcase_add_test(tc, busy_lane_reuses_its_chunks);
    tcase_add_test(tc, busy_lane_keeps_spares_within_their_bytes);
    tcase_add_test(tc, read_chunks_are_cached_within_the_cap);
    tcase_add_test(tc, cache_stays_within_the_room);
    tcase_add_test(tc, kick_every_wake_at_entries);
    tcase_add_test(tc, admit_bounds_every_lane);
    tcase_add_test(tc, lowest_band_is_refused_first);
    tcase_add_test(tc, bounded_drains_take_turns);
    tcase_add_test(tc, many_producers_one_consumer);
    tcase_add_test(tc, exited_threads_are_read_then_freed);
    tcase_add_test(tc, threads_exit_while_draining);
    tcase_add_test(tc, new_stage_after_free);
    tcase_add_test(tc, thread_outlives_its_stage);
    suite_add_tcase(s, tc);
    TCase *exit = tcase_create("thread exit");
    tcase_set_timeout(exit, 20); /* a hang in a thread's exit shows sooner */
    tcase_add_test(exit, write_from_a_later_thread_exit_destructor);
    suite_add_tcase(s, exit);
    return run_suite(s);
}
