/*
 * early_drop.h - the filter's decision by category and severity, taken on
 * the logging thread before the event is copied into its lane: a record
 * the filters drop whatever its body costs the caller a lookup, not a copy.
 *
 * Each thread keeps a small direct-mapped cache keyed by the category-name
 * pointer (log4c's own cat_name: stable while the category lives) and the
 * log4c priority. Every decision is cached (KEEP and UNDECIDED too), so the
 * accepted path pays only the lookup, not the walk through the rules. Each
 * entry carries the generation it was decided under;
 * otel_early_drop_invalidate() moves the generation on, which makes every
 * thread's entries stale at once. It must be called whenever the decision
 * of a cached key could change or its key could name something else: the
 * pipeline loaded, replaced or given up, and log4c's categories freed
 * (log4c_fini() closes the appenders after deleting the categories: a new
 * category may later get the same address).
 *
 * The lookup is inline (it runs on every append): the cache and the
 * generation are visible here only for it.
 */
#ifndef LOG4C_OTEL_EARLY_DROP_H
#define LOG4C_OTEL_EARLY_DROP_H

#include "pipeline.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define OTEL_EARLY_DROP_SLOTS 64 /* a power of two: a thread logs from few (category, priority) pairs */
#define OTEL_EARLY_DROP_GEN_STEP 4u /* the low 2 bits of a tag hold the decision */

typedef struct otel_early_drop_slot {
    const char *category;
    int32_t priority;
    uint32_t tag; /* the generation it was decided under | its otel_filter_decision */
} otel_early_drop_slot;

extern atomic_uint otel_early_drop_generation;
extern __thread otel_early_drop_slot otel_early_drop_cache[OTEL_EARLY_DROP_SLOTS];

/* Decides with otel_pipeline_decide(pipeline(), ...) and remembers it in s
 * under gen (read before pipeline() is called). */
otel_filter_decision otel_early_drop_miss(otel_early_drop_slot *s, unsigned gen, const char *category, int priority,
                                          const otel_pipeline *(*pipeline)(void));

/* The calling thread's decision for (category, priority): from its cache
 * when the entry is of the current generation, else otel_pipeline_decide
 * on pipeline() (called only then), remembered. OTEL_FILTER_DROP: count it
 * as filtered and drop it; anything else: the worker decides as before. */
static inline otel_filter_decision otel_early_drop_decide(const char *category, int priority,
                                                          const otel_pipeline *(*pipeline)(void))
{
    unsigned gen = atomic_load_explicit(&otel_early_drop_generation, memory_order_acquire);
    /* names are malloc'ed (8- or 16-aligned); log4c's priorities step by
     * 100, and >> 5 keeps FATAL..TRACE (0..800) on distinct low bits */
    size_t i = (((uintptr_t)category >> 4) ^ ((unsigned)priority >> 5)) & (OTEL_EARLY_DROP_SLOTS - 1);
    otel_early_drop_slot *s = &otel_early_drop_cache[i];
    if (s->category == category && s->priority == priority &&
        (s->tag & ~(OTEL_EARLY_DROP_GEN_STEP - 1)) == gen)
        return (otel_filter_decision)(s->tag & (OTEL_EARLY_DROP_GEN_STEP - 1));
    return otel_early_drop_miss(s, gen, category, priority, pipeline);
}

/* Forgets every thread's cached decisions (they are re-decided at their
 * next use). Cheap; any thread, any time (also in a fork child). */
void otel_early_drop_invalidate(void);

#endif
