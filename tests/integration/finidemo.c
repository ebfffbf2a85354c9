/*
 * finidemo.c - the whole public API called after log4c_fini(): spans,
 * a thread context and a capture started before it, used and ended after
 * it. Prints each call's return code as one JSON line ({"after_fini":{...}})
 * and the counters; the test checks the codes, that nothing was written
 * after fini, and (under valgrind) that no freed memory was touched.
 */
#include <log4c.h>
#include <log4c-otel.h>
#include "stats_json.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *sep = "";

static void code(const char *name, int rc)
{
    printf("%s\"%s\":%d", sep, name, rc);
    sep = ",";
}

int main(void)
{
    printf("{\"init\":%d}\n", log4c_otel_init());
    fflush(stdout);
    if (log4c_init() != 0)
        return 1;
    log4c_category_t *cat = log4c_category_get("test.demo");
    log4c_category_log(cat, LOG4C_PRIORITY_INFO, "before fini");

    log4c_otel_span_t *before = NULL, *outer = NULL, *inner = NULL;
    log4c_otel_span_start("ended-before-fini", &before);
    log4c_otel_span_end(before);
    log4c_otel_span_start("outer", &outer);
    log4c_otel_span_start("inner", &inner);
    log4c_otel_context_put_string("ctx.key", "v");
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    log4c_otel_capture *cap = NULL;
    int cap_rc = log4c_otel_capture_fd(&cap, fds[0], "stdout", NULL);

    log4c_fini();

    printf("{\"capture_before\":%d}\n{\"after_fini\":{", cap_rc);
    code("init", log4c_otel_init());
    code("init_with_config", log4c_otel_init_with_config(NULL, "{}"));
    code("flush", log4c_otel_flush(100));
    code("shutdown", log4c_otel_shutdown(100));
    code("log_at", log4c_otel_log_at(cat, LOG4C_PRIORITY_ERROR, "f.c", 1, "fn", NULL, 0, "after fini"));
    log4c_otel_attr attr = LOG4C_OTEL_INT("n", 1);
    code("app_log", log4c_otel_app_log("billing", "i1", LOG4C_PRIORITY_ERROR, "after fini", &attr, 1));
    log4c_otel_span_t *late = NULL;
    code("span_start", log4c_otel_span_start("late", &late));
    log4c_otel_context_t ctx;
    code("span_context", log4c_otel_span_context(outer, &ctx));
    code("span_start_with_parent", log4c_otel_span_start_with_parent("late", &ctx, &late));
    code("span_start_from_traceparent",
         log4c_otel_span_start_from_traceparent("late", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", &late));
    printf("%s\"late_is_null\":%d", sep, late == NULL);
    code("span_set_string", log4c_otel_span_set_string(outer, "k", "v"));
    code("span_set_int", log4c_otel_span_set_int(outer, "k", 1));
    code("span_set_double", log4c_otel_span_set_double(outer, "k", 1.5));
    code("span_set_bool", log4c_otel_span_set_bool(outer, "k", 1));
    code("span_set_status", log4c_otel_span_set_status(outer, LOG4C_OTEL_STATUS_ERROR, "late"));
    code("context_current", log4c_otel_context_current(&ctx));
    char tp[LOG4C_OTEL_TRACEPARENT_SIZE];
    code("traceparent_current", log4c_otel_traceparent_current(tp, sizeof tp));
    code("traceparent_format", log4c_otel_traceparent_format(&ctx, tp, sizeof tp));
    code("traceparent_parse", log4c_otel_traceparent_parse(tp, &ctx));
    code("context_attach", log4c_otel_context_attach(&ctx));
    code("context_attach_traceparent", log4c_otel_context_attach_traceparent(tp));
    code("context_detach", log4c_otel_context_detach());
    code("context_put_string", log4c_otel_context_put_string("k", "v"));
    code("context_put_int", log4c_otel_context_put_int("k", 1));
    code("context_put_double", log4c_otel_context_put_double("k", 1.0));
    code("context_put_bool", log4c_otel_context_put_bool("k", 1));
    code("context_remove", log4c_otel_context_remove("ctx.key"));
    log4c_otel_context_clear();
    code("span_end_inner", log4c_otel_span_end(inner));
    code("span_end_outer", log4c_otel_span_end(outer));
    code("context_current_after_end", log4c_otel_context_current(&ctx));
    log4c_otel_capture *cap2 = NULL;
    char *argv[] = {"true", NULL};
    code("capture_spawn", log4c_otel_capture_spawn(&cap2, argv, NULL));
    code("capture_fd", log4c_otel_capture_fd(&cap2, 0, "stdout", NULL));
    /* the capture started before fini: a line after it goes nowhere */
    if (write(fds[1], "captured after fini\n", 20) != 20)
        return 1;
    close(fds[1]);
    code("capture_wait", cap ? log4c_otel_capture_wait(cap, 5000, NULL) : -100);
    log4c_otel_capture_free(cap);
    log4c_otel_stats_t s;
    code("stats", log4c_otel_stats(&s));
    printf("}}\n{");
    stats_json_fields(stdout, &s);
    printf("}\n");
    return 0;
}
