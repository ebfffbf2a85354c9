/*
 * decision_cache.c - the filter's remembered decisions (decision_cache.h):
 * the generation, the logging threads' slots and their slow half, and the
 * consumer's memo.
 */
#include "decision_cache.h"

#include <string.h>

/* Moves in steps of 4 (the decision lives in a slot tag's low 2 bits);
 * starts at 4 and skips 0 on wrap, so that a zeroed slot never hits. A
 * thread would have to sleep through 2^30 invalidations (a handful per
 * process: configuration load, fork, log4c_fini) to mistake an old entry
 * for a current one. */
atomic_uint otel_decision_cache_generation = OTEL_DECISION_CACHE_GEN_STEP;
__thread otel_decision_slot otel_decision_cache_slots[OTEL_DECISION_CACHE_SLOTS];

void otel_decision_cache_invalidate(void)
{
    unsigned before = atomic_fetch_add_explicit(&otel_decision_cache_generation, OTEL_DECISION_CACHE_GEN_STEP,
                                                memory_order_acq_rel);
    if (before + OTEL_DECISION_CACHE_GEN_STEP == 0)
        atomic_fetch_add_explicit(&otel_decision_cache_generation, OTEL_DECISION_CACHE_GEN_STEP, memory_order_acq_rel);
}

otel_filter_decision otel_decision_cache_miss(otel_decision_slot *s, unsigned gen, const char *category, int priority,
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

const otel_decision_memo *otel_decision_memo_refresh(otel_decision_memo *m, unsigned gen, void *owner,
                                                     const otel_pipeline *p, const char *cat, uint32_t cat_len,
                                                     int32_t priority, otel_decision_classify_fn classify)
{
    if (cat_len >= OTEL_DECISION_MEMO_CAT_MAX) {
        m->cat_len = UINT32_MAX;
        return NULL;
    }
    if (m->gen != gen || m->owner != owner || m->p != p || m->cat_len != cat_len ||
        memcmp(m->cat, cat, cat_len) != 0) {
        classify(owner, cat, &m->cls);
        m->app_off = m->cls.app_name ? (size_t)(m->cls.app_name - cat) : 0;
        memcpy(m->cat, cat, cat_len);
        m->gen = gen;
        m->owner = owner;
        m->p = p;
        m->cat_len = cat_len;
        m->has_decision = 0;
    }
    if (!m->has_decision || m->priority != priority) {
        m->kept = NULL;
        m->decision = otel_pipeline_decide(p, cat, priority, &m->kept);
        m->priority = priority;
        m->has_decision = 1;
    }
    return m;
}
