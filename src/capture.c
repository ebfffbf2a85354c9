/*
 * capture.c - spawning a child with its output on pipes (posix_spawn: no
 * code of ours runs between fork and exec, so nothing there can take a lock
 * or allocate), and the reader thread that turns what it writes into line
 * events (see capture.h).
 *
 * The reader polls the output pipes, a wake-up pipe (otel_capture_free) and,
 * where the kernel has it, a pidfd of the child (else it looks every 100 ms).
 * When the child has exited, it reads what is left in the pipes without
 * waiting (whatever the child wrote is there by then), so that a background
 * process the child left holding the pipes cannot keep the capture open,
 * then reaps the child and emits the exit event. The child is detected with
 * waitid(WNOWAIT) and reaped under the lock otel_capture_kill takes, so a
 * kill never reaches a recycled pid.
 */
#include "capture.h"
#include "span.h"
#include "clock.h"
#include "line_splitter.h"
#include "write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define READ_CHUNK 65536
#define DEFAULT_MAX_LINE 16384
#define DRAIN_MAX_READS 256 /* after the child exited: at most 16 MiB more per stream */

struct otel_capture {
    pid_t pid;              /* 0: a descriptor capture */
    int fd[2];              /* read ends; -1 once closed */
    int wake[2];
    int pidfd;              /* -1: none (poll every 100 ms instead) */
    otel_line_splitter split[2];
    char *san;              /* sanitised line */
    char *chunk;            /* read buffer */
    int has_context;
    otel_span_context context;
    otel_capture_emit_fn emit;
    void *emit_ctx;
    otel_capture_mask_fn mask;
    size_t max_line;        /* pieces emitted (the splitter holds up to OTEL_CAPTURE_LOGICAL_MAX with mask) */
    unsigned out_part[2];   /* with mask: pieces of the current line emitted */
    char *piece;            /* with mask: one piece, NUL-terminated (max_line + 1 bytes) */

    pthread_t thread;
    pthread_mutex_t lock;   /* guards reaped (with kill), done, status */
    pthread_cond_t cond;
    int exited;             /* reader only: the child is gone (maybe not yet reaped) */
    int reaped;
    int done;
    int status_known;
    int wstatus;
};

/* ---- environment ---- */

static int env_is(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

char **otel_capture_env(char *const *envp, const otel_span_context *ctx)
{
    char *const *src = envp ? envp : environ;
    size_t n = 0;
    while (src && src[n])
        n++;
    size_t ts_len = ctx ? strlen(ctx->tracestate) : 0;
    size_t extra = ctx ? sizeof "TRACEPARENT=" + OTEL_TRACEPARENT_LEN + (ts_len ? sizeof "TRACESTATE=" + ts_len : 0)
                       : 0;
    char **out = malloc((n + 3) * sizeof *out + extra);
    if (!out)
        return NULL;
    char *strings = (char *)(out + n + 3);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!ctx || !(env_is(src[i], "TRACEPARENT") || env_is(src[i], "TRACESTATE")))
            out[k++] = src[i];
    if (ctx) {
        char tp[OTEL_TRACEPARENT_LEN + 1];
        otel_traceparent_format(ctx, tp);
        out[k++] = strings;
        memcpy(strings, "TRACEPARENT=", 12);
        memcpy(strings + 12, tp, OTEL_TRACEPARENT_LEN + 1);
        strings += 12 + OTEL_TRACEPARENT_LEN + 1;
        if (ts_len) {
            out[k++] = strings;
            memcpy(strings, "TRACESTATE=", 11);
            memcpy(strings + 11, ctx->tracestate, ts_len + 1);
        }
    }
    out[k] = NULL;
    return out;
}

/* ---- the reader thread ---- */

typedef struct line_ctx {
    otel_capture *c;
    int stream;
} line_ctx;

static void emit_line(otel_capture *c, int stream, const char *text, size_t len, unsigned part, unsigned flags)
{
    otel_capture_event ev = {
        .kind = OTEL_CAPTURE_LINE,
        .stream = stream,
        .text = text,
        .len = len,
        .part = part,
        .flags = flags,
        .pid = c->pid,
    };
    c->emit(c->emit_ctx, &ev);
}

