/*
 * otel_api.c - the public functions of log4c-otel.h: registration with
 * log4c, flush, shutdown, counters, error strings.
 */
#include "log4c-otel.h"
#include "attributes.h"
#include "glue.h"
#include "line_file.h"
#include "runtime.h"
#include "loc_data.h"
#include "clock.h"
#include "traces_sink.h"

#include <curl/curl.h>
#include <log4c.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const log4c_appender_type_t otel_appender_type;
extern const log4c_appender_type_t otel_file_appender_type; /* the crash-safe line file */
extern const log4c_layout_type_t otel_redact_layout_type;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void at_exit(void)
{
    /* close() runs only from log4c_fini(), which many programs never call */
    otel_runtime_shutdown(0);
    otel_runtime_report_exit(); /* one line when records were not delivered */
}

/* Registration only: cheap, reads no configuration, so the preload
 * constructor can run it before main() without freezing the environment. */
static void do_register(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        init_rc = LOG4C_OTEL_ENOMEM;
        return;
    }
    log4c_appender_type_set(&otel_appender_type);
    log4c_appender_type_set(&otel_file_appender_type);
    log4c_layout_type_set(&otel_redact_layout_type);
    log4c_appender_t *app = log4c_appender_get(LOG4C_OTEL_APPENDER_NAME);
    if (!app) {
        init_rc = LOG4C_OTEL_ELOG4C;
        return;
    }
    log4c_appender_set_type(app, &otel_appender_type);
    log4c_appender_set_layout(app, NULL); /* we read evt_msg; formatting would be wasted */
    atexit(at_exit);
}

int otel_register(void)
{
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE; /* log4c's type table is gone after log4c_fini() */
    pthread_once(&init_once, do_register);
    return init_rc;
}

int log4c_otel_init(void)
{
    int rc = otel_register();
    if (rc != LOG4C_OTEL_OK)
        return rc;
    otel_runtime_init_called(); /* records held for init are now configured */
    /* a configuration error still leaves the appender registered: it then
     * drops (fail closed) instead of log4c silently creating a stream
     * appender writing a file named "otel" in the current directory */
    rc = otel_runtime_configure();
    /* traces-as-logs lines go to the traces category from now on
     * (created here, before log4c_init() and any thread) */
    if (otel_traces_sink_install() != 0 && rc == LOG4C_OTEL_OK)
        rc = LOG4C_OTEL_ELOG4C;
    /* Open the "otel" appender now, on the initialising thread: log4c's lazy
     * open publishes the instance through plain (unsynchronised) fields, so a
     * second thread could see it half-published (TSan; weak memory orders). */
    log4c_appender_open(log4c_appender_get(LOG4C_OTEL_APPENDER_NAME));
    return rc;
}

int log4c_otel_init_with_config(const char *path, const char *json)
{
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    int rc = otel_runtime_set_api_config(path, json);
    if (rc != LOG4C_OTEL_OK)
        return rc;
    return log4c_otel_init();
}

static uint64_t deadline_in(long ms)
{
    return otel_now_ns() + (uint64_t)ms * 1000000ull + 1; /* never 0: 0 means "default" */
}

int log4c_otel_flush(int timeout_ms)
{
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    return otel_runtime_flush(deadline_in(timeout_ms < 0 ? otel_runtime_flush_timeout_ms() : timeout_ms));
}

int log4c_otel_shutdown(int timeout_ms)
{
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    return otel_runtime_shutdown(deadline_in(timeout_ms < 0 ? otel_runtime_shutdown_timeout_ms() : timeout_ms));
}

/* ---- per-call attributes and the thread's attribute context ------------ */

/* Public attribute -> core attribute (no copy: valid during the call). */
int otel_attr_from_public(const log4c_otel_attr *in, otel_attr *out)
{
    if (!in || !in->key || !in->key[0])
        return LOG4C_OTEL_EINVAL;
    out->key = in->key;
    switch (in->type) {
    case LOG4C_OTEL_ATTR_STRING:
        out->type = OTEL_VALUE_STRING;
        out->v.str.s = in->v.s ? in->v.s : "";
        out->v.str.s_len = strlen(out->v.str.s);
        return LOG4C_OTEL_OK;
    case LOG4C_OTEL_ATTR_INT: out->type = OTEL_VALUE_INT; out->v.i = in->v.i; return LOG4C_OTEL_OK;
    case LOG4C_OTEL_ATTR_DOUBLE: out->type = OTEL_VALUE_DOUBLE; out->v.d = in->v.d; return LOG4C_OTEL_OK;
    case LOG4C_OTEL_ATTR_BOOL: out->type = OTEL_VALUE_BOOL; out->v.b = in->v.b != 0; return LOG4C_OTEL_OK;
    }
    return LOG4C_OTEL_EINVAL;
}

