/*
 * convert_memo.c - the consumer's memo of what a category decides
 * (convert_memo.h).
 */
#include "convert_memo.h"

#include <string.h>

const otel_convert_memo *otel_convert_memo_get(otel_convert_memo *m, unsigned gen, otel_instance *inst,
                                               const otel_pipeline *p, const char *cat, uint32_t cat_len,
                                               int32_t priority, otel_convert_classify_fn classify)
{
    if (cat_len >= OTEL_CONVERT_MEMO_CAT_MAX) {
        m->cat_len = UINT32_MAX;
        return NULL;
    }
    if (m->gen != gen || m->inst != inst || m->p != p || m->cat_len != cat_len || memcmp(m->cat, cat, cat_len) != 0) {
        classify(inst, cat, &m->cls);
        m->app_off = m->cls.app_name ? (size_t)(m->cls.app_name - cat) : 0;
        memcpy(m->cat, cat, cat_len);
        m->gen = gen;
        m->inst = inst;
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

void otel_convert_memo_class(const otel_convert_memo *m, const char *cat, otel_source_class *out)
{
    *out = m->cls;
    if (out->app_name)
        out->app_name = cat + m->app_off;
}