/* A masked logical line (or logical piece; raw_len bytes as read), split
 * into pieces of at most max_line bytes on code point boundaries, numbered
 * on from the pieces of the same line already emitted. */
static void emit_split(otel_capture *c, int s, const char *m, size_t ml, size_t raw_len, unsigned part,
                       unsigned flags)
{
    /* a line read whole stays whole (sanitising may have lengthened it) */
    if (part == 0 && (ml <= c->max_line || raw_len <= c->max_line)) {
        emit_line(c, s, m, ml, 0, flags);
        return;
    }
    size_t off = 0;
    do {
        size_t take = ml - off;
        if (take > c->max_line) {
            take = c->max_line;
            while (take > 0 && ((unsigned char)m[off + take] & 0xC0) == 0x80)
                take--;
            if (take == 0)
                take = c->max_line;
        }
        int last = off + take >= ml;
        unsigned f = last ? flags : (flags | OTEL_LINE_MORE) & ~OTEL_LINE_NO_EOL;
        memcpy(c->piece, m + off, take); /* events carry NUL-terminated text */
        c->piece[take] = '\0';
        emit_line(c, s, c->piece, take, ++c->out_part[s], f);
        off += take;
    } while (off < ml);
    if (!(flags & OTEL_LINE_MORE))
        c->out_part[s] = 0;
}

static void on_line(void *arg, const char *line, size_t len, unsigned part, unsigned flags)
{
    line_ctx *lc = arg;
    otel_capture *c = lc->c;
    size_t n = otel_line_sanitize(c->san, line, len);
    if (!c->mask) {
        emit_line(c, lc->stream, c->san, n, part, flags);
        return;
    }
    size_t ml = 0;
    const char *m = c->mask(c->emit_ctx, lc->stream, c->san, n, &ml);
    emit_split(c, lc->stream, m, ml, len, part, flags);
}

static void close_stream(otel_capture *c, int s)
{
    line_ctx lc = {c, s};
    otel_line_splitter_finish(&c->split[s], on_line, &lc);
    close(c->fd[s]);
    c->fd[s] = -1;
}

/* One read from stream s: 1 data, 0 end of file (stream closed), -1 nothing now. */
static int read_once(otel_capture *c, int s)
{
    ssize_t n;
    do
        n = read(c->fd[s], c->chunk, READ_CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return -1;
    if (n <= 0) {
        close_stream(c, s);
        return 0;
    }
    line_ctx lc = {c, s};
    otel_line_splitter_feed(&c->split[s], c->chunk, (size_t)n, on_line, &lc);
    return 1;
}

/* Reads what can be read without waiting, then closes every stream. */
static void drain_and_close(otel_capture *c)
{
    for (int s = 0; s < 2; s++) {
        for (int i = 0; c->fd[s] >= 0 && i < DRAIN_MAX_READS; i++)
            if (read_once(c, s) <= 0)
                break;
        if (c->fd[s] >= 0)
            close_stream(c, s);
    }
}

/* Has the child exited? Reaps it (under the lock) when it has. */
static int check_exit(otel_capture *c)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc = waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0 && si.si_pid == 0)
        return 0; /* still running */
    pthread_mutex_lock(&c->lock);
    if (rc == 0) {
        int st;
        if (waitpid(c->pid, &st, 0) == c->pid) {
            c->wstatus = st;
            c->status_known = 1;
        }
    } /* else ECHILD: reaped by someone else (SIGCHLD ignored, or the program's own handler) */
    c->reaped = 1;
    pthread_mutex_unlock(&c->lock);
    c->exited = 1;
    return 1;
}

