/*
 * early_drop.c - the per-thread cache of filter decisions by category and
 * priority (early_drop.h): its state and the slow half.
 */
#include "early_drop.h"

/* Moves in steps of 4 (the decision lives in a tag's low 2 bits); starts
 * at 4 and skips 0 on wrap, so that a zeroed slot never hits. A thread
 * would have to sleep through 2^30 invalidations (a handful per process:
 * configuration load, fork, log4c_fini) to mistake an old entry for a
 * current one. */
atomic_uint otel_early_drop_generation = OTEL_EARLY_DROP_GEN_STEP;
__thread otel_early_drop_slot otel_early_drop_cache[OTEL_EARLY_DROP_SLOTS];

void otel_early_drop_invalidate(void)
{
    unsigned before = atomic_fetch_add_explicit(&otel_early_drop_generation, OTEL_EARLY_DROP_GEN_STEP,
                                                memory_order_acq_rel);
    if (before + OTEL_EARLY_DROP_GEN_STEP == 0)
        atomic_fetch_add_explicit(&otel_early_drop_generation, OTEL_EARLY_DROP_GEN_STEP, memory_order_acq_rel);
}

otel_filter_decision otel_early_drop_miss(otel_early_drop_slot *s, unsigned gen, const char *category, int priority,
                                          const otel_pipeline *(*pipeline)(void))
{
    otel_filter_decision d = otel_pipeline_decide(pipeline(), category, priority, NULL);
    /* gen was read before the pipeline: an invalidation meanwhile leaves
     * this entry stale, never a decision of an older pipeline (or for a
     * freed category) under a current tag */
    s->category = category;
    s->priority = priority;
    s->tag = gen | (unsigned)d;
    return d;
}
