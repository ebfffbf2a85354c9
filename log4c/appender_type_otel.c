/*
 * appender_type_otel.c - the log4c appender type "otel": maps a log4c event
 * to a record (copying everything, on the caller's thread) and hands it to
 * the instance's worker. Never waits on the network.
 */
#include "instances.h"
#include "append_stage.h"
#include "early_drop.h"
#include "event_attrs.h"
#include "clock.h"
#include "loc_data.h"
#include "pipeline.h"
#include "preinit.h"
#include "reentry.h"
#include "thread_id.h"
#include "trace_context.h"

#include <log4c.h>
#include <string.h>

const log4c_appender_type_t otel_appender_type;

static int otel_open(log4c_appender_t *app)
{
    /* log4c opens lazily from whichever thread logs first, possibly from two
     * at once: otel_instance_open is idempotent and locked */
    if (log4c_appender_get_udata(app))
        return 0;
    /* issue 6: never wait here for another thread's configuration load (or
     * for log4c_otel_init): append buffers until it is ready, then opens */
    if (!otel_instances_ready())
        return 0;
    otel_instance *inst = otel_instance_open(log4c_appender_get_name(app));
    if (!inst)
        return -1;
    log4c_appender_set_udata(app, inst);
    return 0;
}

/* filter, attributes, masking, limits (src/pipeline.c), then the queue */
static int deliver(otel_instance *inst, const otel_pipeline_input *in)
{
    int why;
    otel_record *r = otel_pipeline_build_record(otel_instances_pipeline(), in, &why);
    if (!r) {
        otel_instance_drop(inst, why);
        return why == OTEL_PIPELINE_NOMEM ? -1 : 0;
    }
    otel_instance_submit(inst, r);
    return 0;
}

/* issue 6: a record kept in the pre-init buffer, now that the configuration
 * is loaded: what depends on the instance (its body limit, log.source) is
 * added here, exactly as append would have. */
void otel_append_replay(const otel_preinit_entry *e)
{
    otel_instance *inst = otel_instance_open(e->tag);
    if (!inst) {
        otel_instance_drop(NULL, OTEL_PIPELINE_NOCONFIG);
        return;
    }
    otel_attr attrs[OTEL_APPEND_MAX_ATTRS];
    size_t n = e->in.rec.nattrs < OTEL_APPEND_MAX_ATTRS ? e->in.rec.nattrs : OTEL_APPEND_MAX_ATTRS;
    memcpy(attrs, e->in.rec.attrs, n * sizeof *attrs);
    n = otel_event_source_attrs(inst, e->in.rec.category, e->has_ld ? &e->ld : NULL, attrs, n);
    otel_pipeline_input in = e->in;
    in.rec.attrs = attrs;
    in.rec.nattrs = n;
    in.rec.body_limit = otel_instance_body_limit(inst);
    deliver(inst, &in);
}

static int append_guarded(log4c_appender_t *app, const log4c_logging_event_t *ev);

/* issue 6, no feedback loop: the library's own threads never append, and an
 * append nested in one on the same thread (something our code called
 * logged to otel) is dropped and counted instead of recursing/deadlocking. */
static int otel_append(log4c_appender_t *app, const log4c_logging_event_t *ev)
{
    if (!otel_reentry_enter()) {
        otel_instances_count_reentrant();
        return 0;
    }
    int rc = append_guarded(app, ev);
    otel_reentry_leave();
    return rc;
}