static void *reader_main(void *arg)
{
    otel_capture *c = arg;
    if (c->has_context)
        otel_context_set_current(&c->context);
    int stopping = 0;

    for (;;) {
        if (c->pid && !c->exited && check_exit(c))
            drain_and_close(c);
        int open_streams = (c->fd[0] >= 0) + (c->fd[1] >= 0);
        if (open_streams == 0 && (!c->pid || c->exited))
            break;

        struct pollfd p[4];
        int np = 0, idx[2] = {-1, -1}, wake_idx, pid_idx = -1;
        for (int s = 0; s < 2; s++)
            if (c->fd[s] >= 0) {
                idx[s] = np;
                p[np++] = (struct pollfd){c->fd[s], POLLIN, 0};
            }
        wake_idx = np;
        p[np++] = (struct pollfd){stopping ? -1 : c->wake[0], POLLIN, 0};
        if (c->pid && c->pidfd >= 0) {
            pid_idx = np;
            p[np++] = (struct pollfd){c->pidfd, POLLIN, 0};
        }
        int timeout = c->pid && c->pidfd < 0 ? 100 : -1;
        int rc = poll(p, (nfds_t)np, timeout);
        if (rc < 0 && errno != EINTR)
            break; /* cannot happen with valid descriptors; never spin */
        if (rc <= 0)
            continue;
        for (int s = 0; s < 2; s++)
            if (idx[s] >= 0 && p[idx[s]].revents)
                read_once(c, s);
        if (!stopping && p[wake_idx].revents) {
            stopping = 1;
            drain_and_close(c); /* free: emit what is there now, then wait only for the child */
        }
        (void)pid_idx; /* a readable pidfd just wakes us: check_exit looks */
    }

    if (c->pid) {
        otel_capture_event ev = {
            .kind = OTEL_CAPTURE_EXIT,
            .pid = c->pid,
            .status_known = c->status_known,
            .wstatus = c->status_known ? c->wstatus : -1,
        };
        c->emit(c->emit_ctx, &ev);
    }
    pthread_mutex_lock(&c->lock);
    c->done = 1;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* ---- setup ---- */

/* A close-on-exec descriptor >= 3, so that the child's dup2 onto 0..2 never
 * meets one of ours there (the program may have closed its stdio). */
static int high_fd(int fd)
{
    if (fd >= 3)
        return fd;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return h;
}

static int make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) != 0)
        return errno;
    p[0] = high_fd(p[0]);
    p[1] = high_fd(p[1]);
    if (p[0] < 0 || p[1] < 0) {
        int e = errno;
        if (p[0] >= 0)
            close(p[0]);
        if (p[1] >= 0)
            close(p[1]);
        return e;
    }
    return 0;
}

static void destroy(otel_capture *c)
{
    for (int s = 0; s < 2; s++) {
        if (c->fd[s] >= 0)
            close(c->fd[s]);
        otel_line_splitter_free(&c->split[s]);
    }
    for (int i = 0; i < 2; i++)
        if (c->wake[i] >= 0)
            close(c->wake[i]);
    if (c->pidfd >= 0)
        close(c->pidfd);
    free(c->san);
    free(c->chunk);
    free(c->piece);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    free(c);
}

static otel_capture *alloc_capture(const otel_capture_spec *spec, int *err)
{
    otel_capture *c = calloc(1, sizeof *c);
    if (!c) {
        *err = ENOMEM;
        return NULL;
    }
    c->fd[0] = c->fd[1] = c->wake[0] = c->wake[1] = c->pidfd = -1;
    pthread_mutex_init(&c->lock, NULL);
    otel_cond_init_monotonic(&c->cond);
    size_t max_line = spec->max_line ? spec->max_line : DEFAULT_MAX_LINE;
    c->emit = spec->emit;
    c->emit_ctx = spec->emit_ctx;
    c->mask = spec->mask;
    c->max_line = max_line;
    /* with masking, the splitter holds the logical line (split after masking) */
    size_t held = spec->mask && max_line < OTEL_CAPTURE_LOGICAL_MAX ? OTEL_CAPTURE_LOGICAL_MAX : max_line;
    if (spec->context) {
        c->context = *spec->context;
        c->has_context = 1;
    }
    if (held > (SIZE_MAX - 1) / 3 || otel_line_splitter_init(&c->split[0], held) != 0 ||
        otel_line_splitter_init(&c->split[1], held) != 0 || !(c->san = malloc(OTEL_LINE_SANITIZED_MAX(held))) ||
        !(c->chunk = malloc(READ_CHUNK)) || (spec->mask && !(c->piece = malloc(max_line + 1)))) {
        destroy(c);
        *err = ENOMEM;
        return NULL;
    }
    if ((*err = make_pipe(c->wake)) != 0) {
        destroy(c);
        return NULL;
    }
    *err = 0;
    return c;
}