int log4c_otel_vlog_at(const struct __log4c_category *category, int priority, const char *file, int line,
                       const char *function, const log4c_otel_attr *attrs, size_t nattrs, const char *format,
                       va_list args)
{
    if (!category || !format || (!attrs && nattrs))
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE; /* the category is freed memory now */
    const log4c_category_t *cat = category;
    if (!log4c_category_is_priority_enabled(cat, priority))
        return LOG4C_OTEL_OK;
    otel_attr stack[16];
    otel_attr *conv = nattrs <= 16 ? stack : malloc(nattrs * sizeof *conv);
    if (!conv)
        return LOG4C_OTEL_ENOMEM;
    for (size_t i = 0; i < nattrs; i++)
        if (otel_attr_from_public(&attrs[i], &conv[i]) != LOG4C_OTEL_OK) {
            if (conv != stack)
                free(conv);
            return LOG4C_OTEL_EINVAL;
        }
    /* to the otel appender on loc_data, published for this thread (loc_data.h) */
    otel_loc_data call = {.magic = OTEL_LOC_DATA_MAGIC, .kind = OTEL_LOC_DATA_ATTRS, .attrs = conv, .nattrs = nattrs};
    log4c_location_info_t loc = {file ? file : "", line, function ? function : "", (void *)&call};
    const otel_loc_data *outer = otel_loc_data_enter(&call); /* an appender may log again: nest */
    __log4c_category_vlog(cat, &loc, priority, format, args);
    otel_loc_data_leave(outer);
    if (conv != stack)
        free(conv);
    return LOG4C_OTEL_OK;
}

int log4c_otel_log_at(const struct __log4c_category *category, int priority, const char *file, int line,
                      const char *function, const log4c_otel_attr *attrs, size_t nattrs, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int rc = log4c_otel_vlog_at(category, priority, file, line, function, attrs, nattrs, format, ap);
    va_end(ap);
    return rc;
}

int log4c_otel_context_put(const log4c_otel_attr *attr)
{
    otel_attr a;
    int rc = otel_attr_from_public(attr, &a);
    if (rc != LOG4C_OTEL_OK)
        return rc;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE;
    return otel_thread_attrs_put(&a) == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ENOMEM;
}

int log4c_otel_context_put_string(const char *key, const char *value)
{
    log4c_otel_attr a = LOG4C_OTEL_STRING(key, value);
    return log4c_otel_context_put(&a);
}

int log4c_otel_context_put_int(const char *key, int64_t value)
{
    log4c_otel_attr a = LOG4C_OTEL_INT(key, value);
    return log4c_otel_context_put(&a);
}

int log4c_otel_context_put_double(const char *key, double value)
{
    log4c_otel_attr a = LOG4C_OTEL_DOUBLE(key, value);
    return log4c_otel_context_put(&a);
}

int log4c_otel_context_put_bool(const char *key, int value)
{
    log4c_otel_attr a = LOG4C_OTEL_BOOL(key, value);
    return log4c_otel_context_put(&a);
}

int log4c_otel_context_remove(const char *key)
{
    if (!key)
        return LOG4C_OTEL_EINVAL;
    otel_thread_attrs_remove(key);
    return LOG4C_OTEL_OK;
}

void log4c_otel_context_clear(void) { otel_thread_attrs_clear(); }

int log4c_otel_stats(log4c_otel_stats_t *out)
{
    if (!out)
        return LOG4C_OTEL_EINVAL;
    otel_runtime_stats(out);
    out->line_file_errors = otel_line_file_lines_lost();
    return LOG4C_OTEL_OK;
}

const char *log4c_otel_strerror(int code)
{
    switch (code) {
    case LOG4C_OTEL_OK: return "success";
    case LOG4C_OTEL_ENOMEM: return "out of memory";
    case LOG4C_OTEL_ECONFIG: return "invalid configuration";
    case LOG4C_OTEL_EUNSUPPORTED: return "not supported";
    case LOG4C_OTEL_ETIMEDOUT: return "the deadline passed first";
    case LOG4C_OTEL_ESTATE: return "not allowed in this state (log4c_fini() already ran)";
    case LOG4C_OTEL_EINVAL: return "invalid argument";
    case LOG4C_OTEL_ETHREAD: return "cannot create a thread";
    case LOG4C_OTEL_ELOG4C: return "log4c refused the registration";
    case LOG4C_OTEL_ENOCONTEXT: return "no active span or trace context on this thread";
    case LOG4C_OTEL_ESPAWN: return "cannot start the process or create its pipes";
    default: return "unknown error code";
    }
}
