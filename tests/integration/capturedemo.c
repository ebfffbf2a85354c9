/*
 * capturedemo.c - the program the sources/capture integration tests run. It
 * is linked with the library's objects directly (not the shared library), so
 * that it can set a trace context with the internal otel_context_set_current
 * (the span API lives elsewhere). Prints results as JSON lines.
 *
 *   capturedemo sources | edges | trace | hang | fd | stderr | notfound | many N
 */
#include <log4c.h>
#include <log4c-otel.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "span.h"

static void status_line(const char *what, int rc, int wstatus)
{
    printf("{\"%s\":%d,\"exited\":%d,\"code\":%d,\"signaled\":%d,\"signal\":%d}\n", what, rc,
           wstatus != -1 && WIFEXITED(wstatus), wstatus != -1 && WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1,
           wstatus != -1 && WIFSIGNALED(wstatus), wstatus != -1 && WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : -1);
    fflush(stdout);
}

/* Runs sh -c script captured, waits, prints the status. */
static void run_sh(const char *name, const char *script, const log4c_otel_capture_options *o)
{
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    log4c_otel_capture *c;
    int rc = log4c_otel_capture_spawn(&c, argv, o);
    if (rc != LOG4C_OTEL_OK) {
        printf("{\"spawn\":%d}\n", rc);
        return;
    }
    printf("{\"pid_%s\":%d}\n", name, log4c_otel_capture_pid(c));
    int st = -1;
    rc = log4c_otel_capture_wait(c, 20000, &st);
    status_line(name, rc, st);
    log4c_otel_capture_free(c);
}

static void sources(void)
{
    log4c_category_log(log4c_category_get("platform.core"), LOG4C_PRIORITY_INFO, "platform entry");
    log4c_category_log(log4c_category_get("gw"), LOG4C_PRIORITY_WARN, "gateway entry");
    log4c_category_log(log4c_category_get("gw.conn"), LOG4C_PRIORITY_INFO, "gateway conn entry");
    log4c_category_log(log4c_category_get("app.direct.sub"), LOG4C_PRIORITY_INFO, "direct app entry");
    log4c_otel_attr attrs[] = {
        {"user", LOG4C_OTEL_ATTR_STRING, {.s = "bob"}},
        {"count", LOG4C_OTEL_ATTR_INT, {.i = 3}},
        {"ratio", LOG4C_OTEL_ATTR_DOUBLE, {.d = 0.5}},
        {"ok", LOG4C_OTEL_ATTR_BOOL, {.b = 1}},
        {"app.name", LOG4C_OTEL_ATTR_STRING, {.s = "spoofed"}},
        {"user", LOG4C_OTEL_ATTR_STRING, {.s = "dup"}},
    };
    int rc = log4c_otel_app_log("mail", "inst-7", LOG4C_PRIORITY_WARN, "app says %s literally", attrs, 6);
    printf("{\"app_log\":%d}\n", rc);
    rc = log4c_otel_app_log("my.dotted.app", NULL, LOG4C_PRIORITY_ERROR, "dotted", NULL, 0);
    printf("{\"app_log_dotted\":%d}\n", rc);
    printf("{\"app_log_einval\":[%d,%d,%d]}\n", log4c_otel_app_log(NULL, NULL, 600, "x", NULL, 0),
           log4c_otel_app_log("", NULL, 600, "x", NULL, 0), log4c_otel_app_log("a", NULL, 600, NULL, NULL, 0));
    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = "worker";
    o.app_instance = "w-1";
    run_sh("child", "echo hello from child; echo oops from child >&2; exit 0", &o);
}

static void edges(void)
{
    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = "edges";
    o.max_line = 10;
    o.stderr_priority = LOG4C_PRIORITY_WARN;
    run_sh("edges",
           "printf 'crlf line\\r\\n';"
           "printf 'abcdefghijKLMNOPQRSTuv\\n';"     /* 22 bytes: 10 + 10 + 2 */
           "printf 'bin\\000ary\\377\\n';"
           "printf 'err one\\n' >&2; printf 'out two\\n'; printf 'err two\\n' >&2;"
           "printf '\\n';"
           "printf 'no newline at end'; exit 3",
           &o);
}

static void trace(void)
{
    otel_span_context ctx;
    memset(&ctx, 0, sizeof ctx);
    for (int i = 0; i < 16; i++)
        ctx.trace_id[i] = (uint8_t)(0xa0 + i);
    for (int i = 0; i < 8; i++)
        ctx.span_id[i] = (uint8_t)(0x10 + i);
    ctx.flags = 1;
    strcpy(ctx.tracestate, "vendor=abc");
    otel_context_set_current(&ctx);
    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = "traced";
    /* an inherited TRACEPARENT must be replaced */
    char *env[] = {"TRACEPARENT=00-11111111111111111111111111111111-2222222222222222-01", "KEEP=kept", NULL};
    o.envp = env;
    run_sh("trace", "echo \"tp=$TRACEPARENT\"; echo \"ts=$TRACESTATE\"; echo \"keep=$KEEP\"", &o);
    otel_context_set_current(NULL);
}