/* Starts the reader with every signal blocked: the program's handlers run on
 * its own threads. */
static int start_reader(otel_capture *c)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&c->thread, NULL, reader_main, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static void set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int otel_capture_spawn(otel_capture **out, const otel_capture_spec *spec)
{
    *out = NULL;
    if (!spec->argv || !spec->argv[0] || !spec->emit)
        return EINVAL;
    int err;
    otel_capture *c = alloc_capture(spec, &err);
    if (!c)
        return err;
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    if ((err = make_pipe(po)) != 0 || (err = make_pipe(pe)) != 0) {
        if (po[0] >= 0)
            close(po[0]), close(po[1]);
        destroy(c);
        return err;
    }

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    if (spec->stdin_null)
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);  /* the child starts with no signal blocked */
    posix_spawnattr_setsigdefault(&at, &all); /* and none ignored because we ignore it */
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (spec->new_pgroup) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&at, 0);
    }
    posix_spawnattr_setflags(&at, flags);
    pid_t pid;
    err = posix_spawnp(&pid, spec->argv[0], &fa, &at, spec->argv, spec->envp ? spec->envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(po[1]);
    close(pe[1]);
    if (err != 0) {
        close(po[0]);
        close(pe[0]);
        destroy(c);
        return err;
    }
    c->pid = pid;
    c->fd[0] = po[0];
    c->fd[1] = pe[0];
    set_nonblocking(c->fd[0]);
    set_nonblocking(c->fd[1]);
#ifdef SYS_pidfd_open
    c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (c->pidfd >= 0)
        fcntl(c->pidfd, F_SETFD, FD_CLOEXEC);
#endif
    if (start_reader(c) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        destroy(c);
        return EAGAIN;
    }
    *out = c;
    return 0;
}

int otel_capture_fd(otel_capture **out, int fd, const otel_capture_spec *spec)
{
    *out = NULL;
    if (fd < 0 || !spec->emit)
        return EINVAL;
    int err;
    otel_capture *c = alloc_capture(spec, &err);
    if (!c)
        return err;
    c->fd[0] = fd;
    set_nonblocking(fd);
    if (start_reader(c) != 0) {
        c->fd[0] = -1; /* still the caller's on failure */
        destroy(c);
        return EAGAIN;
    }
    *out = c;
    return 0;
}

pid_t otel_capture_pid(const otel_capture *c) { return c->pid; }

int otel_capture_kill(otel_capture *c, int sig)
{
    if (!c->pid)
        return ESRCH;
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    if (c->reaped)
        rc = ESRCH;
    else if (kill(c->pid, sig) != 0)
        rc = errno;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int otel_capture_wait(otel_capture *c, uint64_t deadline_ns, int *wstatus)
{
    int rc = 0;
    struct timespec ts = otel_timespec(deadline_ns);
    pthread_mutex_lock(&c->lock);
    while (!c->done) {
        if (deadline_ns == 0)
            pthread_cond_wait(&c->cond, &c->lock);
        else if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT && !c->done) {
            rc = ETIMEDOUT;
            break;
        }
    }
    if (wstatus)
        *wstatus = c->done && c->status_known ? c->wstatus : -1;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void otel_capture_free(otel_capture *c)
{
    if (!c)
        return;
    otel_capture_kill(c, SIGKILL); /* ESRCH when already gone: fine */
    (void)otel_write_all(c->wake[1], "x", 1);
    pthread_join(c->thread, NULL);
    destroy(c);
}
