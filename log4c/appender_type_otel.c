/*
 * appender_type_otel.c - the log4c appender type "otel": one instance of
 * the runtime (src/runtime.h) per appender, opened lazily; each log4c
 * event becomes a core event (src/log_event.h) handed to it. Never waits
 * on the network.
 */
#include "decision_cache.h"
#include "loc_data.h"
#include "log_event.h"
#include "pipeline.h"
#include "reentry.h"
#include "runtime.h"

#include <log4c.h>
#include <string.h>

const log4c_appender_type_t otel_appender_type;

static int otel_open(log4c_appender_t *app)
{
    /* log4c opens lazily from whichever thread logs first, possibly from two
     * at once: otel_instance_open is idempotent and locked */
    if (log4c_appender_get_udata(app))
        return 0;
    /* never wait here for another thread's configuration load (or
     * for log4c_otel_init): append buffers until it is ready, then opens */
    if (!otel_runtime_ready())
        return 0;
    otel_instance *inst = otel_instance_open(log4c_appender_get_name(app));
    if (!inst)
        return -1;
    log4c_appender_set_udata(app, inst);
    return 0;
}

/* 1 when loc carries the caller's real location: log4c's plain macros pass
 * one inside log4c's own header; only log4c_category_log_locinfo() is real. */
static int real_location(const log4c_location_info_t *loc)
{
    if (!loc || !loc->loc_file || !loc->loc_file[0])
        return 0;
    size_t n = strlen(loc->loc_file);
    static const char own[] = "log4c/category.h";
    /* a fixed-size equality: compiled inline, no call */
    return !(n >= sizeof own - 1 && memcmp(loc->loc_file + n - (sizeof own - 1), own, sizeof own - 1) == 0);
}

static int append_guarded(log4c_appender_t *app, const log4c_logging_event_t *ev);

/* No feedback loop: the library's own threads never append, and an append
 * nested in one on the same thread (something our code called logged to
 * otel) is dropped and counted instead of recursing/deadlocking. */
static int otel_append(log4c_appender_t *app, const log4c_logging_event_t *ev)
{
    if (!otel_reentry_enter()) {
        otel_runtime_count_reentrant();
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
    if (!inst && otel_runtime_ready()) {
        if (otel_open(app) != 0)
            return -1;
        inst = log4c_appender_get_udata(app);
    }
    /* a record the filters drop by category and severity alone is dropped
     * here, before anything is copied, and counted as the worker would
     * (filtered); the decision is cached per thread (decision_cache.h).
     * Only with an instance: before that the configuration is not loaded,
     * and loading it is not for this thread to wait for. */
    if (inst && otel_decision_cache_decide(ev->evt_category, ev->evt_priority, otel_runtime_pipeline) ==
                    OTEL_FILTER_DROP) {
        otel_instance_drop(inst, OTEL_PIPELINE_FILTERED);
        return 0;
    }
    const log4c_location_info_t *loc = ev->evt_loc;
    const otel_loc_data *ld = loc ? otel_loc_data_get(loc->loc_data) : NULL;
    /* the per-call attributes of log4c_otel_log_at() come first, before the
     * record's own; an app's or a captured line's come after them */
    otel_call_attrs call_attrs, *call = NULL;
    if (ld && ld->kind == OTEL_LOC_DATA_ATTRS) {
        call_attrs = (otel_call_attrs){ld->attrs, ld->nattrs};
        call = &call_attrs;
        ld = NULL;
    }
    int real = real_location(loc);
    otel_log_event e = {
        .category = ev->evt_category ? ev->evt_category : "",
        .priority = ev->evt_priority,
        .message = ev->evt_msg ? ev->evt_msg : "",
        .time_ns = (uint64_t)ev->evt_timestamp.tv_sec * 1000000000ull + (uint64_t)ev->evt_timestamp.tv_usec * 1000ull,
        .file = real ? loc->loc_file : NULL,
        .line = real ? loc->loc_line : 0,
        .function = real ? loc->loc_function : NULL,
        .ld = ld,
        .call = call,
    };

    if (!inst) {
        /* before the configuration is loaded: kept raw (the pipeline
         * needs the configuration); filters and masking apply when it is
         * replayed */
        if (otel_runtime_hold(log4c_appender_get_name(app), &e) == 0)
            return 0;
        if (otel_open(app) != 0) /* loaded meanwhile */
            return -1;
        inst = log4c_appender_get_udata(app);
    }
    /* the usual path only copies the event into this thread's lane; the
     * worker filters, masks and builds the record */
    return otel_instance_append(inst, &e);
}

static int otel_close(log4c_appender_t *app)
{
    /* log4c_fini() closes appenders after freeing the categories: their
     * addresses key the cached filter decisions (decision_cache.h), even
     * when this appender has no instance */
    otel_decision_cache_invalidate();
    otel_instance *inst = log4c_appender_get_udata(app);
    if (!inst) {
        /* records may wait in the pre-init buffer for this
         * appender: load the configuration (which replays them) and shut
         * the instance down within the deadline; never silently lost */
        otel_runtime_configure();
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