/* A child that closes its output and keeps running: wait times out, kill
 * ends it, the exit record says which signal. */
static void hang(void)
{
    char *argv[] = {"sh", "-c", "echo before close; exec >&- 2>&-; exec sleep 60", NULL};
    log4c_otel_capture *c;
    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = "hang";
    o.flags = LOG4C_OTEL_CAPTURE_STDIN_NULL;
    int rc = log4c_otel_capture_spawn(&c, argv, &o);
    int st = -1;
    int w1 = log4c_otel_capture_wait(c, 500, &st);
    int k = log4c_otel_capture_kill(c, SIGTERM);
    int w2 = log4c_otel_capture_wait(c, 10000, &st);
    int k2 = log4c_otel_capture_kill(c, SIGTERM);
    printf("{\"spawn\":%d,\"first_wait\":%d,\"kill\":%d,\"kill_after\":%d}\n", rc, w1, k, k2);
    status_line("hang", w2, st);
    log4c_otel_capture_free(c);
}

/* A descriptor: a pipe we write to. */
static void fdcapture(void)
{
    int p[2];
    if (pipe(p) != 0)
        exit(3);
    log4c_otel_capture *c;
    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = "pipe";
    int rc = log4c_otel_capture_fd(&c, p[0], "custom", &o);
    dprintf(p[1], "fd line 1\nfd line 2\npartial");
    close(p[1]);
    int st = 0;
    int w = log4c_otel_capture_wait(c, 10000, &st);
    printf("{\"fd\":%d,\"wait\":%d,\"status\":%d,\"pid\":%d}\n", rc, w, st, log4c_otel_capture_pid(c));
    log4c_otel_capture_free(c);
}

/* The process's own stderr through a pipe, teed to the original. */
static void own_stderr(void)
{
    int p[2];
    if (pipe(p) != 0)
        exit(3);
    int saved = dup(2);
    dup2(p[1], 2);
    close(p[1]);
    log4c_otel_capture *c;
    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = "self";
    o.stdout_priority = LOG4C_PRIORITY_ERROR;
    o.flags = LOG4C_OTEL_CAPTURE_TEE;
    o.tee_fd = saved;
    int rc = log4c_otel_capture_fd(&c, p[0], "stderr", &o);
    fprintf(stderr, "written to my stderr\n");
    fflush(stderr);
    dup2(saved, 2); /* the pipe's last write end is gone: end of file */
    int w = log4c_otel_capture_wait(c, 10000, NULL);
    printf("{\"stderr_capture\":%d,\"wait\":%d}\n", rc, w);
    log4c_otel_capture_free(c);
    close(saved);
}

static void notfound(void)
{
    char *argv[] = {"/nonexistent/program", NULL};
    log4c_otel_capture *c = (log4c_otel_capture *)1;
    errno = 0;
    int rc = log4c_otel_capture_spawn(&c, argv, NULL);
    printf("{\"notfound\":%d,\"enoent\":%d,\"null_out\":%d}\n", rc, errno == ENOENT, c == NULL);
}

/* n lines as fast as the child can write them, on both streams */
static void many(long n)
{
    char script[256];
    snprintf(script, sizeof script, "i=0; while [ $i -lt %ld ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done",
             n);
    log4c_otel_capture_options o;
    log4c_otel_capture_options_init(&o);
    o.app_name = "many";
    run_sh("many", script, &o);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: capturedemo sources|edges|trace|hang|fd|stderr|notfound|many N\n");
        return 2;
    }
    printf("{\"init\":%d}\n", log4c_otel_init());
    fflush(stdout);
    if (log4c_init() != 0)
        return 1;
    if (strcmp(argv[1], "sources") == 0)
        sources();
    else if (strcmp(argv[1], "edges") == 0)
        edges();
    else if (strcmp(argv[1], "trace") == 0)
        trace();
    else if (strcmp(argv[1], "hang") == 0)
        hang();
    else if (strcmp(argv[1], "fd") == 0)
        fdcapture();
    else if (strcmp(argv[1], "stderr") == 0)
        own_stderr();
    else if (strcmp(argv[1], "notfound") == 0)
        notfound();
    else if (strcmp(argv[1], "many") == 0 && argc > 2)
        many(atol(argv[2]));
    else {
        fprintf(stderr, "unknown scenario %s\n", argv[1]);
        return 2;
    }
    fflush(stdout);
    log4c_fini();
    log4c_otel_stats_t s;
    log4c_otel_stats(&s);
    printf("{\"accepted\":%llu,\"exported\":%llu}\n", (unsigned long long)s.accepted, (unsigned long long)s.exported);
    return 0;
}