static int append_guarded(log4c_appender_t *app, const log4c_logging_event_t *ev)
{
    otel_instance *inst = log4c_appender_get_udata(app);
    /* log4c marked it open on another thread (udata not visible yet), or the
     * open found the configuration not ready: open now if it is, else buffer */
    if (!inst && otel_instances_ready()) {
        if (otel_open(app) != 0)
            return -1;
        inst = log4c_appender_get_udata(app);
    }
    /* a record the filters drop by category and severity alone is dropped
     * here, before anything is copied, and counted as the worker would
     * (filtered); the decision is cached per thread (early_drop.h). Only
     * with an instance: before that the configuration is not loaded, and
     * loading it is not for this thread to wait for. */
    if (inst && otel_early_drop_decide(ev->evt_category, ev->evt_priority, otel_instances_pipeline) ==
                    OTEL_FILTER_DROP) {
        otel_instance_drop(inst, OTEL_PIPELINE_FILTERED);
        return 0;
    }
    const otel_loc_data *ld = ev->evt_loc ? otel_loc_data_get(ev->evt_loc->loc_data) : NULL;
    /* the per-call attributes of log4c_otel_log_at() come first, before the
     * record's own; an app's or a captured line's come after them */
    otel_call_attrs call_attrs, *call = NULL;
    if (ld && ld->kind == OTEL_LOC_DATA_ATTRS) {
        call_attrs = (otel_call_attrs){ld->attrs, ld->nattrs};
        call = &call_attrs;
        ld = NULL;
    }

    /* issue 6: the usual path only copies the event into this thread's
     * lane; the worker filters, redacts and builds the record */
    otel_stage *stage = inst ? otel_instance_stage(inst) : NULL;
    if (stage) {
        otel_append_stage(stage, ev, ld, call); /* a refusal is counted (dropped_queue_full) */
        return 0;
    }

    /* filter first: a dropped entry costs neither attributes nor clock reads
     * (only once the configuration is loaded; a buffered record is filtered
     * when it is replayed) */
    const char *msg = ev->evt_msg ? ev->evt_msg : "";
    size_t msg_len = strlen(msg);
    const otel_pipeline *p = NULL;
    const otel_log_options *o = NULL;
    int why;
    if (inst) {
        p = otel_instances_pipeline();
        o = otel_pipeline_select(p, ev->evt_category, ev->evt_priority, msg, msg_len, &why);
        if (!o) {
            otel_instance_drop(inst, why);
            return 0;
        }
    }

    otel_attr attrs[OTEL_APPEND_MAX_ATTRS];
    const log4c_location_info_t *loc = ev->evt_loc;
    size_t n = otel_event_real_location(loc)
                   ? otel_event_own_attrs(attrs, otel_thread_id(), loc->loc_file, loc->loc_line, loc->loc_function)
                   : otel_event_own_attrs(attrs, otel_thread_id(), NULL, 0, NULL);

    if (inst)
        n = otel_event_source_attrs(inst, ev->evt_category, ld, attrs, n);

    /* the thread's active span (or attached context) correlates the record;
     * only the ids are read, not the whole context with its tracestate */
    uint8_t trace_id[16], span_id[8], flags = 0;
    int traced = otel_context_current_ids(trace_id, span_id, &flags);

    otel_pipeline_input in = {.rec = {
        .time_unix_nano = (uint64_t)ev->evt_timestamp.tv_sec * 1000000000ull +
                          (uint64_t)ev->evt_timestamp.tv_usec * 1000ull,
        .observed_time_unix_nano = otel_realtime_ns(),
        .log4c_priority = ev->evt_priority,
        .category = ev->evt_category,
        .body = msg,
        .body_len = msg_len,
        .body_limit = inst ? otel_instance_body_limit(inst) : 0,
        .trace_id = traced ? trace_id : NULL,
        .span_id = traced ? span_id : NULL,
        .flags = flags,
        .attrs = attrs,
        .nattrs = n,
    }};
    if (call) {
        in.call_attrs = call->attrs;
        in.ncall_attrs = call->nattrs;
    }
    if (!inst) {
        /* issue 6: raw, before the pipeline (which needs the configuration);
         * filters and redaction apply when it is replayed */
        if (otel_instances_buffer(log4c_appender_get_name(app), &in, ld) == 0)
            return 0;
        if (otel_open(app) != 0) /* loaded meanwhile */
            return -1;
        inst = log4c_appender_get_udata(app);
        n = otel_event_source_attrs(inst, ev->evt_category, ld, attrs, n);
        in.rec.nattrs = n;
        in.rec.body_limit = otel_instance_body_limit(inst);
        return deliver(inst, &in);
    }
    /* attributes, masking, limits under the selected options: src/pipeline.c */
    otel_record *r = otel_pipeline_build_selected(p, o, &in, &why);
    if (!r) {
        otel_instance_drop(inst, why);
        return why == OTEL_PIPELINE_NOMEM ? -1 : 0;
    }
    otel_instance_submit(inst, r);
    return 0;
}

static int otel_close(log4c_appender_t *app)
{
    /* log4c_fini() closes appenders after freeing the categories: their
     * addresses key the cached filter decisions (early_drop.h), even when
     * this appender has no instance */
    otel_early_drop_invalidate();
    otel_instance *inst = log4c_appender_get_udata(app);
    if (!inst) {
        /* issue 6: records may wait in the pre-init buffer for this
         * appender: load the configuration (which replays them) and shut
         * the instance down within the deadline; never silently lost */
        otel_instances_configure();
        inst = otel_instance_find(log4c_appender_get_name(app));
    }
    if (inst) {
        log4c_appender_set_udata(app, NULL);
        otel_instance_close(inst);
    }
    return 0;
}

const log4c_appender_type_t otel_appender_type = {
    LOG4C_OTEL_APPENDER_NAME,
    otel_open,
    otel_append,
    otel_close,
};
