/*
 * otel_api.c - the public functions of log4c-otel.h: registration with
 * log4c, flush, shutdown, counters, error strings.
 */
#include "log4c-otel.h"
#include "instances.h"
#include "clock.h"
#include "traces_sink.h"

#include <curl/curl.h>
#include <log4c.h>
#include <pthread.h>
#include <stdlib.h>

extern const log4c_appender_type_t otel_appender_type;
extern const log4c_appender_type_t otel_file_appender_type; /* issue 4: crash-safe file */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void at_exit(void)
{
    /* close() runs only from log4c_fini(), which many programs never call */
    otel_instances_shutdown(0);
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
    log4c_appender_type_set(&otel_file_appender_type); /* issue 4 */
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
    if (otel_instances_finalized())
        return LOG4C_OTEL_ESTATE; /* log4c's type table is gone after log4c_fini() */
    pthread_once(&init_once, do_register);
    return init_rc;
}

int log4c_otel_init(void)
{
    int rc = otel_register();
    if (rc != LOG4C_OTEL_OK)
        return rc;
    /* a configuration error still leaves the appender registered: it then
     * drops (fail closed) instead of log4c silently creating a stream
     * appender writing a file named "otel" in the current directory */
    rc = otel_instances_configure();
    /* issue 4: traces-as-logs lines go to the traces category from now on
     * (created here, before log4c_init() and any thread) */
    if (otel_traces_sink_install() != 0 && rc == LOG4C_OTEL_OK)
        rc = LOG4C_OTEL_ELOG4C;
    /* Open the "otel" appender now, on the initialising thread: log4c's lazy
     * open publishes the instance through plain (unsynchronised) fields, so a
     * second thread could see it half-published (TSan; weak memory orders). */
    log4c_appender_open(log4c_appender_get(LOG4C_OTEL_APPENDER_NAME));
    return rc;
}

static uint64_t deadline_from(int timeout_ms)
{
    long ms = timeout_ms < 0 ? otel_instances_shutdown_timeout_ms() : timeout_ms;
    return otel_now_ns() + (uint64_t)ms * 1000000ull + 1; /* never 0: 0 means "default" */
}

int log4c_otel_flush(int timeout_ms) { return otel_instances_flush(deadline_from(timeout_ms)); }

int log4c_otel_shutdown(int timeout_ms) { return otel_instances_shutdown(deadline_from(timeout_ms)); }

int log4c_otel_stats(log4c_otel_stats_t *out)
{
    if (!out)
        return LOG4C_OTEL_EINVAL;
    otel_instances_stats(out);
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
