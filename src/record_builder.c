/*
 * record_builder.c - a record built from a log event on the calling thread
 * (record_builder.h).
 */
#include "record_builder.h"
#include "clock.h"
#include "thread_id.h"
#include "span.h"

#include <string.h>

/* An event as pipeline input: the library's own attributes (thread.id,
 * code.*), the thread's trace ids, observed now. */
typedef struct otel_event_input {
    otel_pipeline_input in; /* points into ev and into this struct */
    otel_attr attrs[OTEL_APPEND_MAX_ATTRS];
    uint8_t trace_id[16], span_id[8];
} otel_event_input;

static void event_input_init(otel_event_input *x, const otel_log_event *ev)
{
    size_t n = otel_event_own_attrs(x->attrs, otel_thread_id(), ev->file, ev->line, ev->function);
    /* the thread's active span (or attached context) correlates the record;
     * only the ids are read, not the whole context with its tracestate */
    uint8_t flags = 0;
    int traced = otel_context_current_ids(x->trace_id, x->span_id, &flags);
    size_t msg_len = strlen(ev->message);
    x->in = (otel_pipeline_input){.rec = {
                                      .time_unix_nano = ev->time_ns,
                                      .observed_time_unix_nano = otel_realtime_ns(),
                                      .log4c_priority = ev->priority,
                                      .category = ev->category,
                                      .body = ev->message,
                                      .body_len = msg_len,
                                      .trace_id = traced ? x->trace_id : NULL,
                                      .span_id = traced ? x->span_id : NULL,
                                      .flags = flags,
                                      .attrs = x->attrs,
                                      .nattrs = n,
                                  }};
    if (ev->call) {
        x->in.call_attrs = ev->call->attrs;
        x->in.ncall_attrs = ev->call->nattrs;
    }
}

otel_record *otel_record_from_event(const otel_record_builder *b, const otel_log_event *ev, int *why)
{
    const otel_log_options *o =
        otel_pipeline_select(b->pipeline, ev->category, ev->priority, ev->message, strlen(ev->message), why);
    if (!o) {
        otel_record_builder_drop(b, *why);
        return NULL;
    }
    otel_event_input x;
    event_input_init(&x, ev);
    x.in.rec.nattrs = otel_event_source_attrs(b->sources, ev->category, ev->ld, x.attrs, x.in.rec.nattrs);
    x.in.rec.body_limit = b->body_limit;
    /* attributes, masking, limits under the selected options (pipeline.c) */
    otel_record *r = otel_pipeline_build_selected(b->pipeline, o, &x.in, why);
    if (!r)
        otel_record_builder_drop(b, *why);
    return r;
}
