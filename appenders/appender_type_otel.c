/*
 * appender_type_otel.c - the log4c appender type "otel": maps a log4c event
 * to a record (copying everything, on the caller's thread) and hands it to
 * the instance's worker. Never waits on the network.
 */
#include "instances.h"
#include "clock.h"
#include "loc_data.h"
#include "sources.h"
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

/* log4c's plain macros pass a location inside log4c's own header; only
 * log4c_category_log_locinfo() carries the caller's real one. */
static int real_location(const log4c_location_info_t *loc)
{
    if (!loc || !loc->loc_file || !loc->loc_file[0])
        return 0;
    size_t n = strlen(loc->loc_file);
    static const char own[] = "log4c/category.h";
    return !(n >= sizeof own - 1 && strcmp(loc->loc_file + n - (sizeof own - 1), own) == 0);
}

/* ---- issue 5: log sources and loc_data attributes ---- */

/* Room for the appender's own attributes (thread.id, code.* x3, log.source,
 * app.name, app.instance) and up to 48 from loc_data; more are dropped. */
#define OTEL_APPEND_MAX_ATTRS 56

static size_t put_str(otel_attr *attrs, size_t n, const char *key, const char *s, size_t len)
{
    attrs[n].key = key;
    attrs[n].type = OTEL_VALUE_STRING;
    attrs[n].v.str.s = s;
    attrs[n].v.str.s_len = len;
    return n + 1;
}

/* Appends log.source (and app.name / app.instance for app sources) from the
 * category's classification, then the attributes the library's own log
 * calls pass through loc_data (see loc_data.h), skipping keys already set. */
static size_t add_source_attrs(otel_instance *inst, const char *category, const otel_loc_data *ld, otel_attr *attrs,
                               size_t n)
{
    otel_sources *src = otel_instance_sources(inst);
    otel_source_class cls = {0};
    if (src)
        otel_sources_classify(src, category, &cls);
    if (cls.source) {
        n = put_str(attrs, n, OTEL_ATTR_SOURCE, cls.source, strlen(cls.source));
        if (ld && ld->app_name)
            n = put_str(attrs, n, OTEL_ATTR_APP_NAME, ld->app_name, strlen(ld->app_name));
        else if (cls.app_name)
            n = put_str(attrs, n, OTEL_ATTR_APP_NAME, cls.app_name, cls.app_name_len);
        if (ld && ld->app_instance)
            n = put_str(attrs, n, OTEL_ATTR_APP_INSTANCE, ld->app_instance, strlen(ld->app_instance));
    }
    if (!ld)
        return n;
    size_t own = n;
    for (size_t i = 0; i < ld->nattrs && n < OTEL_APPEND_MAX_ATTRS; i++) {
        const otel_attr *a = &ld->attrs[i];
        int dup = !a->key || !a->key[0];
        for (size_t k = 0; k < own && !dup; k++)
            dup = strcmp(attrs[k].key, a->key) == 0;
        for (size_t k = 0; k < i && !dup; k++) /* the caller's own duplicates: first wins */
            dup = strcmp(ld->attrs[k].key, a->key) == 0;
        if (!dup)
            attrs[n++] = *a;
    }
    return n;
}
/* ---- end issue 5 ---- */

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
    n = add_source_attrs(inst, e->in.rec.category, e->has_ld ? &e->ld : NULL, attrs, n);
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
    const otel_loc_data *ld = ev->evt_loc ? otel_loc_data_get(ev->evt_loc->loc_data) : NULL;

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
    size_t n = 0;
    attrs[n].key = "thread.id";
    attrs[n].type = OTEL_VALUE_INT;
    attrs[n++].v.i = otel_thread_id();
    if (real_location(ev->evt_loc)) {
        const log4c_location_info_t *loc = ev->evt_loc;
        attrs[n].key = "code.file.path";
        attrs[n].type = OTEL_VALUE_STRING;
        attrs[n].v.str.s = loc->loc_file;
        attrs[n++].v.str.s_len = strlen(loc->loc_file);
        attrs[n].key = "code.line.number";
        attrs[n].type = OTEL_VALUE_INT;
        attrs[n++].v.i = loc->loc_line;
        if (loc->loc_function && loc->loc_function[0] && strcmp(loc->loc_function, "(nil)") != 0) {
            attrs[n].key = "code.function.name";
            attrs[n].type = OTEL_VALUE_STRING;
            attrs[n].v.str.s = loc->loc_function;
            attrs[n++].v.str.s_len = strlen(loc->loc_function);
        }
    }

    if (inst)
        n = add_source_attrs(inst, ev->evt_category, ld, attrs, n);

    /* the thread's active span (or attached context) correlates the record;
     * only the ids are read, not the whole context with its tracestate */
    uint8_t trace_id[16], span_id[8], flags = 0;
    int traced = otel_context_current_ids(trace_id, span_id, &flags);

    /* per-call attributes of log4c_otel_log_at(): only our own pointer */
    const otel_call_attrs *call = otel_call_current();
    if (call && (!ev->evt_loc || ev->evt_loc->loc_data != (const void *)call))
        call = NULL;

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
        n = add_source_attrs(inst, ev->evt_category, ld, attrs, n);
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
