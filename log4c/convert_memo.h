/*
 * convert_memo.h - what a staged entry's category (and priority) alone
 * decide, remembered by the consumer for the next entries: a thread logs
 * runs of one category, and the consumer walked the filter rules and
 * classified the category again for every entry.
 *
 * A memo holds one category: its source classification, and the filter's
 * decision for the last priority seen with it (otel_pipeline_decide: on
 * KEEP, the options every body gets). It is valid only for the generation,
 * instance and pipeline it was made under: the caller passes the current
 * otel_early_drop_generation, which otel_early_drop_invalidate() moves on
 * whenever a configuration is loaded or an appender closes, so a stale
 * memo is never used. One memo per consuming thread (see append_stage.c).
 */
#ifndef LOG4C_OTEL_CONVERT_MEMO_H
#define LOG4C_OTEL_CONVERT_MEMO_H

#include "instances.h"
#include "pipeline.h"
#include "sources.h"

#include <stddef.h>
#include <stdint.h>

#define OTEL_CONVERT_MEMO_CAT_MAX 128 /* a longer category is not remembered */

typedef struct otel_convert_memo {
    unsigned gen;
    const otel_instance *inst;
    const otel_pipeline *p;
    uint32_t cat_len; /* UINT32_MAX: nothing remembered */
    int32_t priority;
    int has_decision;
    otel_filter_decision decision;
    const otel_log_options *kept; /* on KEEP: the options for every body */
    otel_source_class cls;        /* app_name kept as an offset into the category */
    size_t app_off;
    char cat[OTEL_CONVERT_MEMO_CAT_MAX];
} otel_convert_memo;

#define OTEL_CONVERT_MEMO_EMPTY {.cat_len = UINT32_MAX}

/* How a category is classified for inst (otel_event_classify in the library). */
typedef void (*otel_convert_classify_fn)(otel_instance *inst, const char *category, otel_source_class *cls);

/* m brought up to date for the category cat (cat_len bytes, NUL-terminated)
 * and priority under (gen, inst, p): classified again only when the
 * category or what it was classified under changed, decided again only
 * when the priority changed too. NULL (and m emptied) when cat is too long
 * to remember: decide and classify it in full. */
const otel_convert_memo *otel_convert_memo_get(otel_convert_memo *m, unsigned gen, otel_instance *inst,
                                               const otel_pipeline *p, const char *cat, uint32_t cat_len,
                                               int32_t priority, otel_convert_classify_fn classify);

/* m's classification, its app_name pointing into cat (the same category,
 * in the entry being converted). */
void otel_convert_memo_class(const otel_convert_memo *m, const char *cat, otel_source_class *out);

#endif
