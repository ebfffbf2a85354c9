/*
 * capture_api.c - the public capture functions of log4c-otel.h: the core
 * (src/capture.c) reads and splits the output; this glue logs every line
 * through log4c in captured.<name>, with log.iostream, process.pid and the
 * app's name and instance riding on loc_data to the otel appender; with
 * the TEE flag it also writes each line, masked by the gate under that
 * category's rules (mask.h), to the tee descriptor.
 */
#include "log4c-otel.h"
#include "capture.h"
#include "clock.h"
#include "glue_log.h"
#include "line_splitter.h"
#include "mask.h"
#include "write_all.h"
#include "pipeline.h"
#include "runtime.h"
#include "span.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct log4c_otel_capture {
    otel_capture *core;
    log4c_category_t *cat;
    char *cat_name; /* captured.<name>: whose rules mask the tee copy */
    int tee_fd[2];  /* where each stream's lines are copied, masked; -1: no copy */
    otel_mask_buf tee_buf; /* the reader thread's masked copy */
    char *app_name;
    char *app_instance;
    char *iostream[2];
    int prio[2];
    unsigned flags;
    otel_mask_buf mask_buf; /* the reader thread's masked line */
};

void log4c_otel_capture_options_init(log4c_otel_capture_options *o)
{
    memset(o, 0, sizeof *o);
    o->stdout_priority = LOG4C_PRIORITY_INFO;
    o->stderr_priority = LOG4C_PRIORITY_ERROR;
    o->tee_fd = -1;
}

static const char *signal_name(int sig)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    return sigabbrev_np(sig);
#else
    (void)sig;
    return NULL;
#endif
}

#define TEE_WITHHELD "[line withheld: no valid log4c-otel configuration]"

/* The tee copy of a line: masked (never the raw bytes), a placeholder
 * line when there are no valid rules; '\n' after the line's last piece. */
static void tee_line(struct log4c_otel_capture *c, const otel_capture_event *ev, int prio)
{
    int fd = c->tee_fd[ev->stream ? 1 : 0];
    if (fd < 0)
        return;
    otel_mask_entry e = {c->cat_name, prio, ev->text, ev->len};
    const char *out;
    size_t out_len;
    int eol = !(ev->flags & (OTEL_LINE_MORE | OTEL_LINE_NO_EOL));
    if (otel_mask_for_sink(&e, ev->text, ev->len, &c->tee_buf, &out, &out_len) < 0) {
        if (ev->part > 1)
            return; /* one placeholder a line */
        out = TEE_WITHHELD;
        out_len = strlen(out);
        eol = 1;
    }
    /* a failing tee is not worth losing the capture for */
    (void)otel_write_all(fd, out, out_len);
    if (eol)
        (void)otel_write_all(fd, "\n", 1);
}

static void emit(void *ctx, const otel_capture_event *ev)
{
    struct log4c_otel_capture *c = ctx;
    otel_attr a[4];
    size_t n = 0;
    char body[160];
    const char *text = ev->text;
    int prio = c->prio[0];

    if (ev->kind == OTEL_CAPTURE_LINE) {
        prio = c->prio[ev->stream ? 1 : 0];
        const char *ios = c->iostream[ev->stream ? 1 : 0];
        a[n++] = (otel_attr){.key = "log.iostream", .type = OTEL_VALUE_STRING, .v.str = {ios, strlen(ios)}};
        if (ev->part) {
            a[n++] = (otel_attr){.key = "log.line.part", .type = OTEL_VALUE_INT, .v.i = ev->part};
            if (ev->flags & OTEL_LINE_MORE)
                a[n++] = (otel_attr){.key = "log.line.continued", .type = OTEL_VALUE_BOOL, .v.b = 1};
        }
        tee_line(c, ev, prio);
    } else {
        if (c->flags & LOG4C_OTEL_CAPTURE_NO_EXIT_RECORD)
            return;
        int st = ev->wstatus;
        if (!ev->status_known) {
            snprintf(body, sizeof body, "process %ld exited (status unknown: reaped elsewhere)", (long)ev->pid);
            prio = c->prio[1];
        } else if (WIFEXITED(st)) {
            snprintf(body, sizeof body, "process %ld exited with status %d", (long)ev->pid, WEXITSTATUS(st));
            a[n++] = (otel_attr){.key = "process.exit.code", .type = OTEL_VALUE_INT, .v.i = WEXITSTATUS(st)};
            prio = WEXITSTATUS(st) == 0 ? c->prio[0] : c->prio[1];
        } else {
            int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
            const char *name = signal_name(sig);
            snprintf(body, sizeof body, "process %ld killed by signal %d%s%s%s%s", (long)ev->pid, sig,
                     name ? " (SIG" : "", name ? name : "", name ? ")" : "",
                     WIFSIGNALED(st) && WCOREDUMP(st) ? ", core dumped" : "");
            a[n++] = (otel_attr){.key = "process.exit.signal", .type = OTEL_VALUE_INT, .v.i = sig};
            prio = c->prio[1];
        }
        text = body;
    }
    if (ev->pid)
        a[n++] = (otel_attr){.key = "process.pid", .type = OTEL_VALUE_INT, .v.i = ev->pid};
    otel_loc_data ld = {OTEL_LOC_DATA_MAGIC, OTEL_LOC_DATA_CAPTURED, c->app_name, c->app_instance, a, n};
    otel_glue_log(c->cat, prio, &ld, text);
}

