/*
 * decision_cache.h - the filter's decisions by category and severity,
 * remembered where they are asked, under one generation.
 *
 * Two users, one invalidation:
 *  - the logging thread, before it copies an event into its lane: a record
 *    the filters drop whatever its body costs the caller a lookup, not a
 *    copy (otel_decision_cache_decide);
 *  - the consumer, for each lane entry it turns into a record: a thread
 *    logs runs of one category, and walking the rules and classifying the
 *    category again for every entry is the consumer's main cost
 *    (otel_decision_memo_get).
 *
 * Every remembered decision carries the generation it was taken under;
 * otel_decision_cache_invalidate() moves the generation on, which makes
 * every thread's entries and every memo stale at once. It must be called
 * whenever a remembered decision could change or its key could name
 * something else: the pipeline loaded, replaced or given up, and log4c's
 * categories freed (log4c_fini() closes the appenders after deleting the
 * categories: a new category may later get the same address).
 */
#ifndef LOG4C_OTEL_DECISION_CACHE_H
#define LOG4C_OTEL_DECISION_CACHE_H

#include "pipeline.h"
#include "short_copy.h"
#include "sources.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define OTEL_DECISION_CACHE_GEN_STEP 4u /* the low 2 bits of a slot's tag hold the decision */

/* The current generation: moves in steps of OTEL_DECISION_CACHE_GEN_STEP,
 * never 0 (a zeroed slot or memo never hits). Read it with acquire before
 * the pipeline a decision is taken under. */
extern atomic_uint otel_decision_cache_generation;

/* Forgets every remembered decision, on every thread (each is decided
 * again at its next use). Cheap; any thread, any time (also in a fork
 * child). */
void otel_decision_cache_invalidate(void);

/* ---- the logging thread's cache ----
 * A small direct-mapped cache per thread, keyed by the category-name
 * pointer (log4c's own cat_name: stable while the category lives) and the
 * log4c priority. Every decision is cached (KEEP and UNDECIDED too), so
 * the accepted path pays only the lookup, not the walk through the rules.
 * The lookup is inline (it runs on every append): the slots are visible
 * here only for it. */

#define OTEL_DECISION_CACHE_SLOTS 64 /* a power of two: a thread logs from few (category, priority) pairs */

typedef struct otel_decision_slot {
    const char *category;
    int32_t priority;
    uint32_t tag; /* the generation it was decided under | its otel_filter_decision */
} otel_decision_slot;

extern __thread otel_decision_slot otel_decision_cache_slots[OTEL_DECISION_CACHE_SLOTS];

/* Decides with otel_pipeline_decide(pipeline(), ...) and remembers it in s
 * under gen (read before pipeline() is called). */
otel_filter_decision otel_decision_cache_miss(otel_decision_slot *s, unsigned gen, const char *category, int priority,
                                              const otel_pipeline *(*pipeline)(void));

/* The calling thread's decision for (category, priority): from its cache
 * when the entry is of the current generation, else otel_pipeline_decide
 * on pipeline() (called only then), remembered. OTEL_FILTER_DROP: count it
 * as filtered and drop it; anything else: the consumer decides as before. */
static inline otel_filter_decision otel_decision_cache_decide(const char *category, int priority,
                                                              const otel_pipeline *(*pipeline)(void))
{
    unsigned gen = atomic_load_explicit(&otel_decision_cache_generation, memory_order_acquire);
    /* names are malloc'ed (8- or 16-aligned); log4c's priorities step by
     * 100, and >> 5 keeps FATAL..TRACE (0..800) on distinct low bits */
    size_t i = (((uintptr_t)category >> 4) ^ ((unsigned)priority >> 5)) & (OTEL_DECISION_CACHE_SLOTS - 1);
    otel_decision_slot *s = &otel_decision_cache_slots[i];
    if (s->category == category && s->priority == priority &&
        (s->tag & ~(OTEL_DECISION_CACHE_GEN_STEP - 1)) == gen)
        return (otel_filter_decision)(s->tag & (OTEL_DECISION_CACHE_GEN_STEP - 1));
    return otel_decision_cache_miss(s, gen, category, priority, pipeline);
}

/* ---- the consumer's memo ----
 * A memo holds one category (by content: a lane entry carries a copy): its
 * source classification, and the filter's decision for the last priority
 * seen with it (otel_pipeline_decide: on KEEP, the options every body
 * gets). It is valid only for the generation, owner (the record builder
 * whose classifier it used) and pipeline it was made under. One memo per
 * consuming thread (lane_entry.c). */

#define OTEL_DECISION_MEMO_CAT_MAX 128 /* a longer category is not remembered */

typedef struct otel_decision_memo {
    unsigned gen;
    const void *owner;
    const otel_pipeline *p;
    uint32_t cat_len; /* UINT32_MAX: nothing remembered */
    int32_t priority;
    int has_decision;
    otel_filter_decision decision;
    const otel_log_options *kept; /* on KEEP: the options for every body */
    otel_source_class cls;        /* app_name kept as an offset into the category */
    size_t app_off;
    char cat[OTEL_DECISION_MEMO_CAT_MAX];
} otel_decision_memo;

#define OTEL_DECISION_MEMO_EMPTY {.cat_len = UINT32_MAX}

/* How owner classifies a category. */
typedef void (*otel_decision_classify_fn)(void *owner, const char *category, otel_source_class *cls);

/* The slow half of otel_decision_memo_get: m brought up to date for the
 * category and priority (classified again only when the category or what
 * it was classified under changed, decided again only when the priority
 * changed too). NULL (and m emptied) when cat is too long to remember. */
const otel_decision_memo *otel_decision_memo_refresh(otel_decision_memo *m, unsigned gen, void *owner,
                                                     const otel_pipeline *p, const char *cat, uint32_t cat_len,
                                                     int32_t priority, otel_decision_classify_fn classify);

/* m brought up to date for the category cat (cat_len bytes, NUL-terminated)
 * and priority under the current generation, owner and p: a hit (the same
 * category and priority as the last entry, nothing changed) is answered
 * here, inline; anything else by otel_decision_memo_refresh. NULL (and m
 * emptied) when cat is too long to remember: decide and classify it in
 * full. */
static inline const otel_decision_memo *otel_decision_memo_get(otel_decision_memo *m, unsigned gen, void *owner,
                                                               const otel_pipeline *p, const char *cat,
                                                               uint32_t cat_len, int32_t priority,
                                                               otel_decision_classify_fn classify)
{
    /* m->cat_len is below OTEL_DECISION_MEMO_CAT_MAX or UINT32_MAX, which
     * no entry's length is: equal lengths mean a remembered category */
    if (m->cat_len == cat_len && m->priority == priority && m->has_decision && m->gen == gen && m->owner == owner &&
        m->p == p && otel_equal_short(m->cat, cat, cat_len))
        return m;
    return otel_decision_memo_refresh(m, gen, owner, p, cat, cat_len, priority, classify);
}

/* m's classification, its app_name pointing into cat (the same category,
 * in the entry being converted). */
static inline void otel_decision_memo_class(const otel_decision_memo *m, const char *cat, otel_source_class *out)
{
    *out = m->cls;
    if (out->app_name)
        out->app_name = cat + m->app_off;
}

#endif
