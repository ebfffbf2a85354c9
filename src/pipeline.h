/*
 * pipeline.h - what happens to a log entry before the queue, wherever its
 * lane entry is built into a record (lane_entry.h; usually the consumer
 * that drains the logging threads' lanes): filter (cheap
 * keys first, then bodyRegex) -> gather attributes (per-call, thread
 * context, the library's own, configured additions, resource copies) under
 * the allow-list and the count limit -> build the record -> mask hideRegex
 * matches in the body and every string attribute (mask.h) -> cut to the
 * length limits. No secret reaches the queue.
 *
 * A filtered-out record costs no allocation.
 */
#ifndef LOG4C_OTEL_PIPELINE_H
#define LOG4C_OTEL_PIPELINE_H

#include "attributes.h"
#include "configuration.h"
#include "filter.h"
#include "record.h"
#include "settings.h"

typedef struct otel_pipeline {
    int disabled;                /* an `enabled` flag said false: every record is filtered */
    otel_filter_set filters;     /* taken from the configuration */
    otel_attr_list additional;   /* additionalAttributes */
    otel_attr_list resource;     /* resource attributes copied into records (addResourceAttributesToAttributes) */
    size_t attr_value_limit;     /* bytes; 0 = none (the body limit still applies) */
    size_t attr_count_limit;     /* SIZE_MAX = none */
} otel_pipeline;

/* Builds p from cfg (its filters and additional attributes are moved out of
 * cfg) and the loaded settings s (resource copies). 0 or LOG4C_OTEL_ENOMEM. */
int otel_pipeline_init(otel_pipeline *p, otel_config *cfg, const otel_settings *s);
void otel_pipeline_free(otel_pipeline *p);

/* A log event as the pipeline takes it (record_builder.h, lane_entry.h):
 * the event (rec.attrs = the library's own attributes, e.g. thread.id,
 * code.*, log.source) and the per-call attributes. */
typedef struct otel_pipeline_input {
    otel_record_input rec;
    const otel_attr *call_attrs;
    size_t ncall_attrs;
    /* the logging thread's attribute context: these when ctx_given (the
     * record is built on another thread), else the calling thread's own
     * (otel_thread_attrs) */
    const otel_attr *ctx_attrs;
    size_t nctx_attrs;
    int ctx_given;
    /* 1: every key of rec.attrs is present and none is repeated (as
     * event_attrs.c builds them), so that need not be checked again */
    int own_distinct;
} otel_pipeline_input;

/* Why otel_pipeline_build_record gave no record. */
#define OTEL_PIPELINE_FILTERED 1 /* a filter (or enabled: false) dropped it */
#define OTEL_PIPELINE_NOMEM 2
#define OTEL_PIPELINE_NOCONFIG 3 /* p is NULL: the configuration is invalid (fail closed) */

/* A record ready for the queue, or NULL with *why: otel_pipeline_select
 * followed by otel_pipeline_build_selected. */
otel_record *otel_pipeline_build_record(const otel_pipeline *p, const otel_pipeline_input *in, int *why);

/* The two steps apart, so that a filtered entry is dropped before the
 * library's own attributes are gathered (it then costs only the filter).
 * select: the options that apply (never disabled), or NULL with *why
 * (FILTERED, NOCONFIG). build_selected: the record under those options (from
 * select with the same p, category, priority and body), or NULL with *why;
 * it uses in->rec as the record's input and writes into it (limits,
 * attributes, dropped count), so in is spent once it returns. */
const otel_log_options *otel_pipeline_select(const otel_pipeline *p, const char *category, int log4c_priority,
                                             const char *body, size_t body_len, int *why);
otel_record *otel_pipeline_build_selected(const otel_pipeline *p, const otel_log_options *o, otel_pipeline_input *in,
                                          int *why);

/* The body's and string values' limit of a record under p given the
 * builder's body limit (0 = none): the smaller of the two that are set. */
static inline size_t otel_pipeline_value_limit(const otel_pipeline *p, size_t body_limit)
{
    size_t a = p->attr_value_limit;
    return !a ? body_limit : !body_limit || a < body_limit ? a : body_limit;
}

/* otel_pipeline_record when o masks. */
otel_record *otel_pipeline_record_masked(const otel_pipeline *p, const otel_log_options *o, otel_record_input *ri);

/* The last step of otel_pipeline_build_selected, once the attributes are
 * gathered into ri: the record with its body and string values cut to
 * otel_pipeline_value_limit(p, ri->body_limit), masked first when o masks
 * (every attribute key but the library's own names, and every string
 * value). Writes into ri. NULL when out of memory. Inline: the export
 * thread builds every record through it. */
static inline otel_record *otel_pipeline_record(const otel_pipeline *p, const otel_log_options *o,
                                                otel_record_input *ri)
{
    if (o->hide)
        return otel_pipeline_record_masked(p, o, ri);
    ri->body_limit = ri->attr_limit = otel_pipeline_value_limit(p, ri->body_limit);
    return otel_record_new(ri);
}

/* 1 when otel_pipeline_build_selected under o would gather exactly the own
 * nattrs attributes of an input without per-call or context attributes
 * (distinct, as event_attrs.c makes them), with nothing left out: p adds no
 * attributes, o has no allow-list, and nattrs is within the count limit.
 * Then the record is otel_pipeline_record of the input with dropped_attrs
 * 0, which lane_entry.c builds without the pipeline's input (inline: the
 * export thread asks per record). */
static inline int otel_pipeline_takes_own(const otel_pipeline *p, const otel_log_options *o, size_t nattrs)
{
    return !(p->additional.n | p->resource.n) && !o->has_allowed && nattrs <= p->attr_count_limit;
}

/* otel_filter_decide for a log4c priority under p: OTEL_FILTER_DROP when p
 * is disabled (what otel_pipeline_select counts as FILTERED for every
 * body); OTEL_FILTER_UNDECIDED when p is NULL (no valid configuration: the
 * record is counted as dropped_config, not filtered, further on). On KEEP,
 * *kept (kept may be NULL) gets what otel_pipeline_select returns for
 * every body. */
otel_filter_decision otel_pipeline_decide(const otel_pipeline *p, const char *category, int log4c_priority,
                                          const otel_log_options **kept);

#endif