/* The core masks each whole line with this before splitting it, so that
 * no secret is cut in two by a split: the rules of the line's category
 * and priority (the pieces are masked again by the sinks). Without valid
 * rules the line is split as read: the sinks decide what to write. */
static const char *mask_line(void *ctx, int stream, const char *line, size_t len, size_t *out_len)
{
    struct log4c_otel_capture *c = ctx;
    const otel_pipeline *p = otel_runtime_pipeline();
    otel_mask_entry e = {c->cat_name, c->prio[stream ? 1 : 0], line, len}; /* our copy: log4c_fini() may have freed c->cat */
    const char *out;
    otel_mask_result r = otel_mask_value(p ? &p->filters : NULL, &e, line, len, &c->mask_buf, &out, out_len);
    if (r >= 0)
        return out;
    *out_len = len;
    return line;
}

static void free_glue(struct log4c_otel_capture *c)
{
    if (!c)
        return;
    free(c->cat_name);
    free(c->tee_buf.p);
    free(c->app_name);
    free(c->app_instance);
    free(c->iostream[0]);
    free(c->iostream[1]);
    free(c->mask_buf.p);
    free(c);
}

static struct log4c_otel_capture *new_glue(const char *app_name, const log4c_otel_capture_options *o,
                                           const char *ios0, const char *ios1)
{
    struct log4c_otel_capture *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->prio[0] = o->stdout_priority;
    c->prio[1] = o->stderr_priority;
    c->flags = o->flags;
    c->app_name = strdup(app_name);
    c->app_instance = o->app_instance ? strdup(o->app_instance) : NULL;
    c->iostream[0] = strdup(ios0);
    c->iostream[1] = strdup(ios1);
    c->tee_fd[0] = c->tee_fd[1] = -1;
    c->cat_name = c->app_name ? otel_glue_category_name("captured", c->app_name) : NULL;
    c->cat = c->cat_name ? otel_glue_category(c->cat_name) : NULL;
    if (!c->app_name || (o->app_instance && !c->app_instance) || !c->iostream[0] || !c->iostream[1] || !c->cat) {
        free_glue(c);
        return NULL;
    }
    return c;
}

/* The context that stamps the records: the caller's active one, else the
 * TRACEPARENT of the child's environment. */
static int stamp_context(char *const *envp, otel_span_context *ctx)
{
    if (otel_context_current(ctx))
        return 2;
    for (char *const *e = envp ? envp : environ; e && *e; e++)
        if (strncmp(*e, "TRACEPARENT=", 12) == 0)
            return otel_traceparent_parse(*e + 12, ctx) == 0 ? 1 : 0;
    return 0;
}

static int from_errno(int e)
{
    if (e == ENOMEM)
        return LOG4C_OTEL_ENOMEM;
    if (e == EINVAL)
        return LOG4C_OTEL_EINVAL;
    errno = e;
    return LOG4C_OTEL_ESPAWN;
}

