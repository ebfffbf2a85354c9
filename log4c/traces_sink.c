/*
 * traces_sink.c - where traces-as-logs lines go: logged at INFO through
 * log4c to the traces category ("traces"; LOG4C_OTEL_TRACES_CATEGORY or
 * the JSON `traces.category` to change it), so one log4crc line routes them
 * to any appender. The category is created at log4c_otel_init(), before
 * any thread logs (log4c's category table takes no locks). After
 * log4c_fini() the category is freed: nothing is written.
 */
#include "diag.h"
#include "runtime.h"
#include "span.h"
#include "traces_sink.h"

#include <log4c.h>
#include <stdatomic.h>
#include <stdlib.h>

static log4c_category_t *_Atomic traces_category;

static void sink(const char *line, size_t len, const otel_span_context *ctx, int status)
{
    (void)len;
    (void)ctx; /* the span's context is the thread's override during this call */
    (void)status;
    log4c_category_t *cat = atomic_load(&traces_category);
    if (cat && !otel_runtime_finalized())
        log4c_category_log(cat, LOG4C_PRIORITY_INFO, "%s", line);
}

int otel_traces_sink_install(void)
{
    const char *name = otel_span_config()->category;
    const char *env = getenv("LOG4C_OTEL_TRACES_CATEGORY");
    if (env && *env)
        name = env;
    log4c_category_t *cat = log4c_category_get(name);
    if (!cat)
        return -1;
    atomic_store(&traces_category, cat);
    otel_span_set_sink(sink);
    return 0;
}