int log4c_otel_capture_spawn(log4c_otel_capture **out, char *const argv[], const log4c_otel_capture_options *opts)
{
    if (!out)
        return LOG4C_OTEL_EINVAL;
    *out = NULL;
    if (!argv || !argv[0] || !argv[0][0])
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE; /* log4c_fini() freed the categories */
    log4c_otel_capture_options defaults;
    if (!opts) {
        log4c_otel_capture_options_init(&defaults);
        opts = &defaults;
    }
    const char *name = opts->app_name;
    if (!name || !name[0]) {
        const char *slash = strrchr(argv[0], '/');
        name = slash && slash[1] ? slash + 1 : argv[0];
    }
    struct log4c_otel_capture *c = new_glue(name, opts, "stdout", "stderr");
    if (!c)
        return LOG4C_OTEL_ENOMEM;

    otel_span_context ctx;
    int have = stamp_context(opts->envp, &ctx);
    char **env = otel_capture_env(opts->envp, have == 2 ? &ctx : NULL);
    if (!env) {
        free_glue(c);
        return LOG4C_OTEL_ENOMEM;
    }
    if (opts->flags & LOG4C_OTEL_CAPTURE_TEE) {
        c->tee_fd[0] = STDOUT_FILENO;
        c->tee_fd[1] = STDERR_FILENO;
    }
    otel_capture_spec spec = {
        .argv = argv,
        .envp = env,
        .stdin_null = (opts->flags & LOG4C_OTEL_CAPTURE_STDIN_NULL) != 0,
        .new_pgroup = (opts->flags & LOG4C_OTEL_CAPTURE_NEW_PGROUP) != 0,
        .max_line = opts->max_line,
        .context = have ? &ctx : NULL,
        .emit = emit,
        .emit_ctx = c,
        .mask = mask_line,
    };
    int e = otel_capture_spawn(&c->core, &spec);
    free(env);
    if (e != 0) {
        free_glue(c);
        return from_errno(e);
    }
    *out = c;
    return LOG4C_OTEL_OK;
}

int log4c_otel_capture_fd(log4c_otel_capture **out, int fd, const char *iostream,
                          const log4c_otel_capture_options *opts)
{
    if (!out)
        return LOG4C_OTEL_EINVAL;
    *out = NULL;
    if (fd < 0)
        return LOG4C_OTEL_EINVAL;
    if (otel_runtime_finalized())
        return LOG4C_OTEL_ESTATE; /* log4c_fini() freed the categories */
    log4c_otel_capture_options defaults;
    if (!opts) {
        log4c_otel_capture_options_init(&defaults);
        opts = &defaults;
    }
    char fdname[32];
    const char *name = opts->app_name;
    if (!name || !name[0]) {
        snprintf(fdname, sizeof fdname, "fd%d", fd);
        name = fdname;
    }
    const char *ios = iostream && iostream[0] ? iostream : "stdout";
    struct log4c_otel_capture *c = new_glue(name, opts, ios, ios);
    if (!c)
        return LOG4C_OTEL_ENOMEM;
    otel_span_context ctx;
    int have = otel_context_current(&ctx);
    if ((opts->flags & LOG4C_OTEL_CAPTURE_TEE) && opts->tee_fd >= 0)
        c->tee_fd[0] = opts->tee_fd;
    otel_capture_spec spec = {
        .max_line = opts->max_line,
        .context = have ? &ctx : NULL,
        .emit = emit,
        .emit_ctx = c,
        .mask = mask_line,
    };
    int e = otel_capture_fd(&c->core, fd, &spec);
    if (e != 0) {
        free_glue(c);
        return from_errno(e);
    }
    *out = c;
    return LOG4C_OTEL_OK;
}

int log4c_otel_capture_pid(const log4c_otel_capture *c) { return c ? (int)otel_capture_pid(c->core) : -1; }

int log4c_otel_capture_kill(log4c_otel_capture *c, int sig)
{
    if (!c || sig <= 0 || sig >= NSIG)
        return LOG4C_OTEL_EINVAL;
    int e = otel_capture_kill(c->core, sig);
    return e == 0 ? LOG4C_OTEL_OK : e == ESRCH ? LOG4C_OTEL_ESTATE : LOG4C_OTEL_EINVAL;
}

int log4c_otel_capture_wait(log4c_otel_capture *c, int timeout_ms, int *wstatus)
{
    if (!c)
        return LOG4C_OTEL_EINVAL;
    uint64_t deadline = timeout_ms < 0 ? 0 : otel_now_ns() + (uint64_t)timeout_ms * 1000000ull + 1;
    return otel_capture_wait(c->core, deadline, wstatus) == 0 ? LOG4C_OTEL_OK : LOG4C_OTEL_ETIMEDOUT;
}

void log4c_otel_capture_free(log4c_otel_capture *c)
{
    if (!c)
        return;
    otel_capture_free(c->core);
    free_glue(c);
}
